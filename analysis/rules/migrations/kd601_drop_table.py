"""KD601 drop-table: DROP TABLE in a migration: every row of the table is deleted"""

from __future__ import annotations

from analysis.model import Severity
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
