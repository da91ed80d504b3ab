"""KD207 no-migration-step: The project has migrations, but nothing in the startup path applies them"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD207",
    "no-migration-step",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="nothing in the startup path applies migrations while the project has a migrations folder",
    short="The project has migrations, but nothing in the startup path applies them",
    rationale="""
        The migrations folder grows with every schema change, but no container or deploy step
        runs `migrate deploy`. New code starts against the old schema and fails on missing
        columns (P2022), or somebody applies changes by hand with `db push` from a laptop,
        which is how production drifts away from the migration history until a reset looks
        like the only way out.
    """,
    trigger="""
        The project has a migrations folder, and neither any compose service's startup path
        nor any deploy path (vercel.json, fly.toml release_command, Procfile release:, render,
        railway, nixpacks) nor a one-shot migration service runs `prisma migrate deploy` (or
        an equivalent).
    """,
    bad="""
        # fly.toml
        app = "shop-api"

        [build]
          dockerfile = "Dockerfile"

        [http_service]
          internal_port = 3000
    """,
    bad_lang="toml",
    good="""
        # fly.toml
        app = "shop-api"

        [build]
          dockerfile = "Dockerfile"

        [deploy]
          release_command = "npx prisma migrate deploy"

        [http_service]
          internal_port = 3000
    """,
    good_lang="toml",
    fix="""
        Run `prisma migrate deploy` exactly once per deploy: a platform release command, a
        one-shot compose service the app waits for, or the entrypoint before the app starts.
    """,
    module=__name__,
)
