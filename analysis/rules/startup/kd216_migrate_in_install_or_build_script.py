"""KD216 migrate-in-install-or-build-script: Migrations or db push in an install/build lifecycle script or platform build"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import RunContext, StartupFacts
from analysis.model import Finding, Severity
from analysis.parsers.prisma_cli import CHANGES_SCHEMA
from analysis.rules.registry import rule
from analysis.rules.startup.common import _finding, _sev, _unique, _Where, _where

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


def check_migrate_in_build(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    in_build = (
        s
        for s in facts.commands
        if s.context == RunContext.BUILD
        and s.command in CHANGES_SCHEMA
        # a Dockerfile RUN is KD305 (image area)
        and s.root_kind in ("lifecycle", "platform-build")
    )
    for step in _unique(in_build):
        destructive = (
            step.command == "migrate reset"
            or step.invocation.force_reset
            or step.invocation.accept_data_loss
        )
        sev = Severity.CRITICAL if destructive else _sev("KD216")
        first = step.chain[0].label if step.chain else ""
        yield _finding(
            "KD216",
            sev,
            f"`{step.text}` runs in an install/build step ({first[:100]}): it changes whatever "
            "database the build machine is configured with, at every install or build, before "
            "the new version is released",
            step,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_migrate_in_build(ctx.fact(startup_paths), ctx.fact(_where))
