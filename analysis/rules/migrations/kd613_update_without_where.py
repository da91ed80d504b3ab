"""KD613 update-without-where: UPDATE without WHERE in a migration: every row is overwritten"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD613",
    "update-without-where",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="`UPDATE` with no `WHERE`",
    short="UPDATE without WHERE in a migration: every row is overwritten",
    rationale="""
        An UPDATE without WHERE replaces the column's value in every row. In a migration it
        runs on production at deploy time, and the previous values are gone unless restored
        from a backup; often the WHERE was lost while editing.
    """,
    trigger="A top-level `UPDATE ... SET ...` statement with no `WHERE` clause in a migration.sql.",
    bad="""
        -- prisma/migrations/20241020100000_default_currency/migration.sql
        UPDATE "Order" SET "currency" = 'EUR';
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241020100000_default_currency/migration.sql
        UPDATE "Order" SET "currency" = 'EUR' WHERE "currency" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Add the WHERE that limits the update to the rows meant (usually `WHERE col IS NULL`
        for a backfill); if every row really must change, suppress with a reason.
    """,
    module=__name__,
)
