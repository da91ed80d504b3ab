"""KD621 sqlite-redefine-with-referential-actions: SQLite table redefinition on D1/libSQL: the swap cascades into child rows"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD621",
    "sqlite-redefine-with-referential-actions",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "cascades-intentional"),
    summary="a SQLite `-- RedefineTables` copy-and-swap of a table that other tables reference with `onDelete: Cascade` or `SetNull` (explicit, or the SetNull default of optional relations), in a project that runs its migrations where foreign keys stay enforced during the swap: Cloudflare D1 (`wrangler.toml`/`wrangler.jsonc` with `d1_databases`, `@prisma/adapter-d1`) or libSQL/Turso (`libsql://` URLs, `@prisma/adapter-libsql`). There `PRAGMA foreign_keys=OFF` does nothing inside the transaction, so dropping the old table deletes or nulls the children. Info on plain SQLite, where Prisma's pragmas turn the checks off for the swap",
    short="SQLite table redefinition on D1/libSQL: the swap cascades into child rows",
    rationale="""
        To change a SQLite table Prisma copies it to `new_X`, drops `X` and renames the copy,
        relying on `PRAGMA foreign_keys=OFF`. Cloudflare D1 and libSQL/Turso run the
        migration inside a transaction where that pragma does nothing, so `DROP TABLE "X"`
        fires the foreign key actions: every child with `onDelete: Cascade` is deleted and
        every child with SetNull loses its reference, in production, by a migration that
        only added a column.
    """,
    trigger="""
        A `-- RedefineTables` copy-and-swap of a table that other tables reference with
        `onDelete: Cascade` or `SetNull` (explicit, or the SetNull default of optional
        relations), in a project that runs migrations on Cloudflare D1 (wrangler
        `d1_databases`, `@prisma/adapter-d1`) or libSQL/Turso (`libsql://` URLs,
        `@prisma/adapter-libsql`). Info on plain SQLite, where the pragma works.
    """,
    bad="""
        -- prisma/migrations/20241201100000_user_nickname/migration.sql
        PRAGMA defer_foreign_keys=ON;
        PRAGMA foreign_keys=OFF;
        CREATE TABLE "new_User" ("id" TEXT NOT NULL PRIMARY KEY, "email" TEXT NOT NULL,
          "nickname" TEXT NOT NULL DEFAULT '');
        INSERT INTO "new_User" ("id", "email") SELECT "id", "email" FROM "User";
        DROP TABLE "User";
        ALTER TABLE "new_User" RENAME TO "User";
        PRAGMA foreign_keys=ON;
        PRAGMA defer_foreign_keys=OFF;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241201100000_user_nickname/migration.sql
        -- An ADD COLUMN needs no table swap, so no child rows are touched.
        ALTER TABLE "User" ADD COLUMN "nickname" TEXT NOT NULL DEFAULT '';
    """,
    good_lang="sql",
    fix="""
        Rewrite the migration so the referenced table is not redefined (`ALTER TABLE ... ADD
        COLUMN`/`RENAME COLUMN` where SQLite allows it). Where a swap is unavoidable, copy the
        children aside and restore them after the swap, and test the migration on a D1/Turso
        copy with data.
    """,
    module=__name__,
)
