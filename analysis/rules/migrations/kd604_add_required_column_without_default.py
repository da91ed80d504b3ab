"""KD604 add-required-column-without-default: ADD COLUMN ... NOT NULL with no DEFAULT on an existing table"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD604",
    "add-required-column-without-default",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "required-fields-have-defaults"),
    summary="`ADD COLUMN ... NOT NULL` with no `DEFAULT` on an existing table",
    short="ADD COLUMN ... NOT NULL with no DEFAULT on an existing table",
    rationale="""
        On a table with rows the statement fails: existing rows would have no value. The
        migration stops half-way, `_prisma_migrations` marks it failed and every later deploy
        is blocked (P3009) until someone intervenes, and the interventions that look quickest
        are `migrate reset` or `db push --accept-data-loss`.
    """,
    trigger="""
        `ALTER TABLE ... ADD COLUMN ... NOT NULL` without a `DEFAULT` on a table that existed
        before this migration (not created by it).
    """,
    bad="""
        -- prisma/migrations/20240815100000_add_tenant/migration.sql
        -- AlterTable
        ALTER TABLE "Order" ADD COLUMN "tenantId" TEXT NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240815100000_add_tenant/migration.sql
        ALTER TABLE "Order" ADD COLUMN "tenantId" TEXT;
        UPDATE "Order" SET "tenantId" = 'default' WHERE "tenantId" IS NULL;
        ALTER TABLE "Order" ALTER COLUMN "tenantId" SET NOT NULL;
    """,
    good_lang="sql",
    fix="""
        Add the column nullable, backfill it, then set NOT NULL (in the same migration or a
        later one), or give it a DEFAULT that is correct for existing rows.
    """,
    module=__name__,
)
