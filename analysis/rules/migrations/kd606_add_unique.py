"""KD606 add-unique: A unique index or constraint is added to an existing table"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD606",
    "add-unique",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "unique-constraints-safe"),
    summary="a unique index/constraint on an existing table (fails on duplicates)",
    short="A unique index or constraint is added to an existing table",
    rationale="""
        If production holds duplicates, the index creation fails and the migration is left
        failed. The pressure to unblock deploys then leads to deleting "duplicates" by hand,
        which usually deletes real records (two customers sharing an email, a re-submitted
        order) chosen by whatever query was quickest to write.
    """,
    trigger="""
        `CREATE UNIQUE INDEX` or `ADD CONSTRAINT ... UNIQUE` on a table that existed before
        this migration, unless every column it covers was added (nullable) in this migration,
        so existing rows hold NULLs, which never collide.
    """,
    bad="""
        -- prisma/migrations/20240901110000_unique_email/migration.sql
        -- CreateIndex
        CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240901110000_unique_email/migration.sql
        -- Duplicates merged in 20240825000000_merge_customers; production checked 2024-08-30.
        -- keepdata-ignore KD606: no duplicate emails left (GROUP BY ... HAVING gives 0 rows)
        CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
    """,
    good_lang="sql",
    fix="""
        Check for duplicates in production before merging (`SELECT email, count(*) ... GROUP
        BY 1 HAVING count(*) > 1`), resolve them deliberately in an earlier migration or
        script, then add the constraint and record the check in a `keepdata-ignore KD606`
        reason.
    """,
    module=__name__,
)
