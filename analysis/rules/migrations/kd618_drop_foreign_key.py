"""KD618 drop-foreign-key: A foreign key is dropped and not re-created on the same columns"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD618",
    "drop-foreign-key",
    Severity.LOW,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="a foreign key is dropped and not re-created on the same columns in the same migration: orphan rows can build up from then on",
    short="A foreign key is dropped and not re-created on the same columns",
    rationale="""
        Without the foreign key the database no longer stops deletes of referenced rows or
        inserts of dangling references. Orphans build up from then on, and the cascades the
        schema still shows no longer happen outside of Prisma Client.
    """,
    trigger="""
        `ALTER TABLE ... DROP CONSTRAINT` of a foreign key (or `-- DropForeignKey`) with no
        `ADD CONSTRAINT ... FOREIGN KEY` on the same table and columns later in the same
        migration.
    """,
    bad="""
        -- prisma/migrations/20241120100000_loosen_orders/migration.sql
        -- DropForeignKey
        ALTER TABLE "Order" DROP CONSTRAINT "Order_userId_fkey";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241120100000_orders_restrict/migration.sql
        -- DropForeignKey
        ALTER TABLE "Order" DROP CONSTRAINT "Order_userId_fkey";
        -- AddForeignKey
        ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId")
          REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
    """,
    good_lang="sql",
    fix="""
        Re-create the foreign key (with the referential action you want) in the same
        migration, or, if the relation is really gone, remove the column too.
    """,
    module=__name__,
)
