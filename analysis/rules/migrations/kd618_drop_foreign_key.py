"""KD618 drop-foreign-key: A foreign key is dropped and not re-created on the same columns"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Location, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _created,
    _finding,
    _Item,
    _Items,
    _q,
    _replays,
    migration_items,
)
from analysis.rules.registry import Examples, rule

# -- example trees --
_INIT = "prisma/migrations/20241101000000_orders/migration.sql"
_ORDERS = """\
-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId")
  REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
"""
# --

RULE = rule(
    "KD618",
    "drop-foreign-key",
    Severity.LOW,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="a foreign key is dropped and not re-created on the same columns in the same migration: orphan rows can build up from then on",
    short="A foreign key is dropped and not re-created on the same columns",
    rationale="""
        Without the foreign key the database no longer stops deletes of referenced rows or
        inserts of dangling references. Orphans build up from then on, and the cascades the
        schema still shows no longer happen outside of Prisma Client.
    """,
    trigger="""
        `ALTER TABLE ... DROP CONSTRAINT` of a foreign key (or `-- DropForeignKey`) with no
        `ADD CONSTRAINT ... FOREIGN KEY` on the same table and columns later in the same
        migration.
    """,
    bad="""
        -- prisma/migrations/20241120100000_loosen_orders/migration.sql
        -- DropForeignKey
        ALTER TABLE "Order" DROP CONSTRAINT "Order_userId_fkey";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241120100000_orders_restrict/migration.sql
        -- DropForeignKey
        ALTER TABLE "Order" DROP CONSTRAINT "Order_userId_fkey";
        -- AddForeignKey
        ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId")
          REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
    """,
    good_lang="sql",
    fix="""
        Re-create the foreign key (with the referential action you want) in the same
        migration, or, if the relation is really gone, remove the column too.
    """,
    examples=Examples(files={_INIT: _ORDERS}),
    module=__name__,
)


def drop_foreign_key(items: _Items) -> Iterator[Finding]:
    by_migration: dict[str, list[_Item]] = {}
    relevant = (K.ADD_CONSTRAINT, K.CREATE_TABLE, K.DROP_TABLE, K.DROP_COLUMN)
    if not items.of(K.DROP_CONSTRAINT, K.DROP_FOREIGN_KEY):
        return
    for it in items.of(K.DROP_CONSTRAINT, K.DROP_FOREIGN_KEY, *relevant):
        by_migration.setdefault(it.migration.path, []).append(it)
    for group in by_migration.values():
        added: set[tuple[str, tuple[str, ...]]] = set()
        added_names: set[tuple[str, str]] = set()
        dropped_tables: set[str] = set()
        dropped_cols: set[tuple[str, str]] = set()
        for it in group:
            a = it.action
            if a.kind == K.ADD_CONSTRAINT and a.constraint and a.constraint.kind == "foreign key":
                added.add((a.table or "", a.constraint.columns))
                added_names.add((a.table or "", a.constraint.name or ""))
            elif a.kind == K.CREATE_TABLE and a.table_def is not None:
                for c in a.table_def.constraints:
                    if c.kind == "foreign key":
                        added.add((a.table or "", c.columns))
            elif a.kind == K.DROP_TABLE:
                dropped_tables.add(a.table or "")
            elif a.kind == K.DROP_COLUMN:
                dropped_cols.add((a.table or "", a.column or ""))
        for it in group:
            a = it.action
            note = it.note
            is_fk = a.kind == K.DROP_FOREIGN_KEY or (
                a.kind == K.DROP_CONSTRAINT and note is not None and note.dropped == "foreign key"
            )
            if not is_fk or (a.table or "") in dropped_tables:
                continue
            fk = note.dropped_fk if note is not None else None
            if fk is not None:
                if (a.table or "", fk.columns) in added:
                    continue
                if any((a.table or "", c) in dropped_cols for c in fk.columns):
                    continue  # the column goes too: KD602 says so
            elif (a.table or "", a.name or "") in added_names:
                continue
            target = f" to {_q(fk.ref_table)}" if fk is not None else ""
            cols = f"({', '.join(fk.columns)})" if fk is not None else ""
            yield _finding(
                "KD618",
                f"migration {it.migration.name} drops foreign key {_q(a.name)} of "
                f"{_q(a.table)}{cols}{target} and does not re-create it: orphan rows can build "
                "up from now on",
                it.loc(),
                _created(fk.created if fk else None, f"foreign key {_q(a.name)}"),
            )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            for fk in rd.dropped_foreign_keys:
                yield _finding(
                    "KD618",
                    f"migration {m.name} redefines table {_q(rd.table)} without its foreign "
                    f"key ({', '.join(fk.columns)}) to {_q(fk.ref_table)}",
                    Location(m.path, rd.line),
                    _created(fk.created, "foreign key"),
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return drop_foreign_key(ctx.fact(migration_items))
