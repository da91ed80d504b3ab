"""KD213 migrate-resolve-in-startup: prisma migrate resolve --applied/--rolled-back in the startup path"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    RUNS_BY_ITSELF,
    _finding,
    _origin,
    _sev,
    _unique,
    _Where,
    _where,
)

RULE = rule(
    "KD213",
    "migrate-resolve-in-startup",
    Severity.HIGH,
    area="startup",
    section="migrations",
    checklist=("migration-conflicts-manual",),
    summary="`prisma migrate resolve --applied/--rolled-back` in the startup path",
    short="prisma migrate resolve --applied/--rolled-back in the startup path",
    rationale="""
        `migrate resolve` rewrites Prisma's migration history without touching the schema.
        `--applied` marks a migration as done even though its SQL never ran (or ran half-way),
        so every later migration builds on tables and columns that are not there.
        `--rolled-back` marks it for another attempt on a schema it already partly changed.
        It is a manual repair for one known incident, not something to run on every start.
    """,
    trigger="""
        `prisma migrate resolve --applied <name>` or `--rolled-back <name>` in the startup or
        deploy path. One level lower in a developer script that nothing in those paths runs,
        and behind an opt-in condition no file turns on.
    """,
    bad="""
        #!/bin/sh
        # entrypoint.sh
        set -e
        npx prisma migrate resolve --applied 20240612093000_add_invoices || true
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # entrypoint.sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Remove the command from the startup path. When a migration fails in production, look
        at what it changed, repair the schema by hand, then run `migrate resolve` once,
        deliberately, from a shell.
    """,
    module=__name__,
)


def check_migrate_resolve(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "migrate resolve" or step.context not in RUNS_BY_ITSELF:
            continue
        if not (step.invocation.has("--applied") or step.invocation.has("--rolled-back")):
            continue
        yield _finding(
            "KD213",
            _sev("KD213"),
            f"`{step.text}` runs {_origin(facts, where, step)}: it marks a migration as applied "
            "or rolled back without running it, hiding a failed migration on every start",
            step,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_migrate_resolve(ctx.fact(startup_paths), ctx.fact(_where))
