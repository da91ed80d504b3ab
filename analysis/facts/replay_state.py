"""The replayer's mutable working state (tables, columns, indexes, enums being built) and the
detection of Prisma's multi-statement patterns (SQLite table redefinition, PostgreSQL enum
recreation).
"""

from __future__ import annotations

from analysis.facts.replay_records import (
    DbColumn,
    DbForeignKey,
    DbIndex,
    DbPrimaryKey,
    DbTable,
    Origin,
    TableKey,
)
from analysis.parsers.migration_sql import Action, ColumnDef, K, Statement

NOTED = frozenset(
    {
        K.DROP_TABLE,
        K.DROP_COLUMN,
        K.ADD_COLUMN,
        K.ALTER_COLUMN_TYPE,
        K.MODIFY_COLUMN,
        K.SET_NOT_NULL,
        K.DROP_NOT_NULL,
        K.RENAME_COLUMN,
        K.RENAME_TABLE,
        K.CREATE_UNIQUE_INDEX,
        K.ADD_CONSTRAINT,
        K.DROP_CONSTRAINT,
        K.DROP_FOREIGN_KEY,
        K.DROP_PRIMARY_KEY,
        K.DROP_INDEX,
        K.TRUNCATE,
    }
)
"""Action kinds that get an `ActionNote` (the ones the migration rules look at)."""


# -- mutable state -----------------------------------------------------------------------------
class ColState:
    __slots__ = (
        "changed",
        "created",
        "created_idx",
        "default",
        "enum_values",
        "identity",
        "name",
        "not_null",
        "type",
    )

    def __init__(self, cd: ColumnDef, origin: Origin, idx: int) -> None:
        self.name = cd.name
        self.type = cd.type
        self.not_null = bool(cd.not_null) or cd.primary_key
        self.default = cd.default
        self.identity = cd.identity
        self.enum_values = cd.enum_values
        self.created = origin
        self.created_idx = idx
        self.changed: Origin | None = None

    def freeze(self) -> DbColumn:
        return DbColumn(
            self.name,
            self.type,
            self.not_null,
            self.default,
            self.identity,
            self.created,
            self.enum_values,
            self.changed,
        )


class IndexState:
    __slots__ = ("columns", "constraint", "created", "created_idx", "name", "unique")

    def __init__(
        self,
        name: str | None,
        columns: tuple[str, ...],
        unique: bool,
        origin: Origin,
        idx: int,
        constraint: bool = False,
    ) -> None:
        self.name = name
        self.columns = columns
        self.unique = unique
        self.created = origin
        self.created_idx = idx
        self.constraint = constraint


class TableState:
    __slots__ = (
        "checks",
        "columns",
        "created",
        "created_idx",
        "fks",
        "indexes",
        "key",
        "pk",
        "pk_created_idx",
    )

    def __init__(self, key: TableKey, origin: Origin, idx: int) -> None:
        self.key = key
        self.columns: dict[str, ColState] = {}
        self.pk: DbPrimaryKey | None = None
        self.pk_created_idx = idx
        self.indexes: list[IndexState] = []
        self.fks: list[DbForeignKey] = []
        self.checks: list[str] = []
        self.created = origin
        self.created_idx = idx

    def freeze(self) -> DbTable:
        return DbTable(
            self.key[1],
            self.key[0],
            tuple(c.freeze() for c in self.columns.values()),
            self.pk,
            tuple(
                DbIndex(i.name, i.columns, i.unique, i.created, i.constraint) for i in self.indexes
            ),
            tuple(self.fks),
            tuple(self.checks),
            self.created,
        )


class EnumState:
    __slots__ = ("created", "key", "values")

    def __init__(self, key: TableKey, values: list[str], origin: Origin) -> None:
        self.key = key
        self.values = values
        self.created = origin


# -- pattern detection -------------------------------------------------------------------------
def flat_actions(statements: tuple[Statement, ...]) -> list[tuple[int, int, Action]]:
    return [(st.index, i, a) for st in statements for i, a in enumerate(st.actions)]


def redefine_patterns(
    acts: list[tuple[int, int, Action]],
) -> dict[str, tuple[str, int | None]]:
    """temp table -> (table it replaces, position of its INSERT ... SELECT)."""
    out: dict[str, tuple[str, int | None]] = {}
    renames = {(a.table, a.new_name) for _, _, a in acts if a.kind == K.RENAME_TABLE}
    drops = {a.table for _, _, a in acts if a.kind == K.DROP_TABLE}
    inserts: dict[str, tuple[str, int]] = {}
    for pos, (_, _, a) in enumerate(acts):
        if a.kind == K.INSERT_SELECT and a.table and a.source_table:
            inserts[a.table] = (a.source_table, pos)
    for temp, target in renames:
        if temp is None or target is None or target not in drops:
            continue
        ins = inserts.get(temp)
        if ins is not None and ins[0] == target:
            out[temp] = (target, ins[1])
        elif ins is None and temp.lower().startswith("new_") and temp[4:] == target:
            out[temp] = (target, None)
    return out


def enum_patterns(acts: list[tuple[int, int, Action]]) -> dict[str, str]:
    """temp enum -> enum it replaces (CREATE TYPE N; E -> O; N -> E; DROP TYPE O)."""
    created = {a.name for _, _, a in acts if a.kind == K.CREATE_ENUM}
    dropped = {a.name for _, _, a in acts if a.kind == K.DROP_TYPE}
    renames = [(a.name, a.new_name) for _, _, a in acts if a.kind == K.RENAME_TYPE]
    out: dict[str, str] = {}
    for n, e in renames:
        if n is not None and n in created and e is not None:
            for e2, o in renames:
                if e2 == e and o in dropped:
                    out[n] = e
    return out
