"""KD617 constraint-on-existing-rows: CHECK/FOREIGN KEY/EXCLUDE added to an existing table without NOT VALID"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD617",
    "constraint-on-existing-rows",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="`ADD CONSTRAINT ... CHECK`/`FOREIGN KEY`/`EXCLUDE` on a table that existed before this migration, without `NOT VALID`: any existing row that violates it makes `migrate deploy` fail half-way",
    short="CHECK/FOREIGN KEY/EXCLUDE added to an existing table without NOT VALID",
    rationale="""
        Adding a constraint validates every existing row. A single violating row (an orphan,
        a negative amount from years ago) makes `migrate deploy` fail half-way through the
        migration, and the pressure to unblock the deploy leads to deleting the rows that
        "violate" it.
    """,
    trigger="""
        `ALTER TABLE ... ADD CONSTRAINT ... CHECK`, `FOREIGN KEY` or `EXCLUDE` on a table that
        existed before this migration, without `NOT VALID`.
    """,
    bad="""
        -- prisma/migrations/20241115100000_positive_amounts/migration.sql
        ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_check" CHECK ("amount" >= 0);
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241115100000_positive_amounts/migration.sql
        ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_check" CHECK ("amount" >= 0) NOT VALID;
        -- later, after reviewing the violating rows:
        -- ALTER TABLE "Payment" VALIDATE CONSTRAINT "Payment_amount_check";
    """,
    good_lang="sql",
    fix="""
        Add the constraint `NOT VALID` (new rows are checked at once), review and fix the
        existing violators deliberately, then `VALIDATE CONSTRAINT` in a later migration.
    """,
    module=__name__,
)
