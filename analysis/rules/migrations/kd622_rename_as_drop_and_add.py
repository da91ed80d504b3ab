"""KD622 rename-as-drop-and-add: A column (or table) is dropped and a similar one added: a rename that loses data"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.replay import DbColumn
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _col,
    _finding,
    _Item,
    _Items,
    _q,
    _replays,
    _same_type,
    _table_rename_as_drop,
    migration_items,
)
from analysis.rules.registry import Examples, rule

# -- example trees --
_INIT = "prisma/migrations/20241201000000_users/migration.sql"
_USERS = """\
-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
"""
# --

RULE = rule(
    "KD622",
    "rename-as-drop-and-add",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="one migration drops a column (or table) and adds one of the same type (or same columns) to the same table: almost always a rename that Prisma wrote as drop + add, which loses the data; name both and suggest editing the migration into a `RENAME`",
    short="A column (or table) is dropped and a similar one added: a rename that loses data",
    rationale="""
        Prisma cannot tell a rename from a removal plus an addition, so renaming `name` to
        `fullName` in the schema produces `DROP COLUMN "name"` and `ADD COLUMN "fullName"`.
        The migration looks like a harmless refactor and deletes every value of the column;
        the new one starts empty (or with the default).
    """,
    trigger="""
        One migration that drops a column and adds a column of the same type to the same
        table, or drops a table and creates one with the same columns. Both statements are
        named; the suggestion is a RENAME.
    """,
    bad="""
        -- prisma/migrations/20241210100000_rename_name/migration.sql
        -- AlterTable
        ALTER TABLE "User" DROP COLUMN "name",
        ADD COLUMN     "fullName" TEXT;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241210100000_rename_name/migration.sql
        -- AlterTable (edited: keep the data)
        ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
    """,
    good_lang="sql",
    fix="""
        Edit the generated migration into `RENAME COLUMN`/`RENAME TO` before it is applied
        anywhere (`migrate dev --create-only`, edit, then `migrate dev`), or keep the old
        database name with `@map("name")`.
    """,
    examples=Examples(files={_INIT: _USERS}),
    module=__name__,
)


def rename_as_drop_and_add(items: _Items) -> Iterator[Finding]:
    by_migration: dict[str, list[_Item]] = {}
    drop_paths = {it.migration.path for it in items.of(K.DROP_COLUMN)}
    for it in items.of(K.DROP_COLUMN, K.ADD_COLUMN):
        if it.migration.path not in drop_paths:
            continue
        by_migration.setdefault(it.migration.path, []).append(it)
    for group in by_migration.values():
        drops: list[tuple[_Item, DbColumn]] = []
        adds: list[_Item] = []
        for it in group:
            a = it.action
            prev = it.note.previous if it.note is not None else None
            if a.kind == K.DROP_COLUMN and prev is not None:
                drops.append((it, prev))
            elif a.kind == K.ADD_COLUMN and a.column_def is not None and not it.table_is_new:
                adds.append(it)
        used: set[int] = set()
        for it, prev in drops:
            for j, add in enumerate(adds):
                cd = add.action.column_def
                if j in used or cd is None or add.action.table != it.action.table:
                    continue
                if _same_type(cd.type, prev.type):
                    used.add(j)
                    yield _finding(
                        "KD622",
                        f"migration {it.migration.name} drops column "
                        f"{_col(it.action.table, prev.name)} and adds {_q(cd.name)} of the same "
                        f"type ({cd.type}) to the same table: if this is a rename, the data is "
                        f"lost; edit the migration into ALTER TABLE {_q(it.action.table)} RENAME "
                        f"COLUMN {_q(prev.name)} TO {_q(cd.name)}",
                        it.loc(),
                        (Related(add.loc(), f"column {_q(cd.name)} added here"),),
                    )
                    break
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            used_new: set[str] = set()
            for lost in rd.lost_columns:
                for new_name, new_type in rd.new_columns:
                    if new_name in used_new or not _same_type(new_type, lost.type):
                        continue
                    used_new.add(new_name)
                    yield _finding(
                        "KD622",
                        f"migration {m.name} redefines table {_q(rd.table)}, leaving out column "
                        f"{_q(lost.name)} and adding {_q(new_name)} of the same type "
                        f"({new_type}): if this is a rename, copy the column in the INSERT "
                        f"(SELECT {_q(lost.name)} AS {_q(new_name)}) instead of losing it",
                        Location(m.path, rd.insert_line or rd.line),
                    )
                    break
    yield from _table_rename_as_drop(items)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return rename_as_drop_and_add(ctx.fact(migration_items))
