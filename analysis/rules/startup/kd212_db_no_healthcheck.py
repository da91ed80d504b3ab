"""KD212 db-no-healthcheck: A database that an app depends_on has no healthcheck"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
