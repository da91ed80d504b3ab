"""KD609 rename: A table, column, enum value or schema is renamed"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD609",
    "rename",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="a table, column, enum value (`ALTER TYPE ... RENAME VALUE`) or schema rename (running code still uses the old name)",
    short="A table, column, enum value or schema is renamed",
    rationale="""
        A rename keeps the data, but the running code still uses the old name. During a
        rolling deploy (and for a rollback) the old version fails on every query that
        touches the renamed object, and writes made in that window are lost as errors.
    """,
    trigger="""
        `ALTER TABLE ... RENAME TO`, `RENAME COLUMN`, `ALTER TYPE ... RENAME VALUE`, or
        `ALTER SCHEMA ... RENAME TO` in a migration (not Prisma's own enum-swap renames of
        `E_new`/`E_old`, which are part of KD607's sequence).
    """,
    bad="""
        -- prisma/migrations/20241001100000_rename_fullname/migration.sql
        ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
    """,
    bad_lang="sql",
    good="""
        // schema.prisma: rename in code only, keep the column's name
        model User {
          id       String @id
          fullName String @map("name")
        }
    """,
    good_lang="prisma",
    fix="""
        Rename in the schema only with `@map`/`@@map`, or do it in steps: add the new name,
        write both, switch reads, drop the old name in a later release.
    """,
    module=__name__,
)
