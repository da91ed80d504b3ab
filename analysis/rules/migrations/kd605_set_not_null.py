"""KD605 set-not-null: ALTER COLUMN ... SET NOT NULL on an existing column"""

from __future__ import annotations

from analysis.model import Severity
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
