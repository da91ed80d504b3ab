"""KD605 set-not-null: ALTER COLUMN ... SET NOT NULL on an existing column"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _col,
    _column_finding,
    _Items,
    _q,
    _redefine_finding,
    _redefinitions,
    migration_items,
)
from analysis.rules.registry import rule

RULE = rule(
    "KD605",
    "set-not-null",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "required-fields-have-defaults"),
    summary="`ALTER COLUMN ... SET NOT NULL` on an existing column",
    short="ALTER COLUMN ... SET NOT NULL on an existing column",
    rationale="""
        If any row holds NULL the statement fails and the migration is left failed, blocking
        later deploys until it is resolved by hand. Prisma writes this when an optional field
        becomes required; whether production has NULLs is exactly what the schema diff
        cannot know.
    """,
    trigger="""
        `ALTER TABLE ... ALTER COLUMN ... SET NOT NULL` (MySQL: a `MODIFY` that adds `NOT
        NULL`) on a column that existed before this migration; also a SQLite redefinition
        that copies a nullable column into a required one.
    """,
    bad="""
        -- prisma/migrations/20240820080000_require_country/migration.sql
        -- AlterTable
        ALTER TABLE "Address" ALTER COLUMN "country" SET NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240820080000_require_country/migration.sql
        UPDATE "Address" SET "country" = 'DE' WHERE "country" IS NULL;
        -- keepdata-ignore KD605: NULLs are backfilled by the UPDATE above
        ALTER TABLE "Address" ALTER COLUMN "country" SET NOT NULL;
    """,
    good_lang="sql",
    fix="""
        Backfill NULLs in the same migration before SET NOT NULL (check first with
        `SELECT count(*) ... WHERE col IS NULL` against production), then record the review
        with a `keepdata-ignore KD605` comment that says how the NULLs are handled.
    """,
    module=__name__,
)


def set_not_null(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.SET_NOT_NULL, K.MODIFY_COLUMN):
        a = it.action
        note = it.note
        if note is None or note.table_is_new or note.column_is_new:
            continue
        prev = note.previous
        if a.kind == K.SET_NOT_NULL or (
            a.kind == K.MODIFY_COLUMN
            and prev is not None
            and not prev.not_null
            and a.column_def is not None
            and a.column_def.not_null
        ):
            if a.kind == K.SET_NOT_NULL and prev is not None and prev.not_null:
                continue
            yield _column_finding(
                "KD605",
                it,
                f"makes {_col(a.table, a.column)} required: it fails if any row holds NULL there",
            )
    for m, rd in _redefinitions(items):
        for col in rd.made_required:
            yield _redefine_finding(
                "KD605",
                m,
                rd,
                f"and makes column {_q(col)} required, copying it as is: it fails if any row "
                "holds NULL",
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return set_not_null(ctx.fact(migration_items))
