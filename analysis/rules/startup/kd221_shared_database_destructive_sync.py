"""KD221 shared-database-destructive-sync: A destructive schema sync runs against a database another app also uses"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
