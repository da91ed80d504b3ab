"""KD216 migrate-in-install-or-build-script: Migrations or db push in an install/build lifecycle script or platform build"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD216",
    "migrate-in-install-or-build-script",
    Severity.HIGH,
    area="startup",
    section="migrations",
    checklist=("schema-changes-fail-on-data-loss", "no-automatic-data-loss"),
    summary="migrations or `db push` in `postinstall`, `prebuild`, `build` (or similar lifecycle) scripts, or in a platform's build command: they hit whatever database is configured at install/build time (critical when the command is `migrate reset`, `--force-reset` or `--accept-data-loss`)",
    short="Migrations or db push in an install/build lifecycle script or platform build",
    rationale="""
        `postinstall`, `prebuild`, `build` and `vercel-build` run wherever dependencies are
        installed or the app is built: every developer's `npm install`, every CI job, every
        preview deployment. Each of them migrates (or pushes to) whatever DATABASE_URL is set
        there, which for preview builds is often production. A preview branch with a
        destructive migration then changes the production schema before the code is merged.
    """,
    trigger="""
        `prisma migrate deploy`, `migrate dev`, `db push` (or Prisma 8 equivalents) in a
        `postinstall`, `preinstall`, `prepare`, `prebuild`, `build`, `postbuild`,
        `vercel-build` or `heroku-postbuild` script, or a platform's build command (vercel.json buildCommand, render buildCommand, railway
        build.buildCommand). Critical when the command is `migrate reset`, `--force-reset` or
        `--accept-data-loss`.
    """,
    bad="""
        {
          "scripts": {
            "postinstall": "prisma generate",
            "build": "prisma migrate deploy && next build"
          }
        }
    """,
    bad_lang="json",
    good="""
        {
          "scripts": {
            "postinstall": "prisma generate",
            "build": "next build",
            "db:deploy": "prisma migrate deploy"
          }
        }
    """,
    good_lang="json",
    fix="""
        Keep builds free of database writes. Run `prisma migrate deploy` in a release step
        that targets exactly one known database (fly.toml `release_command`, Render
        `preDeployCommand`, a CI deploy job for main only), and give preview builds their own
        database.
    """,
    module=__name__,
)
