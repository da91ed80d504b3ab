"""KD212 db-no-healthcheck: A database that an app depends_on has no healthcheck"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import _databases, _sev, _sqlite_app, _stacks

RULE = rule(
    "KD212",
    "db-no-healthcheck",
    Severity.LOW,
    area="startup",
    section="wait-script",
    summary="a database that an app `depends_on` has no healthcheck",
    short="A database that an app depends_on has no healthcheck",
    rationale="""
        Without a healthcheck Compose cannot tell when the database is ready, so `depends_on`
        can only mean "started". Every dependent service then races the database's
        initialisation, and migrations at start fail or, worse, take a fallback path.
    """,
    trigger="""
        A database service that another service names in `depends_on` and that has no
        healthcheck (none in compose, none in the image it is built from), or has it disabled
        (`healthcheck: disable: true`).
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            depends_on: [db]
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            depends_on:
              db:
                condition: service_healthy
          db:
            image: postgres:16
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]
              interval: 2s
              timeout: 3s
              retries: 30
    """,
    good_lang="yaml",
    fix="""
        Add a healthcheck (`pg_isready`, `mysqladmin ping`, `mongosh --eval
        'db.runCommand({ping:1})'`) and have the dependents wait with `condition:
        service_healthy`.
    """,
    module=__name__,
)


def check_db_healthcheck(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    dbs = {(d.stack, d.service): d for d in _databases(ctx)}
    for stack in _stacks(ctx):
        for db_name in [svc for st, svc in dbs if st == stack.id]:
            db = stack.service(db_name)
            if db is None:
                continue
            hc = db.healthcheck
            if hc is not None and not hc.disabled and hc.test is not None:
                continue
            users = [
                (svc, dep)
                for svc in stack.services
                if (stack.id, svc.name) not in dbs and not _sqlite_app(facts, stack.id, svc.name)
                for dep in svc.depends_on
                if dep.service == db_name
            ]
            if not users:
                continue
            names = ", ".join(svc.name for svc, _ in users)
            yield Finding(
                "KD212",
                _sev("KD212"),
                f"the database service {db_name} has no healthcheck, but {names} "
                f"depend{'s' if len(users) == 1 else ''} on it: `depends_on` can only wait for "
                "the container to start, not for the database to accept connections",
                db.location,
                tuple(
                    Related(dep.location, f"{svc.name} depends on {db_name}") for svc, dep in users
                ),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_db_healthcheck(ctx, ctx.fact(startup_paths))
