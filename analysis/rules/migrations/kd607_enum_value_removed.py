"""KD607 enum-value-removed: An enum loses a value: rows still holding it break the migration"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
