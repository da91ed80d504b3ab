"""KD218 migration-job-not-awaited: A one-shot migration service exists, but the app does not wait for it"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD218",
    "migration-job-not-awaited",
    Severity.MEDIUM,
    area="startup",
    section="wait-script",
    summary="a one-shot migration service exists, but the app does not `depends_on` it with `condition: service_completed_successfully`",
    short="A one-shot migration service exists, but the app does not wait for it",
    rationale="""
        A separate `migrate` service is the right pattern only if the app waits for it to
        finish. With plain `depends_on: [migrate]` (or none) Compose starts the app as soon
        as the migration container starts, so the app serves requests on the old schema, and
        if the migration fails the app keeps running on it.
    """,
    trigger="""
        A service whose command runs migrations and exits (one-shot), while an app service
        using the same database does not `depends_on` it with `condition:
        service_completed_successfully`.
    """,
    bad="""
        # docker-compose.yml
        services:
          migrate:
            build: .
            command: npx prisma migrate deploy
          api:
            build: .
            depends_on:
              - migrate
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          migrate:
            build: .
            command: npx prisma migrate deploy
          api:
            build: .
            depends_on:
              migrate:
                condition: service_completed_successfully
    """,
    good_lang="yaml",
    fix="""
        Use the long form of `depends_on` with `condition: service_completed_successfully` on
        the migration service.
    """,
    module=__name__,
)
