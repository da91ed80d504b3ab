"""KD403 db-port-published: The database port is published on all interfaces ("5432:5432")"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Severity
from analysis.rules.environment.common import _finding
from analysis.rules.registry import rule

RULE = rule(
    "KD403",
    "db-port-published",
    Severity.MEDIUM,
    area="environment",
    section="environment",
    summary='the database port is published on all interfaces (`"5432:5432"`); `127.0.0.1:5432:5432` is the fix',
    short='The database port is published on all interfaces ("5432:5432")',
    rationale="""
        `"5432:5432"` binds on 0.0.0.0, so the database is reachable from every network the
        host is on. Docker writes its own iptables rules, which bypass ufw and firewalld, so
        a server whose firewall "blocks everything" still exposes the port to the internet,
        where scanners find it within hours.
    """,
    trigger="""
        A database service's `ports:` entry that publishes its server port without a host IP
        (`"5432:5432"`, `"5432"`, long form without `host_ip`) or on `0.0.0.0`/`::`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            ports:
              - "5432:5432"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            ports:
              - "127.0.0.1:5432:5432"
    """,
    good_lang="yaml",
    fix="""
        Bind to the loopback address (`127.0.0.1:5432:5432`), or do not publish the port at all:
        services on the same Compose network reach the database as `db:5432`.
    """,
    module=__name__,
)


def check_published_ports(
    dbs: Iterable[Database], stacks: Iterable[ComposeStack]
) -> Iterator[Finding]:
    by_id = {s.id: s for s in stacks}
    for db in dbs:
        stack = by_id.get(db.stack)
        service = stack.service(db.service) if stack is not None else None
        if service is None or not db.port:
            continue
        for port in service.ports:
            if not port.exposes(db.port) or not port.all_interfaces:
                continue
            host = port.published or "a random host port"
            yield _finding(
                "KD403",
                f"database service {db.service!r}: port {db.port} is published on every "
                f"interface of the host ({port.text} -> {host}): anyone who reaches the machine "
                f"can try the database; publish it on 127.0.0.1 only "
                f'("127.0.0.1:{port.published or db.port}:{port.target}") or not at all',
                port.location,
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_published_ports(ctx.fact(databases), ctx.fact(compose_stacks))
