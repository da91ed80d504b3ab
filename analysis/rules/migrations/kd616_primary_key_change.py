"""KD616 primary-key-change: An existing table's primary key is dropped or replaced"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD616",
    "primary-key-change",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="an existing table's primary key is dropped or replaced (`DROP CONSTRAINT \"X_pkey\"`, `ADD CONSTRAINT ... PRIMARY KEY`, Prisma's `-- AlterPrimaryKey`): a half-applied change leaves the table without one, and foreign keys that reference it break",
    short="An existing table's primary key is dropped or replaced",
    rationale="""
        Changing a primary key drops the old constraint and builds a new one. If it fails
        half-way (duplicates, NULLs, a lock timeout) the table is left with no primary key;
        foreign keys that reference the old key are dropped with it or break, and references
        that no longer match lose their target.
    """,
    trigger="""
        `ALTER TABLE ... DROP CONSTRAINT "X_pkey"`, `ADD CONSTRAINT ... PRIMARY KEY` on a
        table that existed before this migration, or Prisma's `-- AlterPrimaryKey` step.
    """,
    bad="""
        -- prisma/migrations/20241110090000_uuid_pk/migration.sql
        -- AlterTable
        ALTER TABLE "Order" DROP CONSTRAINT "Order_pkey",
        ADD CONSTRAINT "Order_pkey" PRIMARY KEY ("uuid");
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241110090000_uuid_key/migration.sql
        -- Keep the primary key; add the new identifier as a unique column alongside it.
        ALTER TABLE "Order" ADD COLUMN "publicId" UUID;
        CREATE UNIQUE INDEX "Order_publicId_key" ON "Order"("publicId");
    """,
    good_lang="sql",
    fix="""
        Add the new key as a unique column first, move foreign keys over, and swap the
        primary key in a planned step after verifying there are no duplicates or NULLs.
    """,
    module=__name__,
)
