"""KD206 db-push-fallback: migrate deploy falls back to db push when no migrations are found"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    RUNS_BY_ITSELF,
    _finding,
    _origin,
    _sev,
    _unique,
    _Where,
    _where,
    replace_condition,
)

RULE = rule(
    "KD206",
    "db-push-fallback",
    Severity.LOW,
    area="startup",
    section="migrations",
    checklist=("first-run-db-push",),
    summary="`migrate deploy` with a fallback to `db push` when no migrations exist (the seed's pattern): name the condition and the line",
    short="migrate deploy falls back to db push when no migrations are found",
    rationale="""
        The fallback looks defensive, but it makes the strategy depend on whether the
        migrations folder made it into the image. The day a `.dockerignore` or a narrower
        `COPY` drops it, the container silently switches to `db push`: the schema is created
        without history, and the next image that does contain migrations fails `migrate
        deploy` with P3005 ("the database schema is not empty") until someone baselines it by
        hand or resets the database.
    """,
    trigger="""
        A startup script that runs `prisma migrate deploy` when migrations exist and
        `prisma db push` otherwise (a test of the migrations folder, `ls`, `find`, or `||`
        after deploy), reported at the `db push` line with the condition named.
    """,
    bad="""
        #!/bin/sh
        # wait-for-db.sh
        set -e
        if [ -d prisma/migrations ] && [ "$(ls -A prisma/migrations)" ]; then
          npx prisma migrate deploy
        else
          npx prisma db push
        fi
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # wait-for-db.sh
        set -e
        if [ ! -d prisma/migrations ]; then
          echo "prisma/migrations is missing from the image" >&2
          exit 1
        fi
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Make migrations mandatory: run `migrate deploy` unconditionally and fail loudly when
        the folder is missing, so a broken image never reaches the database.
    """,
    module=__name__,
)


def check_db_push_fallback(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "db push" or step.fallback_kind != "no-migrations":
            continue
        if step.context not in RUNS_BY_ITSELF:
            continue
        extra = (
            [Related(step.fallback_for, "`migrate deploy` when migrations exist")]
            if step.fallback_for is not None
            else []
        )
        cond = step.conditions[-1].label if step.conditions else "when no migrations exist"
        yield _finding(
            "KD206",
            _sev("KD206"),
            f"`{step.text}` runs {_origin(facts, where, step)} instead of `migrate deploy` when "
            f"the migrations folder is missing or empty ({cond}): an image built without "
            "migrations syncs the schema with no history",
            replace_condition(step),
            extra,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_db_push_fallback(ctx.fact(startup_paths), ctx.fact(_where))
