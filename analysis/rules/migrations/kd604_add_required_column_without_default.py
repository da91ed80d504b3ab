"""KD604 add-required-column-without-default: ADD COLUMN ... NOT NULL with no DEFAULT on an existing table"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Location, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _col,
    _created,
    _finding,
    _Items,
    _q,
    _replays,
    migration_items,
)
from analysis.rules.registry import rule

RULE = rule(
    "KD604",
    "add-required-column-without-default",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "required-fields-have-defaults"),
    summary="`ADD COLUMN ... NOT NULL` with no `DEFAULT` on an existing table",
    short="ADD COLUMN ... NOT NULL with no DEFAULT on an existing table",
    rationale="""
        On a table with rows the statement fails: existing rows would have no value. The
        migration stops half-way, `_prisma_migrations` marks it failed and every later deploy
        is blocked (P3009) until someone intervenes, and the interventions that look quickest
        are `migrate reset` or `db push --accept-data-loss`.
    """,
    trigger="""
        `ALTER TABLE ... ADD COLUMN ... NOT NULL` without a `DEFAULT` on a table that existed
        before this migration (not created by it).
    """,
    bad="""
        -- prisma/migrations/20240815100000_add_tenant/migration.sql
        -- AlterTable
        ALTER TABLE "Order" ADD COLUMN "tenantId" TEXT NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240815100000_add_tenant/migration.sql
        ALTER TABLE "Order" ADD COLUMN "tenantId" TEXT;
        UPDATE "Order" SET "tenantId" = 'default' WHERE "tenantId" IS NULL;
        ALTER TABLE "Order" ALTER COLUMN "tenantId" SET NOT NULL;
    """,
    good_lang="sql",
    fix="""
        Add the column nullable, backfill it, then set NOT NULL (in the same migration or a
        later one), or give it a DEFAULT that is correct for existing rows.
    """,
    module=__name__,
)


def add_required_column(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.ADD_COLUMN):
        a = it.action
        if a.kind != K.ADD_COLUMN or a.column_def is None:
            continue
        cd = a.column_def
        if not cd.not_null or cd.default is not None or cd.identity or cd.generated:
            continue
        if it.table_is_new:
            continue
        yield _finding(
            "KD604",
            f"migration {it.migration.name} adds required column {_col(a.table, cd.name)} "
            "with no default to an existing table: it fails on a table that has rows",
            it.loc(),
            _created(it.note.table_created if it.note else None, f"table {_q(a.table)}"),
        )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            for col in rd.added_required:
                yield _finding(
                    "KD604",
                    f"migration {m.name} redefines table {_q(rd.table)} with required column "
                    f"{_q(col)} that the copy does not fill and has no default: it fails on a "
                    "table that has rows",
                    Location(m.path, rd.line),
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return add_required_column(ctx.fact(migration_items))
