"""KD209 startup-ignores-migration-failure: The startup script ignores a failed migration and starts the app anyway"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.parsers.prisma_cli import CHANGES_SCHEMA
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    STARTUP_CONTEXTS,
    _finding,
    _origin,
    _sev,
    _unique,
    _Where,
    _where,
    failure_ignored_at,
)

RULE = rule(
    "KD209",
    "startup-ignores-migration-failure",
    Severity.MEDIUM,
    area="startup",
    section="wait-script",
    checklist=("error-handling",),
    summary='the script neither `set -e`s nor checks the migration\'s exit status, so the app starts on a failed migration (also: the migration is piped, `prisma migrate deploy | tee log`, without `set -o pipefail`; or `cmd || true`, `cmd; echo "continuing"`)',
    short="The startup script ignores a failed migration and starts the app anyway",
    rationale="""
        Without `set -e` (or an explicit status check) a failed `migrate deploy` is just a
        line in the log: the script continues and the app serves traffic on a half-migrated
        schema. Writes then go into the old columns, or fail, while `_prisma_migrations`
        records the migration as failed and blocks every later deploy (P3009). A pipe into
        `tee` or a `|| true` hides the failure even with `set -e`.
    """,
    trigger="""
        A script in the startup path that runs a migration command without `set -e` and
        without checking its exit status (`if ! ...`, `|| exit 1`); or pipes it (`prisma
        migrate deploy | tee migrate.log`) without `set -o pipefail`; or neutralises it with
        `|| true` or by continuing after `;` (`prisma migrate deploy; echo continuing`); or
        tests it with an `if` whose failure branch only logs or is missing (`if ! prisma
        migrate deploy; then echo failed; fi`, `if ...; then ...; else echo ...; fi`), also
        when the migration runs in a script the `if` calls (a called script's `exit 0` hides
        the failure from its caller). The finding points where the failure is let through;
        the Prisma command is named as related.
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        npx prisma migrate deploy | tee /tmp/migrate.log
        node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/bash
        # docker-entrypoint.sh
        set -euo pipefail
        npx prisma migrate deploy | tee /tmp/migrate.log
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Start the script with `set -e` (and `set -o pipefail` when piping, which needs bash or
        a shell that supports it), or test the status explicitly:
        `npx prisma migrate deploy || exit 1`. Never `|| true` a migration.
    """,
    module=__name__,
)


def check_failure_ignored(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command not in CHANGES_SCHEMA or step.context not in STARTUP_CONTEXTS:
            continue
        hit = failure_ignored_at(step)
        if hit is None:
            continue
        why, at = hit
        found = _finding(
            "KD209",
            _sev("KD209"),
            f"`{step.text}` runs {_origin(facts, where, step)} and its failure does not stop "
            f"the start: {why}; the app then runs against a half-migrated database",
            step,
        )
        if at != step.location:
            # the fix goes where the failure is ignored; the Prisma command is related
            found = replace(
                found,
                location=at,
                related=(Related(step.location, f"`{step.text}` runs here"), *found.related),
            )
        yield found


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_failure_ignored(ctx.fact(startup_paths), ctx.fact(_where))
