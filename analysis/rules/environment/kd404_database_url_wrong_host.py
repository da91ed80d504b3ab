"""KD404 database-url-wrong-host: A container's DATABASE_URL points at localhost or a host that is no service"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Severity
from analysis.rules.environment.common import LOCAL_HOSTS, _finding, _host_names, _url_vars
from analysis.rules.registry import rule
from analysis.secrets import mask_url

RULE = rule(
    "KD404",
    "database-url-wrong-host",
    Severity.MEDIUM,
    area="environment",
    section="environment",
    summary="a container's DATABASE_URL points at localhost/127.0.0.1, or at a host that is no service of the compose project",
    short="A container's DATABASE_URL points at localhost or a host that is no service",
    rationale="""
        Inside a container `localhost` is the container itself. The migration at start fails
        with P1001 and the app crash-loops, or, under `network_mode: host` or with a database
        on the host, it migrates a different database than the one with the volume. A
        hostname that is no service of the project resolves nowhere (or somewhere else), and
        the same thing happens.
    """,
    trigger="""
        A container's DATABASE_URL (from compose `environment:`/`env_file:`, the Dockerfile's
        ENV or the `.env` Compose reads) whose host is `localhost`, `127.0.0.1`, `::1`, or a
        name that is no service (nor alias, nor `container_name`) of the compose project.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@localhost:5432/shop
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
          db:
            image: postgres:16
    """,
    good_lang="yaml",
    fix="""
        Use the database's service name as host (`db`), and keep a separate `.env` value with
        `localhost` for tools run on the host.
    """,
    module=__name__,
)


def check_url_hosts(
    stacks: tuple[ComposeStack, ...], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    db_names = {(d.stack, d.service) for d in dbs}
    # A host that is a service of another stack of the project is probably reached over a
    # shared (external) network: not reported.
    everywhere = {name for stack in stacks for name in _host_names(stack)}
    for stack in stacks:
        known = _host_names(stack) | everywhere
        for service in stack.services:
            if (stack.id, service.name) in db_names:
                continue
            host_net = service.network_mode is not None and service.network_mode.value == "host"
            for var, url in _url_vars(service):
                for host in url.hosts:
                    low = host.lower()
                    if not low or "$" in low:
                        continue
                    if low in LOCAL_HOSTS:
                        if host_net:
                            continue
                        yield _finding(
                            "KD404",
                            f"service {service.name!r}: {var.name} points at {host} "
                            f"({mask_url(var.value or '')}), which inside a container is the "
                            "container itself, not the database; use the database service's "
                            "name as the host",
                            var.location,
                        )
                    elif (
                        "." not in low
                        and ":" not in low
                        and low not in known
                        and low != "host.docker.internal"
                        and len(stack.services) > 1
                    ):
                        services = ", ".join(sorted(s.name for s in stack.services))
                        yield _finding(
                            "KD404",
                            f"service {service.name!r}: {var.name} points at host {host!r}, "
                            f"which is no service of this compose project ({services}): the "
                            "connection fails with 'could not translate host name'",
                            var.location,
                        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_url_hosts(ctx.fact(compose_stacks), ctx.fact(databases))
