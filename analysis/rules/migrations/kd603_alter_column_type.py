"""KD603 alter-column-type: A column's type changes: casts can fail, round or truncate"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Location, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _col,
    _created,
    _finding,
    _Items,
    _q,
    _replays,
    _same_type,
    migration_items,
)
from analysis.rules.registry import rule

RULE = rule(
    "KD603",
    "alter-column-type",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="a column's type changes (casts can fail or truncate)",
    short="A column's type changes: casts can fail, round or truncate",
    rationale="""
        `ALTER COLUMN ... SET DATA TYPE` rewrites every value. DECIMAL to INTEGER rounds away
        the cents, TIMESTAMP(3) to DATE drops the time, TEXT to INTEGER fails on the first
        non-numeric row and leaves the migration failed (blocking every later deploy with
        P3009). Prisma writes a drop-and-recreate instead when no cast exists, which empties
        the column.
    """,
    trigger="""
        A statement that changes an existing column's type: `ALTER TABLE ... ALTER COLUMN
        ... [SET DATA] TYPE ...` (PostgreSQL), `MODIFY`/`CHANGE` (MySQL), or a Prisma
        "dropped and recreated" column.
    """,
    bad="""
        -- prisma/migrations/20240801090000_price_int/migration.sql
        -- AlterTable
        ALTER TABLE "Product" ALTER COLUMN "price" SET DATA TYPE INTEGER;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240801090000_price_cents/migration.sql
        ALTER TABLE "Product" ADD COLUMN "priceCents" INTEGER;
        UPDATE "Product" SET "priceCents" = ("price" * 100)::INTEGER WHERE "priceCents" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Add a new column, backfill it with an explicit, checked conversion, switch the code,
        then drop the old column later; or add `USING` with a conversion you have tested
        against a copy of production data.
    """,
    module=__name__,
)


def alter_column_type(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.ALTER_COLUMN_TYPE, K.MODIFY_COLUMN):
        a = it.action
        prev = it.note.previous if it.note is not None else None
        if a.kind == K.ALTER_COLUMN_TYPE and it.pattern != "enum recreation":
            if prev is not None and _same_type(prev.type, a.type):
                continue
            was = f" from {prev.type}" if prev is not None and prev.type else ""
            using = f" using {a.using}" if a.using else ""
            yield _finding(
                "KD603",
                f"migration {it.migration.name} changes the type of {_col(a.table, a.column)}"
                f"{was} to {a.type}{using}: the cast can fail or lose data",
                it.loc(),
                _created(prev.created if prev else None, f"column {_col(a.table, a.column)}"),
            )
        elif a.kind == K.MODIFY_COLUMN and prev is not None and a.column_def is not None:
            new_t = a.column_def.type
            if _same_type(prev.type, new_t):
                continue
            if prev.type == "ENUM" and new_t == "ENUM":
                continue  # only enum values change: KD607 when some are removed
            yield _finding(
                "KD603",
                f"migration {it.migration.name} changes the type of {_col(a.table, a.column)} "
                f"from {prev.type} to {new_t}: the conversion can fail or lose data",
                it.loc(),
                _created(prev.created, f"column {_col(a.table, a.column)}"),
            )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            for col, old, new in rd.type_changes:
                yield _finding(
                    "KD603",
                    f"migration {m.name} redefines table {_q(rd.table)} and copies column "
                    f"{_q(col)} from {old} into {new}: values that do not convert are lost",
                    Location(m.path, rd.insert_line or rd.line),
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return alter_column_type(ctx.fact(migration_items))
