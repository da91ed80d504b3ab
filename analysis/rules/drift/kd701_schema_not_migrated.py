"""KD701 schema-not-migrated: The schema declares something that no migration creates"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.named import NAMED_FACTS
from analysis.model import Finding, Location, Severity
from analysis.rules.drift.common import _related
from analysis.rules.example_files import schema
from analysis.rules.registry import Examples, rule

# -- example trees --
_LOCK = "prisma/migrations/migration_lock.toml"
_CUSTOMER = """\
model Customer {
  id    String  @id @default(cuid())
  email String  @unique
  vatId String?
}
"""
_CREATE = """\
-- CreateTable
CREATE TABLE "Customer" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
"""
_ADD_VAT_ID = """\
-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "vatId" TEXT;
"""
# --

RULE = rule(
    "KD701",
    "schema-not-migrated",
    Severity.MEDIUM,
    area="drift",
    section="schema",
    checklist=("schema-changes-need-migrations",),
    summary="the schema declares something that no migration creates: the next `migrate dev` will write it, `migrate deploy` will not apply it",
    short="The schema declares something that no migration creates",
    rationale="""
        A field or model added to schema.prisma without running `migrate dev` exists in the
        client but not in the database of any environment that uses `migrate deploy`.
        Queries fail on the missing column (P2022), and the shortcut people take is
        `db push` on production, after which the migration history no longer matches and
        the next `migrate dev` wants to reset.
    """,
    trigger="""
        Replaying the migrations' SQL in order gives a database model that lacks something
        the schema declares: a table, column, enum or enum value, index or unique constraint
        (respecting `@map`, `@@map`, `@db.*` and implicit many-to-many tables).
    """,
    bad="""
        model Customer {
          id      String  @id @default(cuid())
          email   String  @unique
          vatId   String? // added, but no migration was created
        }
    """,
    bad_lang="prisma",
    good="""
        $ npx prisma migrate dev --name add_customer_vat_id
        Applying migration `20241215093000_add_customer_vat_id`
        $ git add prisma/migrations/20241215093000_add_customer_vat_id prisma/schema.prisma
    """,
    good_lang="sh",
    fix="""
        Run `prisma migrate dev --name <change>` against a development database and commit
        the migration together with the schema change.
    """,
    examples=Examples(
        files={
            "prisma/migrations": None,
            "prisma/schema.prisma": schema(_CUSTOMER),
            _LOCK: 'provider = "postgresql"\n',
            "prisma/migrations/20241201000000_customers/migration.sql": _CREATE,
        },
        good={
            "prisma/migrations/20241215093000_add_customer_vat_id/migration.sql": _ADD_VAT_ID,
        },
    ),
    module=__name__,
)


@RULE.check
def schema_not_migrated(ctx: Context) -> Iterator[Finding]:
    """KD701: the schema declares something no migration creates."""
    for pc in ctx.fact(NAMED_FACTS["pending"]):  # no schema: not even imported
        for ch in pc.additions:
            loc = ch.location or Location(pc.schema, 1)
            yield Finding(
                "KD701",
                BY_ID["KD701"].severity,
                f"{ch.message}: the next `prisma migrate dev` writes it, `migrate deploy` does "
                "not apply it",
                loc,
                _related(ch),
            )
