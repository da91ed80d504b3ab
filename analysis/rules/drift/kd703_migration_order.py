"""KD703 migration-order: Migration folders out of order or with duplicate timestamps"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD703",
    "migration-order",
    Severity.MEDIUM,
    area="drift",
    section="migrations",
    checklist=("migration-conflicts-manual",),
    summary="migration folders out of order or with duplicate timestamps",
    short="Migration folders out of order or with duplicate timestamps",
    rationale="""
        Prisma applies migrations in folder-name order. After merging two branches, a
        migration can sort before one it depends on, or two share a timestamp: a fresh
        database (CI, a new environment, a restore) then replays them in a different order
        than production did, and fails on a table that does not exist yet. `migrate dev`
        reports the history as modified and offers to reset the development database.
    """,
    trigger="""
        Migration folders with duplicate timestamps, or out of order: a migration that uses a
        table or column that only a later-named migration creates.
    """,
    bad="""
        $ ls prisma/migrations
        20240501080000_alter_invoice_due_date    # alters "Invoice", created below
        20240612093000_add_coupons               # same timestamp as the next one
        20240612093000_add_invoices
        migration_lock.toml
    """,
    bad_lang="sh",
    good="""
        $ ls prisma/migrations
        20240501080000_init
        20240612093000_add_invoices
        20240612094500_add_coupons
        20240615101500_alter_invoice_due_date
        migration_lock.toml
    """,
    good_lang="sh",
    fix="""
        Rename unapplied migrations to a fresh timestamp after the latest one (only while no
        shared database has applied them), and rebase branches that add migrations onto the
        main branch before merging.
    """,
    module=__name__,
)
