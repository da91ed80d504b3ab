"""The records of a parsed migration: statement and action kinds, statements, actions, columns, constraints, Prisma's warnings."""

from __future__ import annotations

from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass, quick_init


# -- statement and action kinds ---------------------------------------------------------
class K:
    """The kinds of statements and actions (plain strings, stable: the TUI shows them)."""

    CREATE_TABLE = "create table"
    DROP_TABLE = "drop table"
    RENAME_TABLE = "rename table"
    ALTER_TABLE = "alter table"
    ADD_COLUMN = "add column"
    DROP_COLUMN = "drop column"
    ALTER_COLUMN_TYPE = "alter column type"
    MODIFY_COLUMN = "modify column"  # MySQL MODIFY/CHANGE: the whole column is restated
    SET_NOT_NULL = "set not null"
    DROP_NOT_NULL = "drop not null"
    SET_DEFAULT = "set default"
    DROP_DEFAULT = "drop default"
    RENAME_COLUMN = "rename column"
    ADD_CONSTRAINT = "add constraint"
    DROP_CONSTRAINT = "drop constraint"
    RENAME_CONSTRAINT = "rename constraint"
    DROP_PRIMARY_KEY = "drop primary key"
    DROP_FOREIGN_KEY = "drop foreign key"
    CREATE_INDEX = "create index"
    CREATE_UNIQUE_INDEX = "create unique index"
    DROP_INDEX = "drop index"
    RENAME_INDEX = "rename index"
    REINDEX = "reindex"
    TRUNCATE = "truncate"
    DELETE = "delete"
    UPDATE = "update"
    INSERT = "insert"
    INSERT_SELECT = "insert-select"
    CREATE_ENUM = "create enum"
    CREATE_TYPE = "create type"
    ADD_ENUM_VALUE = "add enum value"
    RENAME_ENUM_VALUE = "rename enum value"
    RENAME_TYPE = "rename type"
    DROP_TYPE = "drop type"
    CREATE_EXTENSION = "create extension"
    DROP_EXTENSION = "drop extension"
    CREATE_SCHEMA = "create schema"
    DROP_SCHEMA = "drop schema"
    RENAME_SCHEMA = "rename schema"
    DROP_DATABASE = "drop database"
    DROP_VIEW = "drop view"
    CREATE_VIEW = "create view"
    CREATE_SEQUENCE = "create sequence"
    ALTER_SEQUENCE = "alter sequence"
    DROP_SEQUENCE = "drop sequence"
    DROP_OTHER = "drop"
    BEGIN = "begin"
    COMMIT = "commit"
    ROLLBACK = "rollback"
    PRAGMA = "pragma"
    SET = "set"
    SELECT = "select"
    OTHER = "other"
    INVALID = "invalid"


# -- records -----------------------------------------------------------------------------
@quick_init
@dataclass(slots=True, frozen=True)
class Constraint:
    """A table constraint: `kind` is primary key, unique, foreign key, check, exclude or
    index (MySQL's inline `INDEX name(cols)`).

    `on_delete`/`on_update` are SQL words (CASCADE, SET NULL, RESTRICT, NO ACTION, SET
    DEFAULT); None when the statement does not say (the database's default, NO ACTION)."""

    kind: str
    name: str | None
    columns: tuple[str, ...]
    line: int
    ref_table: str | None = None
    ref_schema: str | None = None
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    not_valid: bool = False


@quick_init
@dataclass(slots=True, frozen=True)
class ColumnDef:
    """A column as a statement declares it. `type` is canonical: upper-case built-in types
    (`TEXT`, `VARCHAR(191)`, `TIMESTAMP(3)`, `DECIMAL(65,30)`, `INTEGER[]`), user types in
    double quotes (`"Role"`). `identity` is SERIAL/AUTO_INCREMENT/IDENTITY/AUTOINCREMENT.
    `not_null` is None when the statement does not say (MySQL MODIFY always says)."""

    name: str
    type: str | None
    line: int
    not_null: bool | None = None
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    identity: bool = False
    generated: bool = False
    enum_values: tuple[str, ...] = ()
    references: Constraint | None = None


@quick_init
@dataclass(slots=True, frozen=True)
class TableDef:
    name: str
    schema: str | None
    columns: tuple[ColumnDef, ...]
    constraints: tuple[Constraint, ...]
    if_not_exists: bool = False


@quick_init
@dataclass(slots=True, frozen=True)
class SelectItem:
    """One column of an `INSERT INTO t (cols) SELECT ...`: where its value comes from.

    `source` is the column read from the source table (None for a literal); `how` is
    `column` (copied as is), `coalesce` (a NULL replaced by a value), `literal` or `expr`."""

    target: str
    source: str | None
    how: str


@quick_init
@dataclass(slots=True, frozen=True)
class Action:
    """One thing a statement does. Which fields are set depends on `kind` (see `K`)."""

    kind: str
    line: int
    table: str | None = None
    schema: str | None = None
    column: str | None = None
    name: str | None = None
    new_name: str | None = None
    columns: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    type: str | None = None
    using: str | None = None
    column_def: ColumnDef | None = None
    table_def: TableDef | None = None
    constraint: Constraint | None = None
    tables: tuple[str, ...] = ()
    source_table: str | None = None
    select_items: tuple[SelectItem, ...] = ()
    cascade: bool = False
    if_exists: bool = False
    has_where: bool = False
    concurrently: bool = False
    unique: bool = False
    detail: str = ""


@quick_init
@dataclass(slots=True, frozen=True)
class Statement:
    """One SQL statement: kind, line range, Prisma header comments, actions."""

    index: int
    kind: str
    line: int
    column: int
    end_line: int
    actions: tuple[Action, ...]
    headers: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    text: str = ""
    error: str | None = None

    @property
    def header(self) -> str | None:
        """The Prisma step header just before the statement (`CreateTable`), if any."""
        return self.headers[-1] if self.headers else None


@quick_init
@dataclass(slots=True, frozen=True)
class PrismaWarning:
    """One line of Prisma's `/* Warnings: ... */` block. `kind` names the warning (see
    `WARNING_KINDS`); `table`, `column` come from the backquoted names where present."""

    line: int
    text: str
    kind: str
    table: str | None = None
    column: str | None = None
    unexecutable: bool = False


@quick_init
@dataclass(slots=True, frozen=True)
class MigrationSqlFile:
    path: str
    dialect: str
    statements: tuple[Statement, ...]
    warnings: tuple[PrismaWarning, ...]
    empty: bool
    empty_marker: bool
    line_count: int
    problems: tuple[ParseProblem, ...] = ()
    multiple_enum_values_note: int | None = None
    """Line of Prisma's `-- This migration adds more than one value to an enum.` note."""

    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for st in self.statements:
            for a in st.actions:
                out[a.kind] = out.get(a.kind, 0) + 1
        return out
