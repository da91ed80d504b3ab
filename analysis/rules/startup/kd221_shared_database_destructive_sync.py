"""KD221 shared-database-destructive-sync: A destructive schema sync runs against a database another app also uses"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.parsers.prisma_cli import DESTRUCTIVE_SYNC
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    _db_target,
    _finding,
    _migrators,
    _same_code,
    _sev,
    _stacks,
)

RULE = rule(
    "KD221",
    "shared-database-destructive-sync",
    Severity.HIGH,
    area="startup",
    section="migrations",
    checklist=("schema-changes-fail-on-data-loss", "no-automatic-data-loss"),
    summary='a service whose startup runs `db push`, `migrate dev` or `migrate reset` uses a DATABASE_URL whose host, database and schema another service (another app, or another Prisma schema in the monorepo) also uses: the sync drops the other app\'s tables as "drift"',
    short="A destructive schema sync runs against a database another app also uses",
    rationale="""
        `db push`, `migrate dev` and `migrate reset` make the database match one schema. Two
        apps (or two Prisma schemas in a monorepo) that share the same host, database and
        schema each see the other's tables as drift: `db push` wants to drop them, `migrate
        dev` wants a reset, and `migrate reset` drops them outright.
    """,
    trigger="""
        A service whose startup runs `db push`, `migrate dev` or `migrate reset` uses a
        DATABASE_URL whose host, database and `?schema=` are also used by another service or
        by another Prisma schema of the project.
    """,
    bad="""
        # docker-compose.yml
        services:
          web:
            build: ./apps/web
            command: sh -c "npx prisma db push && exec node server.js"
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app
          admin:
            build: ./apps/admin
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          web:
            build: ./apps/web
            command: sh -c "npx prisma migrate deploy && exec node server.js"
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app?schema=web
          admin:
            build: ./apps/admin
            environment:
              DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app?schema=admin
    """,
    good_lang="yaml",
    fix="""
        Give each schema its own database or PostgreSQL schema (`?schema=web`), or manage the
        shared database from one schema with `migrate deploy`; never sync a shared database
        with `db push`.
    """,
    module=__name__,
)


def check_shared_database(ctx: Context, facts: StartupFacts) -> Iterator[Finding]:
    for stack in _stacks(ctx):
        paths = [p for p in facts.paths if p.kind == "compose" and p.stack == stack.id]
        for path in paths:
            steps = sorted(
                (s for s in _migrators(path) if s.command in DESTRUCTIVE_SYNC),
                key=lambda s: (bool(s.conditions), s.command != "db push"),
            )
            if not steps:
                continue
            me = stack.service(path.service) if path.service else None
            mine = _db_target(me)
            if me is None or mine is None:
                continue
            for other in stack.services:
                if other.name == path.service or _db_target(other) != mine:
                    continue
                if _same_code(me, other):
                    continue
                var = other.env("DATABASE_URL")
                loc = var.location if var is not None else other.location
                yield _finding(
                    "KD221",
                    _sev("KD221"),
                    f"`{steps[0].text}` runs when {path.name} starts against the database that "
                    f"service {other.name} also uses ({mine[1]}, schema {mine[2]}): the sync "
                    f"treats {other.name}'s tables as drift and drops them",
                    steps[0],
                    [Related(loc, f"{other.name} uses the same database")],
                )
                break


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_shared_database(ctx, ctx.fact(startup_paths))
