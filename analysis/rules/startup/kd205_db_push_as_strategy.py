"""KD205 db-push-as-strategy: The startup path relies on prisma db push: the schema has no migration history"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import (
    STARTUP_CONTEXTS,
    _finding,
    _origin,
    _sev,
    _unique,
    _Where,
    _where,
)

RULE = rule(
    "KD205",
    "db-push-as-strategy",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    checklist=("first-run-db-push", "schema-changes-need-migrations"),
    summary="the startup path relies on `prisma db push` (no migration history; production schema is whatever the image holds)",
    short="The startup path relies on prisma db push: the schema has no migration history",
    rationale="""
        With `db push` as the deploy strategy, production's schema is whatever the image
        holds: there is no migration file to review, no record of what ran, and no way to
        express a rename, so Prisma sees drop + add. Plain `db push` stops at changes that
        lose data, and the deploy fails; the usual next step is adding
        `--accept-data-loss` to get it through, which drops the column.
    """,
    trigger="""
        `prisma db push` without `--accept-data-loss`/`--force-reset` (Prisma 8: `db update`)
        in the startup or deploy path, as the way the schema reaches the database. The
        fallback pattern (`migrate deploy` else `db push`) is KD206 instead.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma db push && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Baseline the current schema into a first migration (`prisma migrate diff
        --from-empty --to-schema-datamodel prisma/schema.prisma --script >
        prisma/migrations/0_init/migration.sql`, then `prisma migrate resolve --applied
        0_init` once against production) and switch the start command to
        `prisma migrate deploy`.
    """,
    module=__name__,
)


def check_db_push_strategy(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "db push" or step.context not in STARTUP_CONTEXTS:
            continue
        if step.fallback_kind == "no-migrations":
            continue  # the seed's pattern: KD206
        if step.invocation.force_reset:
            continue  # a reset, not a sync strategy: KD202
        extra: list[Related] = []
        if step.fallback_kind == "on-failure" and step.fallback_for is not None:
            why = (
                "it runs whenever `migrate deploy` fails, so a failed migration is answered by "
                "forcing the schema onto the database"
            )
            extra.append(Related(step.fallback_for, "the `migrate deploy` it stands in for"))
        else:
            why = (
                "the database gets whatever schema the image holds, with no migration history "
                "to review, replay or roll back"
            )
        yield _finding(
            "KD205",
            _sev("KD205"),
            f"`{step.text}` runs {_origin(facts, where, step)} as the migration strategy: {why}",
            step,
            extra,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_db_push_strategy(ctx.fact(startup_paths), ctx.fact(_where))
