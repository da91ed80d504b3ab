"""KD616 primary-key-change: An existing table's primary key is dropped or replaced"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Location, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _created,
    _finding,
    _Items,
    _q,
    _replays,
    migration_items,
)
from analysis.rules.registry import rule

RULE = rule(
    "KD616",
    "primary-key-change",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="an existing table's primary key is dropped or replaced (`DROP CONSTRAINT \"X_pkey\"`, `ADD CONSTRAINT ... PRIMARY KEY`, Prisma's `-- AlterPrimaryKey`): a half-applied change leaves the table without one, and foreign keys that reference it break",
    short="An existing table's primary key is dropped or replaced",
    rationale="""
        Changing a primary key drops the old constraint and builds a new one. If it fails
        half-way (duplicates, NULLs, a lock timeout) the table is left with no primary key;
        foreign keys that reference the old key are dropped with it or break, and references
        that no longer match lose their target.
    """,
    trigger="""
        `ALTER TABLE ... DROP CONSTRAINT "X_pkey"`, `ADD CONSTRAINT ... PRIMARY KEY` on a
        table that existed before this migration, or Prisma's `-- AlterPrimaryKey` step.
    """,
    bad="""
        -- prisma/migrations/20241110090000_uuid_pk/migration.sql
        -- AlterTable
        ALTER TABLE "Order" DROP CONSTRAINT "Order_pkey",
        ADD CONSTRAINT "Order_pkey" PRIMARY KEY ("uuid");
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241110090000_uuid_key/migration.sql
        -- Keep the primary key; add the new identifier as a unique column alongside it.
        ALTER TABLE "Order" ADD COLUMN "publicId" UUID;
        CREATE UNIQUE INDEX "Order_publicId_key" ON "Order"("publicId");
    """,
    good_lang="sql",
    fix="""
        Add the new key as a unique column first, move foreign keys over, and swap the
        primary key in a planned step after verifying there are no duplicates or NULLs.
    """,
    module=__name__,
)


def primary_key_change(items: _Items) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for it in items.of(K.DROP_CONSTRAINT, K.DROP_PRIMARY_KEY, K.ADD_CONSTRAINT):
        a = it.action
        note = it.note
        key = (it.migration.path, a.table or "")
        if key in seen or it.table_is_new:
            continue
        hit = False
        if (
            a.kind == K.DROP_CONSTRAINT and note is not None and note.dropped == "primary key"
        ) or a.kind == K.DROP_PRIMARY_KEY:
            hit = True
        elif a.kind == K.ADD_CONSTRAINT and a.constraint is not None:
            hit = a.constraint.kind == "primary key"
        if not hit:
            continue
        seen.add(key)
        old = note.old_primary_key if note is not None else None
        was = f" (was {', '.join(old.columns)})" if old is not None else ""
        yield _finding(
            "KD616",
            f"migration {it.migration.name} replaces the primary key of {_q(a.table)}{was}: "
            "a half-applied change leaves the table without one, and foreign keys that "
            "reference it break",
            it.loc(),
            _created(old.created if old else None, f"primary key of {_q(a.table)}"),
        )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            if rd.primary_key_change is None:
                continue
            old_cols, new_cols = rd.primary_key_change
            yield _finding(
                "KD616",
                f"migration {m.name} redefines table {_q(rd.table)} with primary key "
                f"({', '.join(new_cols) or 'none'}) instead of ({', '.join(old_cols)})",
                Location(m.path, rd.line),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return primary_key_change(ctx.fact(migration_items))
