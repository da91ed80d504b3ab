"""KD608 bulk-delete: TRUNCATE, DELETE without WHERE, DROP SCHEMA or DROP DATABASE in a migration"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD608",
    "bulk-delete",
    Severity.CRITICAL,
    area="migrations",
    section="migrations",
    checklist=(
        "migrations-preserve-data",
        "no-automatic-data-loss",
        "no-destructive-without-warning",
    ),
    summary="`TRUNCATE` (name `TRUNCATE ... CASCADE` and the tables it reaches), `DELETE` without `WHERE`, `DROP SCHEMA`, `DROP DATABASE`",
    short="TRUNCATE, DELETE without WHERE, DROP SCHEMA or DROP DATABASE in a migration",
    rationale="""
        These statements empty tables or remove whole schemas, and in a migration they run
        on every environment `migrate deploy` reaches, production included. Usually they were
        written to clean a development database and committed by accident. `TRUNCATE ...
        CASCADE` also empties every table that references the named one.
    """,
    trigger="""
        In a migration.sql: `TRUNCATE` (naming, for `CASCADE`, the tables it reaches through
        foreign keys), `DELETE FROM` without `WHERE`, `DROP SCHEMA`, or `DROP DATABASE`.
    """,
    bad="""
        -- prisma/migrations/20240920090000_add_user_locale/migration.sql
        ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
        -- clean local test data
        TRUNCATE TABLE "User" CASCADE;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240920090000_add_user_locale/migration.sql
        ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
    """,
    good_lang="sql",
    fix="""
        Remove the statement from the migration. Data clean-ups belong in a reviewed,
        targeted statement (with WHERE) or an operational script run once, after a backup.
    """,
    module=__name__,
)
