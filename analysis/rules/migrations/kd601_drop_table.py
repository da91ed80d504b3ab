"""KD601 drop-table: DROP TABLE in a migration: every row of the table is deleted"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _created, _finding, _Items, _q, migration_items
from analysis.rules.registry import rule

RULE = rule(
    "KD601",
    "drop-table",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="`DROP TABLE` (not the SQLite copy-and-swap that Prisma writes to redefine a table)",
    short="DROP TABLE in a migration: every row of the table is deleted",
    rationale="""
        `migrate deploy` runs the migration against production without asking. A dropped table
        is gone with all its rows; getting it back means restoring a backup and losing
        everything written since. Prisma writes DROP TABLE for a model that was deleted or
        renamed without `@@map`, so a refactor that only meant to rename can delete a table.
    """,
    trigger="""
        A `DROP TABLE` statement in a migration.sql, except the SQLite copy-and-swap that
        Prisma writes to redefine a table (`-- RedefineTables`: `CREATE TABLE "new_X"`,
        `INSERT INTO "new_X" ... SELECT ... FROM "X"`, `DROP TABLE "X"`, rename).
    """,
    bad="""
        -- prisma/migrations/20240612093000_remove_coupons/migration.sql
        -- DropTable
        DROP TABLE "Coupon";
    """,
    bad_lang="sql",
    good="""
        // schema.prisma: the model was renamed; its table keeps its name and its rows
        model Voucher {
          id   String @id
          code String @unique

          @@map("Coupon")
        }
    """,
    good_lang="prisma",
    fix="""
        If the model was renamed, keep the table with `@@map("OldName")`. If it is really
        obsolete, archive it (rename or export) first and drop it in a later migration after
        a backup; review the migration before merging.
    """,
    module=__name__,
)


def drop_table(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.DROP_TABLE):
        a = it.action
        if a.kind != K.DROP_TABLE or it.pattern == "redefine":
            continue
        msg = f"migration {it.migration.name} drops table {_q(a.table)}: every row in it is lost"
        reached = it.note.reached if it.note is not None else ()
        if reached:
            msg += f" (tables that reference it: {', '.join(_q(t) for t in reached)})"
        yield _finding(
            "KD601",
            msg,
            it.loc(),
            _created(it.note.table_created if it.note else None, f"table {_q(a.table)}"),
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return drop_table(ctx.fact(migration_items))
