"""The frozen records a migration replay produces: the database model (tables, columns, keys,
indexes, enums) and, per migration, the notes, redefinitions and enum changes.
"""

from __future__ import annotations

from dataclasses import field

from analysis.records import dataclass, quick_init

TableKey = tuple[str, str]
"""(schema, table name); the schema is "public" on PostgreSQL and "" elsewhere by default."""


# -- frozen records ------------------------------------------------------------------------
@quick_init
@dataclass(slots=True, frozen=True)
class Origin:
    """Where something was created or changed: migration folder name, file and line."""

    migration: str
    path: str
    line: int


@quick_init
@dataclass(slots=True, frozen=True)
class DbColumn:
    name: str
    type: str | None
    not_null: bool
    default: str | None
    identity: bool
    created: Origin
    enum_values: tuple[str, ...] = ()
    changed: Origin | None = None


@quick_init
@dataclass(slots=True, frozen=True)
class DbIndex:
    """An index, a unique index, or a unique constraint (`constraint=True`)."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool
    created: Origin
    constraint: bool = False


@quick_init
@dataclass(slots=True, frozen=True)
class DbPrimaryKey:
    name: str | None
    columns: tuple[str, ...]
    created: Origin


@quick_init
@dataclass(slots=True, frozen=True)
class DbForeignKey:
    name: str | None
    table: str
    schema: str
    columns: tuple[str, ...]
    ref_table: str
    ref_schema: str
    ref_columns: tuple[str, ...]
    on_delete: str | None
    on_update: str | None
    created: Origin


@quick_init
@dataclass(slots=True, frozen=True)
class DbTable:
    name: str
    schema: str
    columns: tuple[DbColumn, ...]
    primary_key: DbPrimaryKey | None
    indexes: tuple[DbIndex, ...]
    foreign_keys: tuple[DbForeignKey, ...]
    checks: tuple[str, ...]
    created: Origin

    def column(self, name: str) -> DbColumn | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@quick_init
@dataclass(slots=True, frozen=True)
class DbEnum:
    name: str
    schema: str
    values: tuple[str, ...]
    created: Origin


@quick_init
@dataclass(slots=True, frozen=True)
class DatabaseModel:
    """The database the migrations build, as the last one leaves it."""

    provider: str | None
    tables: tuple[DbTable, ...]
    enums: tuple[DbEnum, ...]
    extensions: tuple[tuple[str, Origin], ...]
    schemas: tuple[str, ...]
    default_schema: str

    def table(self, name: str, schema: str | None = None) -> DbTable | None:
        sch = schema or self.default_schema
        for t in self.tables:
            if t.name == name and t.schema == sch:
                return t
        return None

    def enum(self, name: str, schema: str | None = None) -> DbEnum | None:
        sch = schema or self.default_schema
        for e in self.enums:
            if e.name == name and e.schema == sch:
                return e
        return None


@quick_init
@dataclass(slots=True, frozen=True)
class ActionNote:
    """What the database held just before one action (statement `stmt`, action `action`)."""

    stmt: int
    action: int
    table_known: bool = True
    table_is_new: bool = False
    """The table was created in this same migration (so it has no rows yet)."""
    column_is_new: bool = False
    previous: DbColumn | None = None
    dropped: str | None = None
    """What a DROP CONSTRAINT / DROP INDEX removed: primary key, foreign key, unique, index,
    check; None when unknown."""
    dropped_fk: DbForeignKey | None = None
    old_primary_key: DbPrimaryKey | None = None
    unique_existed: bool = False
    """An equal unique index/constraint (same table, same columns) existed before."""
    reached: tuple[str, ...] = ()
    """Tables a TRUNCATE ... CASCADE reaches through foreign keys."""
    pattern: str | None = None
    """"redefine" or "enum recreation" when the action is part of Prisma's pattern."""
    table_created: Origin | None = None
    """Where the table the action touches was created (None when no migration made it)."""


@quick_init
@dataclass(slots=True, frozen=True)
class Redefinition:
    """A SQLite copy-and-swap of `table` (Prisma's `-- RedefineTables`)."""

    table: str
    temp_table: str
    line: int
    drop_line: int
    insert_line: int | None
    lost_columns: tuple[DbColumn, ...]
    added_required: tuple[str, ...]
    made_required: tuple[str, ...]
    type_changes: tuple[tuple[str, str | None, str | None], ...]
    primary_key_change: tuple[tuple[str, ...], tuple[str, ...]] | None
    dropped_foreign_keys: tuple[DbForeignKey, ...]
    referenced_by: tuple[DbForeignKey, ...]
    new_columns: tuple[tuple[str, str | None], ...]


@quick_init
@dataclass(slots=True, frozen=True)
class EnumChange:
    """Prisma's PostgreSQL enum recreation: `enum` goes from `old_values` to `new_values`."""

    enum: str
    temp_name: str
    line: int
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(v for v in self.old_values if v not in self.new_values)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(v for v in self.new_values if v not in self.old_values)


@dataclass(slots=True, frozen=True)
class MigrationReplay:
    """What replaying one migration found."""

    name: str
    path: str
    notes: dict[tuple[int, int], ActionNote] = field(default_factory=dict, compare=False)
    redefinitions: tuple[Redefinition, ...] = ()
    enum_changes: tuple[EnumChange, ...] = ()
    unknown_tables: tuple[tuple[str, int], ...] = ()
    """Tables the migration alters, indexes or references that do not exist at that point."""
    created_tables: tuple[str, ...] = ()

    def note(self, stmt: int, action: int) -> ActionNote | None:
        return self.notes.get((stmt, action))
