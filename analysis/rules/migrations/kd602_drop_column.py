"""KD602 drop-column: ALTER TABLE ... DROP COLUMN: the column's data is deleted"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _col,
    _column_finding,
    _created,
    _Items,
    _q,
    _redefine_finding,
    _redefinitions,
    migration_items,
)
from analysis.rules.registry import rule

RULE = rule(
    "KD602",
    "drop-column",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="`ALTER TABLE ... DROP COLUMN`",
    short="ALTER TABLE ... DROP COLUMN: the column's data is deleted",
    rationale="""
        Dropping a column deletes its value in every row, and rolling the code back does not
        bring it back. Prisma writes DROP COLUMN for a field that was removed or renamed
        without `@map`, so a field rename in the schema becomes a silent loss of that column
        on the next `migrate deploy`. Old replicas still running during a rolling deploy
        fail on the missing column too.
    """,
    trigger="""
        `ALTER TABLE ... DROP COLUMN` in a migration.sql; also a column of a SQLite table
        redefined with `-- RedefineTables` that the `INSERT ... SELECT` does not copy.
    """,
    bad="""
        -- prisma/migrations/20240701120000_cleanup_user/migration.sql
        -- AlterTable
        ALTER TABLE "User" DROP COLUMN "phone";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240701120000_move_phone/migration.sql
        -- Copy the data to its new home first; drop the old column in a later release.
        ALTER TABLE "Contact" ADD COLUMN "phone" TEXT;
        UPDATE "Contact" c SET "phone" = u."phone" FROM "User" u WHERE c."userId" = u."id";
    """,
    good_lang="sql",
    fix="""
        For a rename, keep the column with `@map("old_name")` or edit the migration into
        `RENAME COLUMN`. For a removal, stop using the field first, copy or export the data,
        and drop the column in a later migration after a backup.
    """,
    module=__name__,
)


def drop_column(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.DROP_COLUMN):
        a = it.action
        if a.kind == K.DROP_COLUMN:
            prev = it.note.previous if it.note is not None else None
            typ = f" ({prev.type})" if prev is not None and prev.type else ""
            yield _column_finding(
                "KD602",
                it,
                f"drops column {_col(a.table, a.column)}{typ}: the data in it is lost",
            )
    for m, rd in _redefinitions(items):
        for c in rd.lost_columns:
            yield _redefine_finding(
                "KD602",
                m,
                rd,
                f"(SQLite copy-and-swap) without copying column {_q(c.name)}: the data in it "
                "is lost",
                _created(c.created, f"column {_col(rd.table, c.name)}"),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return drop_column(ctx.fact(migration_items))
