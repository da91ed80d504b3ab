"""KD701 schema-not-migrated: The schema declares something that no migration creates"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
