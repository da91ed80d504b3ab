"""KD306 stale-client-volume: Source bind mount with node_modules on a volume and no client regeneration"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD306",
    "stale-client-volume",
    Severity.MEDIUM,
    area="image",
    section="volume-mounts",
    checklist=("client-generation-safe", "volume-mounts-no-conflict"),
    summary="the app bind-mounts the source and hides `node_modules` behind a volume, and nothing regenerates the client at start: a schema edit leaves a stale client",
    short="Source bind mount with node_modules on a volume and no client regeneration",
    rationale="""
        The classic dev setup mounts `.:/app` and hides `node_modules` behind an anonymous
        volume. The generated Prisma client lives in that volume and Compose keeps it when it
        recreates the container, so after a schema edit the app keeps running the old client:
        new fields are silently dropped from writes, renamed ones fail, and the developer
        "fixes" the resulting errors with `db push --accept-data-loss` or a reset.
    """,
    trigger="""
        A service that bind-mounts the source (`.:/app`) and puts `node_modules` on a volume
        (`/app/node_modules`), while nothing in its startup path runs `prisma generate`.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: npm run dev
            volumes:
              - .:/app
              - /app/node_modules
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma generate && npm run dev"
            volumes:
              - .:/app
              - /app/node_modules
    """,
    good_lang="yaml",
    fix="""
        Run `prisma generate` in the dev command (or a `predev` script), or recreate the
        volume after schema changes with `docker compose up --renew-anon-volumes`.
    """,
    module=__name__,
)
