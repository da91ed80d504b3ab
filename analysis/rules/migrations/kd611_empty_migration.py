"""KD611 empty-migration: A migration folder with no or an empty migration.sql"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.migrations import migration_histories
from analysis.model import Finding, Location, Severity
from analysis.rules.migrations.common import _finding
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
        whitespace and comments, or Prisma's `-- This is an empty migration.`. A folder that
        holds a `migration.ts`/`.js` instead belongs to a migration runner of the project's own
        (SQL and code migrations in one folder) and is not reported.
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


CODE_MIGRATIONS = ("migration.ts", "migration.js", "migration.mjs", "migration.cjs")
"""A folder with one of these instead of migration.sql belongs to a migration runner of the
project's own (formbricks runs SQL and TypeScript migrations from one folder), not to Prisma."""


@RULE.check
def empty_migration(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            if not m.has_sql:
                if any(ctx.exists(f"{m.folder}/{n}") for n in CODE_MIGRATIONS):
                    continue  # a data migration of the project's own runner (formbricks)
                yield _finding(
                    "KD611",
                    f"migration folder {m.folder} has no migration.sql: `prisma migrate "
                    "deploy` stops there",
                    Location(m.folder, 1),
                )
            elif m.sql is not None and m.sql.empty:
                what = (
                    "is marked empty (-- This is an empty migration.)"
                    if m.sql.empty_marker
                    else "holds no SQL statement"
                )
                yield _finding(
                    "KD611",
                    f"migration {m.name} {what}: a change meant to be in it is missing",
                    Location(m.path, 1),
                )
