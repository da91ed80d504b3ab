"""KD219 floating-app-image-migrates: An app image on latest (or pull_policy: always) applies migrations at start"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD219",
    "floating-app-image-migrates",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="an app image on `latest`/no tag (or `pull_policy: always`) whose start applies migrations: a pull applies unreviewed migrations, with no way back",
    short="An app image on latest (or pull_policy: always) applies migrations at start",
    rationale="""
        Whatever is pushed to `:latest` migrates production the next time a container
        restarts, including on a host reboot, with nobody deciding to deploy. Prisma has no
        down migrations: rolling back to the previous image leaves the new schema in place,
        and a destructive migration has already dropped what it dropped.
    """,
    trigger="""
        A service whose image has no tag or the `latest` tag, or sets `pull_policy: always`,
        and whose startup path applies migrations or pushes the schema.
    """,
    bad="""
        # docker-compose.prod.yml
        services:
          api:
            image: ghcr.io/acme/api:latest
            pull_policy: always
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.prod.yml
        services:
          api:
            image: ghcr.io/acme/api:1.8.2
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
    """,
    good_lang="yaml",
    fix="""
        Deploy immutable tags (a version or commit SHA) so that each migration run is a
        decision, and back up before deploying images that carry destructive migrations.
    """,
    module=__name__,
)
