"""KD217 concurrent-migrators: Several services or replicas apply migrations at start against one database"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD217",
    "concurrent-migrators",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="two or more services apply migrations at start against the same database, or one service that migrates at start runs as several replicas (`deploy.replicas` > 1, `scale`)",
    short="Several services or replicas apply migrations at start against one database",
    rationale="""
        Prisma serialises `migrate deploy` with an advisory lock on PostgreSQL and MySQL, but
        the second runner only waits 10 seconds, then fails with P1002; in a script without
        `set -e` it starts the app anyway, and on a crash loop the replicas keep fighting.
        `db push`, seeds and custom data scripts take no lock at all: two replicas push or
        seed at once and insert duplicates or interleave changes.
    """,
    trigger="""
        Two or more services whose startup applies migrations (or pushes the schema) against
        the same database, or one such service that runs as several replicas
        (`deploy.replicas` > 1, `scale:`).
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            image: ghcr.io/acme/api:1.8.2
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            deploy:
              replicas: 3
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          migrate:
            image: ghcr.io/acme/api:1.8.2
            command: npx prisma migrate deploy
            restart: "no"
          api:
            image: ghcr.io/acme/api:1.8.2
            command: node dist/server.js
            deploy:
              replicas: 3
            depends_on:
              migrate:
                condition: service_completed_successfully
    """,
    good_lang="yaml",
    fix="""
        Run migrations once per deploy, in a one-shot service or a release step, and start
        the replicas after it completed successfully.
    """,
    module=__name__,
)
