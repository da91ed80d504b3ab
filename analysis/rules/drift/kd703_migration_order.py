"""KD703 migration-order: Migration folders out of order or with duplicate timestamps"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.named import NAMED_FACTS
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.registry import Examples, rule

if TYPE_CHECKING:
    from analysis.facts.migrations import Migration

# -- example trees --
_INVOICES = """\
-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL,
    "dueDate" TIMESTAMP(3),
    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);
"""
_COUPONS = """\
-- CreateTable
CREATE TABLE "Coupon" (
    "code" TEXT NOT NULL,
    CONSTRAINT "Coupon_pkey" PRIMARY KEY ("code")
);
"""
_ALTER = """\
-- AlterTable
ALTER TABLE "Invoice" ALTER COLUMN "dueDate" SET NOT NULL;
"""
# --

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
        table or column that only a later-named migration creates. A shared timestamp alone,
        where the replay finds no table that one of the two uses before the other creates it,
        is low (name order is a fixed order).
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
    examples=Examples(
        files={
            "prisma/migrations": None,
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        },
        bad={
            "prisma/migrations/20240501080000_alter_invoice_due_date/migration.sql": _ALTER,
            "prisma/migrations/20240612093000_add_coupons/migration.sql": _COUPONS,
            "prisma/migrations/20240612093000_add_invoices/migration.sql": _INVOICES,
        },
        good={
            "prisma/migrations/20240612093000_add_invoices/migration.sql": _INVOICES,
            "prisma/migrations/20240612094500_add_coupons/migration.sql": _COUPONS,
            "prisma/migrations/20240615101500_alter_invoice_due_date/migration.sql": _ALTER,
        },
    ),
    module=__name__,
)


def _date_like(stamp: str) -> bool:
    """`20250625` or `20250604085536`: a calendar date first (year, month, day)."""
    return (
        len(stamp) >= 8
        and stamp[:2] in ("19", "20")
        and 1 <= int(stamp[4:6]) <= 12
        and 1 <= int(stamp[6:8]) <= 31
    )


def _earlier(m: Migration, prev: Migration) -> bool:
    """`m`, named after `prev`, was written before it. Two dates of different precision
    (`20250625_...` after `20250604085536_...`) compare as dates: the shorter one names
    of its day (or hour), not a smaller number, so they compare at the shorter precision (the
    same day is not earlier). Sequence numbers (`9_x` after `10_y`) compare as numbers."""
    a, b = m.timestamp or "", prev.timestamp or ""
    if _date_like(a) and _date_like(b):
        width = min(len(a), len(b))
        return a[:width] < b[:width]
    if len(a) == len(b) and not (m.date is not None and prev.date is not None):
        return False
    return int(a) < int(b)


@RULE.check
def migration_order(ctx: Context) -> Iterator[Finding]:
    """KD703: duplicate timestamps, folders whose name order is not their time order, and
    migrations that use a table only a later migration creates."""
    sev = BY_ID["KD703"].severity
    for h in ctx.fact(NAMED_FACTS["migrations"]):  # no migrations: no SQL parser imported
        by_ts: dict[str, str] = {}
        prev = None
        for m in h.migrations:
            loc = Location(m.path if m.has_sql else m.folder, 1)
            if m.timestamp is None:
                yield Finding(
                    "KD703",
                    sev,
                    f"migration folder {m.name} does not start with a timestamp: Prisma applies "
                    "folders in name order, so its place in the history is accidental",
                    loc,
                )
            elif m.timestamp in by_ts:
                first = by_ts[m.timestamp]
                # name order is a fixed order; where one of the two needs the other (a table
                # used before it is created) the replay below reports it at full severity
                yield Finding(
                    "KD703",
                    Severity.LOW,
                    f"migrations {first} and {m.name} share the timestamp {m.timestamp}: their "
                    "order depends on the rest of the name, not on when they were written "
                    "(the replay finds no table that one uses before the other creates it: "
                    "low; check the order is the intended one)",
                    loc,
                    (Related(Location(f"{h.folder}/{first}", 1), "the other migration"),),
                )
            else:
                by_ts[m.timestamp] = m.name
                if prev is not None and prev.timestamp is not None and _earlier(m, prev):
                    yield Finding(
                        "KD703",
                        sev,
                        f"migration {m.name} sorts after {prev.name} but its timestamp is "
                        "earlier: Prisma applies folders in name order",
                        loc,
                    )
            prev = m
        created_at: dict[str, int] = {}
        for i, r in enumerate(h.replays):
            for t in r.created_tables:
                created_at.setdefault(t, i)
        for i, (m, r) in enumerate(zip(h.migrations, h.replays, strict=True)):
            reported: set[str] = set()
            for table, line in r.unknown_tables:
                j = created_at.get(table)
                if j is None or j <= i or table in reported:
                    continue
                reported.add(table)
                later = h.migrations[j]
                yield Finding(
                    "KD703",
                    sev,
                    f'migration {m.name} uses table "{table}", which only the later migration '
                    f"{later.name} creates: the folders are out of order and `migrate deploy` "
                    "fails on a fresh database",
                    Location(m.path, line),
                    (Related(Location(later.path, 1), f"migration {later.name}"),),
                )
