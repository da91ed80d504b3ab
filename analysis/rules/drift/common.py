"""Rules of the drift area: the schema against the migrations (KD701, KD702), and the order
of the migration folders themselves (KD703)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.drift import PendingChange, pending_changes
from analysis.facts.migrations import migration_histories
from analysis.model import Finding, Location, Related


def _related(change: PendingChange) -> tuple[Related, ...]:
    c = change.created
    if c is None:
        return ()
    return (Related(Location(c.path, c.line), f"created by migration {c.migration}"),)


def schema_not_migrated(ctx: Context) -> Iterator[Finding]:
    """KD701: the schema declares something no migration creates."""
    for pc in ctx.fact(pending_changes):
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


def pending_destructive_change(ctx: Context) -> Iterator[Finding]:
    """KD702: the pending difference would lose data."""
    for pc in ctx.fact(pending_changes):
        for ch in pc.destructive:
            if ch.location is not None:
                loc, related = ch.location, _related(ch)
            elif ch.created is not None:
                # The schema no longer has the thing: point at where it was created.
                loc = Location(ch.created.path, ch.created.line)
                related = (Related(Location(pc.schema, 1), "the schema no longer declares it"),)
            else:
                loc, related = Location(pc.schema, 1), ()
            yield Finding("KD702", BY_ID["KD702"].severity, ch.message, loc, related)


def migration_order(ctx: Context) -> Iterator[Finding]:
    """KD703: duplicate timestamps, folders whose name order is not their time order, and
    migrations that use a table only a later migration creates."""
    sev = BY_ID["KD703"].severity
    for h in ctx.fact(migration_histories):
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
                yield Finding(
                    "KD703",
                    sev,
                    f"migrations {first} and {m.name} share the timestamp {m.timestamp}: their "
                    "order depends on the rest of the name, not on when they were written",
                    loc,
                    (Related(Location(f"{h.folder}/{first}", 1), "the other migration"),),
                )
            else:
                by_ts[m.timestamp] = m.name
                if (
                    prev is not None
                    and prev.timestamp is not None
                    and (
                        len(m.timestamp) != len(prev.timestamp)
                        or (m.date is not None and prev.date is not None and m.date < prev.date)
                    )
                    and int(m.timestamp) < int(prev.timestamp)
                ):
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


CHECKS: tuple[tuple[str, Callable[[Context], Iterable[Finding]]], ...] = (
    ("schema_not_migrated", schema_not_migrated),
    ("pending_destructive_change", pending_destructive_change),
    ("migration_order", migration_order),
)
"""The area's checks, by name, in order."""


def check(ctx: Context) -> Iterator[Finding]:
    """Every check of the area in turn (the pipeline runs them one by one, each behind its
    own error boundary: see `analysis.engine`)."""
    for _name, fn in CHECKS:
        yield from fn(ctx)
