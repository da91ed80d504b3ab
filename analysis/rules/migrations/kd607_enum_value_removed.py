"""KD607 enum-value-removed: An enum loses a value: rows still holding it break the migration"""

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
from analysis.rules.registry import Examples, rule

# -- example trees --
_INIT = "prisma/migrations/20240901000000_orders/migration.sql"
_ORDERS = """\
-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'PAID', 'SHIPPED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "status" "OrderStatus" NOT NULL DEFAULT 'PENDING',
    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);
"""
# --

RULE = rule(
    "KD607",
    "enum-value-removed",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="an enum loses a value (Prisma recreates the type; rows holding the value break)",
    short="An enum loses a value: rows still holding it break the migration",
    rationale="""
        Prisma removes an enum value by creating a new type, casting the column to it and
        dropping the old type. Any row that still holds the removed value makes the cast fail,
        leaving a failed migration; if someone "fixes" it by deleting those rows or casting
        them to another value, the information they held is gone.
    """,
    trigger="""
        An enum change that removes a value: Prisma's `CREATE TYPE "E_new" ...` +
        `ALTER COLUMN ... TYPE "E_new" USING ...` + rename + `DROP TYPE "E_old"` sequence with
        fewer values, or MySQL's `ENUM(...)` column redefinition without a value. One finding
        per enum change (not also a rename, drop or transaction finding).
    """,
    bad="""
        -- prisma/migrations/20240910150000_drop_pending/migration.sql
        BEGIN;
        CREATE TYPE "OrderStatus_new" AS ENUM ('PAID', 'SHIPPED', 'CANCELLED');
        ALTER TABLE "Order" ALTER COLUMN "status" TYPE "OrderStatus_new"
          USING ("status"::text::"OrderStatus_new");
        ALTER TYPE "OrderStatus" RENAME TO "OrderStatus_old";
        ALTER TYPE "OrderStatus_new" RENAME TO "OrderStatus";
        DROP TYPE "OrderStatus_old";
        COMMIT;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240910150000_drop_pending/migration.sql
        -- Move the rows off the value first, recorded in the migration.
        UPDATE "Order" SET "status" = 'CANCELLED' WHERE "status" = 'PENDING';
        BEGIN;
        -- keepdata-ignore KD607: PENDING rows are moved to CANCELLED above
        CREATE TYPE "OrderStatus_new" AS ENUM ('PAID', 'SHIPPED', 'CANCELLED');
        ALTER TABLE "Order" ALTER COLUMN "status" TYPE "OrderStatus_new"
          USING ("status"::text::"OrderStatus_new");
        ALTER TYPE "OrderStatus" RENAME TO "OrderStatus_old";
        ALTER TYPE "OrderStatus_new" RENAME TO "OrderStatus";
        DROP TYPE "OrderStatus_old";
        COMMIT;
    """,
    good_lang="sql",
    fix="""
        Map the rows that use the value to another value with an UPDATE before the type
        change (and decide with the product owner what that value should be); keep the value
        in the enum if old rows must stay as they are.
    """,
    examples=Examples(files={_INIT: _ORDERS}),
    module=__name__,
)


def enum_value_removed(items: _Items) -> Iterator[Finding]:
    for _, m, r in _replays(items):
        for ch in r.enum_changes:
            if not ch.removed:
                continue
            cols = f" (columns {', '.join(ch.columns)})" if ch.columns else ""
            yield _finding(
                "KD607",
                f"migration {m.name} recreates enum {_q(ch.enum)} without "
                f"{', '.join(ch.removed)}{cols}: rows holding "
                f"{'that value' if len(ch.removed) == 1 else 'those values'} make it fail",
                Location(m.path, ch.line),
            )
    for it in items.of(K.MODIFY_COLUMN):
        a = it.action
        prev = it.note.previous if it.note is not None else None
        if a.kind in (K.MODIFY_COLUMN,) and prev is not None and a.column_def is not None:
            removed = [v for v in prev.enum_values if v not in a.column_def.enum_values]
            if prev.enum_values and a.column_def.type == "ENUM" and removed:
                yield _finding(
                    "KD607",
                    f"migration {it.migration.name} redefines the ENUM of "
                    f"{_col(a.table, a.column)} without {', '.join(removed)}: rows holding "
                    f"{'that value' if len(removed) == 1 else 'those values'} fail or are blanked",
                    it.loc(),
                    _created(prev.created, f"column {_col(a.table, a.column)}"),
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return enum_value_removed(ctx.fact(migration_items))
