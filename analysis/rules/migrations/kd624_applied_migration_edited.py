"""KD624 applied-migration-edited: A migration that was already applied has been edited"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import Examples, rule

RULE = rule(
    "KD624",
    "applied-migration-edited",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="a migration that exists at the base revision (see Grading) has different content now: Prisma stores a checksum per applied migration, so `migrate dev` asks to reset the database and `migrate deploy` warns that the applied migration was modified while the database keeps the old version; name the first changed line and suggest a new migration instead",
    short="A migration that was already applied has been edited",
    rationale="""
        Prisma records a checksum of every migration it applies. Once a migration exists at
        the base revision it has run on the team's and production's databases; editing it
        changes nothing there (the database keeps what the old text did), while `migrate
        dev` sees the checksum mismatch and asks to reset the development database, and
        `migrate deploy` warns that an applied migration was modified. New environments
        replay the edited text, so they end up with a different schema than production.
    """,
    trigger="""
        A `migration.sql` that exists at the base revision (`--base`, by default the
        merge-base of HEAD with the default branch) has other content in the work tree;
        the finding points at the first changed line.
    """,
    bad="""
        -- prisma/migrations/20240101000000_init/migration.sql, applied on main, now edited:
        CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT NOT NULL, "name" TEXT);
    """,
    bad_lang="sql",
    good="""
        -- the applied migration is left as it was; the change is a new migration:
        -- prisma/migrations/20240301000000_add_user_name/migration.sql
        ALTER TABLE "User" ADD COLUMN "name" TEXT;
    """,
    good_lang="sql",
    fix="""
        Restore the applied migration (`git checkout <base> -- prisma/migrations/<name>`) and
        put the change in a new migration (`prisma migrate dev --name ...`). If the edit only
        fixes a migration that failed everywhere, mark it with `migrate resolve` instead.
    """,
    examples=Examples(
        skip="needs a git base revision: the grading pass reports it (analysis/grading/history.py; tests/grading/test_grading_history.py)"
    ),
    module=__name__,
)
