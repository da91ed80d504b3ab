"""KD610 prisma-data-loss-warning: Prisma's own data-loss warning at the top of a migration"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.migrations import migration_histories
from analysis.model import Finding, Location, Severity
from analysis.rules.migrations.common import _finding
from analysis.rules.registry import rule

RULE = rule(
    "KD610",
    "prisma-data-loss-warning",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary='Prisma\'s own warning block at the top of a migration ("All the data in the column will be lost", "without a default value", ...)',
    short="Prisma's own data-loss warning at the top of a migration",
    rationale="""
        When Prisma generates a migration that can lose data it says so in a comment block
        at the top ("All the data in the column will be lost", "without a default value").
        The warning is written once, in a file few people open, and `migrate deploy` applies
        the migration without showing it. Each line is a decision somebody has to make.
    """,
    trigger="""
        Each line of the `Warnings:` block Prisma writes at the top of a migration.sql, one
        finding per line, pointing at that line (data loss warnings and unexecutable steps).
    """,
    bad="""
        /*
          Warnings:

          - You are about to drop the column `bio` on the `Profile` table. All the data in the column will be lost.

        */
        -- AlterTable
        ALTER TABLE "Profile" DROP COLUMN "bio";
    """,
    bad_lang="sql",
    good="""
        -- AlterTable (edited: the field was renamed, not removed)
        ALTER TABLE "Profile" RENAME COLUMN "bio" TO "about";
    """,
    good_lang="sql",
    fix="""
        Read every warning. Edit the migration so that it keeps the data (RENAME instead of
        drop + add, a backfill before NOT NULL, a mapping before an enum change), then delete
        the warning block; or confirm the loss deliberately and suppress with a reason.
    """,
    module=__name__,
)


@RULE.check
def prisma_warning(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            for w in m.warnings:
                yield _finding(
                    "KD610",
                    f"Prisma warned when it wrote migration {m.name}: {w.text}",
                    Location(m.path, w.line),
                )
