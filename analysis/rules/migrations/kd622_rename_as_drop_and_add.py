"""KD622 rename-as-drop-and-add: A column (or table) is dropped and a similar one added: a rename that loses data"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD622",
    "rename-as-drop-and-add",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="one migration drops a column (or table) and adds one of the same type (or same columns) to the same table: almost always a rename that Prisma wrote as drop + add, which loses the data; name both and suggest editing the migration into a `RENAME`",
    short="A column (or table) is dropped and a similar one added: a rename that loses data",
    rationale="""
        Prisma cannot tell a rename from a removal plus an addition, so renaming `name` to
        `fullName` in the schema produces `DROP COLUMN "name"` and `ADD COLUMN "fullName"`.
        The migration looks like a harmless refactor and deletes every value of the column;
        the new one starts empty (or with the default).
    """,
    trigger="""
        One migration that drops a column and adds a column of the same type to the same
        table, or drops a table and creates one with the same columns. Both statements are
        named; the suggestion is a RENAME.
    """,
    bad="""
        -- prisma/migrations/20241210100000_rename_name/migration.sql
        -- AlterTable
        ALTER TABLE "User" DROP COLUMN "name",
        ADD COLUMN     "fullName" TEXT;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241210100000_rename_name/migration.sql
        -- AlterTable (edited: keep the data)
        ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
    """,
    good_lang="sql",
    fix="""
        Edit the generated migration into `RENAME COLUMN`/`RENAME TO` before it is applied
        anywhere (`migrate dev --create-only`, edit, then `migrate dev`), or keep the old
        database name with `@map("name")`.
    """,
    module=__name__,
)
