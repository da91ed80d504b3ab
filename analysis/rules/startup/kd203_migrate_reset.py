"""KD203 migrate-reset: prisma migrate reset in the startup path: drops and recreates the database"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import RunContext, StartupFacts
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import _finding, _origin, _sev, _unique, _Where, _where

RULE = rule(
    "KD203",
    "migrate-reset",
    Severity.CRITICAL,
    area="startup",
    section="migrations",
    checklist=("schema-changes-fail-on-data-loss", "no-automatic-data-loss", "no-migrate-reset"),
    summary="`prisma migrate reset` in the startup path (medium in a developer script; critical in a build, install or deploy script)",
    short="prisma migrate reset in the startup path: drops and recreates the database",
    rationale="""
        `migrate reset` drops the database (or every table in it), re-applies all migrations
        and runs the seed. With `--force` it does not ask. It is the right command for a
        developer's laptop and the wrong one for anything that starts on its own: a startup
        script turns every restart into a full wipe, and a build or deploy script wipes the
        database that the build machine's DATABASE_URL happens to reach.
    """,
    trigger="""
        `prisma migrate reset` (with or without `--force`) in the startup path: critical; in a
        build, install or deploy script (postinstall, build, vercel-build, a platform release
        command): critical; in a developer script: medium. Behind an opt-in condition no file
        turns on: one level lower.
    """,
    bad="""
        #!/bin/sh
        # scripts/start.sh, run by the Dockerfile's CMD
        npx prisma migrate reset --force
        node dist/main.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # scripts/start.sh, run by the Dockerfile's CMD
        set -e
        npx prisma migrate deploy
        exec node dist/main.js
    """,
    good_lang="sh",
    fix="""
        Use `prisma migrate deploy` at start. Keep `migrate reset` in a developer-only script
        whose name says what it does (`db:reset:local`), never in a lifecycle or platform
        build command.
    """,
    module=__name__,
)


def check_migrate_reset(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "migrate reset":
            continue
        sev = _sev("KD203") if step.context != RunContext.DEVELOPER else Severity.MEDIUM
        yield _finding(
            "KD203",
            sev,
            f"`{step.text}` runs {_origin(facts, where, step)}: it drops the database, "
            "re-applies every migration and runs the seed",
            step,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_migrate_reset(ctx.fact(startup_paths), ctx.fact(_where))
