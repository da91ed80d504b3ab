"""KD611 empty-migration: A migration folder with no or an empty migration.sql"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD611",
    "empty-migration",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="a migration folder with no or an empty `migration.sql`",
    short="A migration folder with no or an empty migration.sql",
    rationale="""
        An empty migration is usually a `migrate dev --create-only` whose SQL was never
        written: a planned data migration or backfill that did not happen. `migrate deploy`
        records it as applied anyway, so the gap is permanent, and the next migration that
        assumes the backfill ran fails or loses data.
    """,
    trigger="""
        A migration folder without `migration.sql`, or whose `migration.sql` is empty, only
        whitespace and comments, or Prisma's `-- This is an empty migration.`.
    """,
    bad="""
        -- prisma/migrations/20241010090000_backfill_slugs/migration.sql
        -- This is an empty migration.
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241010090000_backfill_slugs/migration.sql
        UPDATE "Post" SET "slug" = lower(regexp_replace("title", '[^a-zA-Z0-9]+', '-', 'g'))
        WHERE "slug" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Write the intended SQL before the migration is deployed, or delete the folder if it
        was created by mistake (only while no database has applied it).
    """,
    module=__name__,
)
