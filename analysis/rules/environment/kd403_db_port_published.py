"""KD403 db-port-published: The database port is published on all interfaces ("5432:5432")"""

from __future__ import annotations

from analysis.model import Severity
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
