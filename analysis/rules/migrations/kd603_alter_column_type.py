"""KD603 alter-column-type: A column's type changes: casts can fail, round or truncate"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD603",
    "alter-column-type",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="a column's type changes (casts can fail or truncate)",
    short="A column's type changes: casts can fail, round or truncate",
    rationale="""
        `ALTER COLUMN ... SET DATA TYPE` rewrites every value. DECIMAL to INTEGER rounds away
        the cents, TIMESTAMP(3) to DATE drops the time, TEXT to INTEGER fails on the first
        non-numeric row and leaves the migration failed (blocking every later deploy with
        P3009). Prisma writes a drop-and-recreate instead when no cast exists, which empties
        the column.
    """,
    trigger="""
        A statement that changes an existing column's type: `ALTER TABLE ... ALTER COLUMN
        ... [SET DATA] TYPE ...` (PostgreSQL), `MODIFY`/`CHANGE` (MySQL), or a Prisma
        "dropped and recreated" column.
    """,
    bad="""
        -- prisma/migrations/20240801090000_price_int/migration.sql
        -- AlterTable
        ALTER TABLE "Product" ALTER COLUMN "price" SET DATA TYPE INTEGER;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240801090000_price_cents/migration.sql
        ALTER TABLE "Product" ADD COLUMN "priceCents" INTEGER;
        UPDATE "Product" SET "priceCents" = ("price" * 100)::INTEGER WHERE "priceCents" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Add a new column, backfill it with an explicit, checked conversion, switch the code,
        then drop the old column later; or add `USING` with a conversion you have tested
        against a copy of production data.
    """,
    module=__name__,
)
