"""KD211 no-wait-for-database: Migrations run at start, but nothing waits for the database to be ready"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD211",
    "no-wait-for-database",
    Severity.MEDIUM,
    area="startup",
    section="wait-script",
    checklist=("error-handling",),
    summary="migrations run at start, but nothing waits for the database: no wait loop, no `depends_on: condition: service_healthy`",
    short="Migrations run at start, but nothing waits for the database to be ready",
    rationale="""
        `depends_on` without a condition only waits for the database container to start, not
        for the server to accept connections. The migration races the database's
        initialisation and fails with P1001 ("Can't reach database server"); with a restart
        policy it loops, and in scripts with a `db push` fallback or `|| true` the app starts
        on a schema that was never migrated.
    """,
    trigger="""
        A service whose startup path applies migrations (or pushes the schema) and that has
        neither a wait loop before the migration nor `depends_on: <db>: condition:
        service_healthy` on a database with a healthcheck.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            depends_on:
              - db
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            depends_on:
              db:
                condition: service_healthy
          db:
            image: postgres:16
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U postgres"]
              interval: 2s
              retries: 30
    """,
    good_lang="yaml",
    fix="""
        Give the database a healthcheck and depend on it with `condition: service_healthy`,
        or add a bounded wait loop before the migration.
    """,
    module=__name__,
)
