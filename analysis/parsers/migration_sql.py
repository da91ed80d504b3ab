"""Parse a Prisma `migration.sql` with a real SQL parser, statement by statement.

PostgreSQL and CockroachDB go through libpg_query (pglast); MySQL, SQLite and SQL Server
through sqlglot. Every statement becomes a `Statement` with its line range, the Prisma header
comments before it (`-- CreateTable`), its kind and one `Action` per thing it does (an
`ALTER TABLE` with three sub-commands has three actions), each with the objects it touches.
Prisma's warning block at the top (`/* Warnings: - ... */`) is read line by line.

A statement the parser cannot read becomes a `Statement` of kind `invalid` and a KD612
problem with its position and the parser's message; the other statements are still read.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import lru_cache
from itertools import accumulate
from typing import Any

from analysis.gc_pause import gc_paused
from analysis.model import Finding, Location, Severity
from analysis.records import dataclass, quick_init
from analysis.sources import SourceFile


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
    problems: tuple[Finding, ...] = ()
    multiple_enum_values_note: int | None = None
    """Line of Prisma's `-- This migration adds more than one value to an enum.` note."""

    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for st in self.statements:
            for a in st.actions:
                out[a.kind] = out.get(a.kind, 0) + 1
        return out


# -- dialects ------------------------------------------------------------------------------
PG_PROVIDERS = frozenset({"postgresql", "postgres", "cockroachdb"})
SQLGLOT_DIALECT = {"mysql": "mysql", "sqlite": "sqlite", "sqlserver": "tsql"}


def dialect_of(provider: str | None) -> str:
    """The parser dialect for a Prisma provider: postgresql, mysql, sqlite or sqlserver."""
    p = (provider or "").lower()
    if p in PG_PROVIDERS:
        return "postgresql"
    if p in SQLGLOT_DIALECT:
        return p
    return "postgresql"


def guess_provider(text: str) -> str:
    """A provider from the SQL itself, for a migrations folder with no lock file."""
    if "`" in text:
        return "mysql"
    low = text.lower()
    if "pragma foreign_keys" in low or "autoincrement" in low or "-- redefinetables" in low:
        return "sqlite"
    if "[dbo]" in low or "begin tran" in low:
        return "sqlserver"
    return "postgresql"


# -- warnings ------------------------------------------------------------------------------
WARNING_KINDS: tuple[tuple[str, str, bool], ...] = (
    # (kind, fixed words to look for, unexecutable step)
    ("drop table", "you are about to drop the `", False),
    ("drop column", "you are about to drop the column", False),
    ("drop and recreate column", "would be dropped and recreated", False),
    ("cast may fail", "this cast may fail", False),
    ("cast", "will be cast from", False),
    ("primary key", "the primary key for the", False),
    ("unique", "a unique constraint covering the columns", False),
    ("enum values removed", "on the enum", False),
    ("required column with prisma default", "with a prisma-level default value", True),
    ("required column", "added the required column", True),
    ("made required", "required. this step will fail if there are existing null", True),
    ("scalar to list", "from a scalar field to a list field", True),
    ("no cast", "no cast exists", True),
)
_BACKQUOTED = re.compile(r"`([^`]*)`")
_TABLE_AFTER = re.compile(r"(?:on the|to the|on table|the) `([^`]*)` table|on the table `([^`]*)`")


def _warning(line: int, text: str) -> PrismaWarning:
    low = text.lower()
    kind, unexec = "other", False
    for k, words, unexecutable in WARNING_KINDS:
        if words in low:
            kind, unexec = k, unexecutable
            break
    names = _BACKQUOTED.findall(text)
    table: str | None = None
    column: str | None = None
    m = _TABLE_AFTER.search(text)
    if m:
        table = m.group(1) or m.group(2)
    if kind == "drop table":
        table = names[0] if names else table
    elif kind == "enum values removed":
        m2 = re.search(r"on the enum `([^`]*)`", text)
        table = m2.group(1) if m2 else table
    elif kind == "unique":
        m3 = re.search(r"columns `\[([^\]]*)\]`", text)
        column = m3.group(1) if m3 else None
    elif names and kind != "primary key":
        column = names[0]
    return PrismaWarning(line, text, kind, table, column, unexec)


def _read_warnings(lines: list[str]) -> tuple[tuple[PrismaWarning, ...], int]:
    """The warning lines of every `/* Warnings: ... */` block (Prisma writes one at the top;
    a hand-merged migration has one per merged part, anywhere in the file), and the index of
    the line after the first block (0 when there is none)."""
    out: list[PrismaWarning] = []
    first_end = 0
    i = 0
    n = len(lines)
    while i < n:
        if not lines[i].lstrip().startswith("/*"):
            i += 1
            continue
        start = i
        end = None
        for j in range(start, n):
            if "*/" in lines[j] and (j > start or lines[j].index("*/") > lines[j].index("/*")):
                end = j
                break
        stop = end if end is not None else n - 1
        block = [(k + 1, lines[k]) for k in range(start, stop + 1)]
        if any("warnings:" in t.lower() for _, t in block):
            for number, text in block:
                stripped = text.strip()
                if stripped.startswith("- "):
                    out.append(_warning(number, stripped[2:].strip()))
            if not first_end:
                first_end = stop + 1
        i = stop + 1
    return tuple(out), first_end


# -- helpers over the raw text -----------------------------------------------------------------


def _skip_comments(text: str, pos: int, end: int) -> tuple[int, list[str]]:
    """Skip whitespace and comments from `pos`; return the new position and the comments."""
    comments: list[str] = []
    while pos < end:
        ch = text[pos]
        if ch in " \t\r\n\f\v":
            pos += 1
        elif text.startswith("--", pos):
            nl = text.find("\n", pos, end)
            stop = end if nl == -1 else nl
            comments.append(text[pos + 2 : stop].strip())
            pos = stop
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2, end)
            stop = end if close == -1 else close + 2
            comments.append(text[pos + 2 : stop - 2 if close != -1 else stop].strip())
            pos = stop
        else:
            break
    return pos, comments


_SPACE_AND_COMMENTS = re.compile(r"(?:[ \t\r\n\f\v]+|--[^\n]*|/\*(?:.*?\*/|.*))*", re.S)


def _skip_to_code(text: str, pos: int, end: int) -> int:
    """`_skip_comments(text, pos, end)[0]`, with one regular expression (no comment list)."""
    if pos >= end:
        return pos
    p = _SPACE_AND_COMMENTS.match(text, pos, end).end()  # type: ignore[union-attr]
    if p < end and (text.startswith("--", p) or text.startswith("/*", p)):
        p = _skip_comments(text, p, end)[0]  # a comment opener cut in two by `end`
    return p


_HEADER = re.compile(r"^[A-Z][A-Za-z]+$")


def _headers(comments: list[str]) -> tuple[str, ...]:
    if not comments:
        return ()
    return tuple(c for c in comments if _HEADER.match(c))


def _problem(path: str, line: int, column: int, message: str) -> Finding:
    return Finding(
        "KD612",
        Severity.MEDIUM,
        f"cannot parse the SQL of {path} at line {line}: {message}",
        Location(path, line, column),
    )


# -- PostgreSQL via libpg_query -------------------------------------------------------------------
_PG_TYPES = {
    "int4": "INTEGER",
    "integer": "INTEGER",
    "int": "INTEGER",
    "int8": "BIGINT",
    "bigint": "BIGINT",
    "int2": "SMALLINT",
    "smallint": "SMALLINT",
    "float8": "DOUBLE PRECISION",
    "float4": "REAL",
    "real": "REAL",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "varchar": "VARCHAR",
    "bpchar": "CHAR",
    "char": "CHAR",
    "numeric": "DECIMAL",
    "decimal": "DECIMAL",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "timetz": "TIMETZ",
    "date": "DATE",
    "interval": "INTERVAL",
    "text": "TEXT",
    "jsonb": "JSONB",
    "json": "JSON",
    "bytea": "BYTEA",
    "uuid": "UUID",
    "xml": "XML",
    "inet": "INET",
    "cidr": "CIDR",
    "macaddr": "MACADDR",
    "citext": "CITEXT",
    "money": "MONEY",
    "oid": "OID",
    "bit": "BIT",
    "varbit": "VARBIT",
    "tsvector": "TSVECTOR",
    "serial": "INTEGER",
    "serial4": "INTEGER",
    "bigserial": "BIGINT",
    "serial8": "BIGINT",
    "smallserial": "SMALLINT",
    "serial2": "SMALLINT",
    "float": "DOUBLE PRECISION",
}
_PG_SERIAL = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})
_FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


def _sval(node: Any) -> str:
    if isinstance(node, dict):
        if "String" in node:
            return str(node["String"].get("sval", ""))
        if "sval" in node:
            return str(node.get("sval", ""))
    return ""


def _names(items: Any) -> list[str]:
    return [_sval(i) for i in items or ()]


def _pg_type(tn: dict[str, Any] | None) -> tuple[str | None, bool]:
    """Canonical type text and whether it is a serial type."""
    if not tn:
        return None, False
    raw = tn.get("names")
    if not raw:
        return None, False
    try:  # the usual shape: [{"String": {"sval": "pg_catalog"}}, {"String": {"sval": "int4"}}]
        names = [n["String"]["sval"] for n in raw]
    except (KeyError, TypeError):
        names = _names(raw)
    if "typmods" not in tn and "arrayBounds" not in tn:  # a plain name: same answer each time
        key = tuple(names)
        hit = _PG_PLAIN_TYPES.get(key)
        if hit is None:
            if len(_PG_PLAIN_TYPES) >= 4096:
                _PG_PLAIN_TYPES.clear()
            hit = _PG_PLAIN_TYPES[key] = _pg_type_of(names, tn)
        return hit
    return _pg_type_of(names, tn)


_PG_PLAIN_TYPES: dict[tuple[str, ...], tuple[str | None, bool]] = {}
"""_pg_type of type names without modifiers or array bounds (the few a project uses)."""


def _pg_type_of(names: list[str], tn: dict[str, Any]) -> tuple[str | None, bool]:
    base = names[-1]
    low = base.lower()
    known = low in _PG_TYPES
    # a quoted name with capitals (`"Interval"`, a Prisma enum) is the user's type, not the
    # builtin: the parser folds unquoted names to lower case
    builtin = names[0] == "pg_catalog" or (len(names) == 1 and known and base == low)
    mods: list[str] = []
    typmods = tn.get("typmods")
    if typmods:
        for m in typmods:
            c = m.get("A_Const") if isinstance(m, dict) else None
            if c is not None:
                if "ival" in c:
                    mods.append(str(c["ival"].get("ival", 0)))
                elif "sval" in c:
                    mods.append(str(c["sval"].get("sval", "")))
                elif "fval" in c:
                    mods.append(str(c["fval"].get("fval", "")))
    serial = False
    if builtin and known:
        serial = low in _PG_SERIAL
        text = _PG_TYPES[low]
    elif builtin:
        text = base.upper()
    else:
        text = f'"{base}"'
    if mods:
        text += "(" + ",".join(mods) + ")"
    bounds = tn.get("arrayBounds")
    if bounds:
        text += "[]" * len(bounds)
    return text, serial


def _pg_expr_text(node: Any) -> str:
    """A short rendering of a default expression (for display and presence checks)."""
    if not isinstance(node, dict) or not node:
        return "?"
    kind, body = next(iter(node.items()))
    if kind == "A_Const":
        if body.get("isnull"):
            return "NULL"
        for key in ("sval", "ival", "fval", "boolval", "bsval"):
            if key in body:
                inner = body[key]
                val = next(iter(inner.values()), 0 if key == "ival" else False)
                if key == "sval":
                    return "'" + str(val) + "'"
                if key == "boolval":
                    return "true" if val else "false"
                return str(val)
        return "0"
    if kind == "TypeCast":
        return _pg_expr_text(body.get("arg"))
    if kind == "SQLValueFunction":
        return str(body.get("op", "")).replace("SVFOP_", "")
    if kind == "FuncCall":
        return ".".join(_names(body.get("funcname"))) + "()"
    if kind == "ColumnRef":
        return ".".join(_names(body.get("fields")))
    return str(kind)


class _PgStatementReader:
    """Turns libpg_query statement nodes of one parsed piece of text into actions.

    One reader serves every statement of the piece: `start` points it at the next one.
    Lines come from a table of newline offsets (bisect), not from counting each time."""

    def __init__(
        self, text: str, newlines: list[int], piece: bytes, offset: int, ascii_only: bool
    ) -> None:
        self.full = text  # the whole file
        self.newlines = newlines  # offsets of "\n" in the whole file
        self.ascii = ascii_only  # the piece is ASCII: its byte offsets are character offsets
        self.piece_newlines: list[int] = []
        self.piece_line = 1
        if not ascii_only:  # libpg_query counts bytes: lines from the piece's byte offsets
            self.piece_newlines = _newlines(piece, b"\n")
            self.piece_line = bisect.bisect_left(newlines, offset) + 1
        self.begin = self.end = self.pos = self.base_offset = self.byte_len = 0
        self.base_line = 1

    def start(self, begin: int, body_len: int, base_line: int, base_offset: int) -> None:
        """Read the statement at file offset `begin`, `body_len` characters long, starting on
        line `base_line` and at byte offset `base_offset` of the piece."""
        self.begin = self.pos = begin
        self.end = begin + body_len
        self.base_line = base_line
        self.base_offset = base_offset
        self.byte_len = (
            body_len if self.ascii else len(self.full[begin : begin + body_len].encode("utf-8"))
        )

    def line_at(self, loc: int | None) -> int:
        """The line of a libpg_query location (a byte offset into the parsed piece)."""
        if loc is None or loc < 0:
            return self.base_line
        rel = loc - self.base_offset
        if rel <= 0:
            return self.base_line
        if rel > self.byte_len:
            rel = self.byte_len
        if self.ascii:
            return bisect.bisect_left(self.newlines, self.begin + rel) + 1
        return self.piece_line + bisect.bisect_left(self.piece_newlines, self.base_offset + rel)

    def find_line(self, name: str | None) -> int:
        """The line of the next mention of `name` (quoted) after the last one found."""
        if not name:
            return self.base_line
        text = self.full
        i = text.find('"' + name + '"', self.pos, self.end)
        if i != -1:
            self.pos = i + len(name) + 2
            return bisect.bisect_left(self.newlines, i) + 1
        i = text.find(name, self.pos, self.end)
        if i != -1:
            self.pos = i + len(name)
            return bisect.bisect_left(self.newlines, i) + 1
        return self.base_line

    # constraints
    def constraint(
        self, c: dict[str, Any], column: str | None = None, line: int | None = None
    ) -> Constraint | None:
        ct = c.get("contype", "")
        kind = {
            "CONSTR_PRIMARY": "primary key",
            "CONSTR_UNIQUE": "unique",
            "CONSTR_FOREIGN": "foreign key",
            "CONSTR_CHECK": "check",
            "CONSTR_EXCLUSION": "exclude",
        }.get(ct)
        if kind is None:
            return None
        cols = tuple(_names(c.get("keys")))
        if kind == "foreign key":
            cols = tuple(_names(c.get("fk_attrs")))
        if not cols and column:
            cols = (column,)
        pk = c.get("pktable") or {}
        return Constraint(
            kind=kind,
            name=c.get("conname"),
            columns=cols,
            line=line if line is not None else self.line_at(c.get("location")),
            ref_table=pk.get("relname"),
            ref_schema=pk.get("schemaname"),
            ref_columns=tuple(_names(c.get("pk_attrs"))),
            on_delete=_FK_ACTIONS.get(c.get("fk_del_action", ""))
            if kind == "foreign key"
            else None,
            on_update=_FK_ACTIONS.get(c.get("fk_upd_action", ""))
            if kind == "foreign key"
            else None,
            not_valid=bool(c.get("skip_validation")),
        )

    def column_def(self, cd: dict[str, Any]) -> ColumnDef:
        name = cd.get("colname", "")
        type_text, serial = _pg_type(cd.get("typeName"))
        line = self.line_at(cd.get("location"))
        not_null: bool | None = None
        default: str | None = None
        pk = unique = identity = generated = False
        ref: Constraint | None = None
        for item in cd.get("constraints") or ():
            c = item.get("Constraint", {})
            ct = c.get("contype")
            if ct == "CONSTR_NOTNULL":
                not_null = True
            elif ct == "CONSTR_NULL":
                not_null = False
            elif ct == "CONSTR_DEFAULT":
                default = _pg_expr_text(c.get("raw_expr"))
            elif ct == "CONSTR_PRIMARY":
                pk, not_null = True, True
            elif ct == "CONSTR_UNIQUE":
                unique = True
            elif ct == "CONSTR_IDENTITY":
                identity = True
            elif ct == "CONSTR_GENERATED":
                generated = True
            elif ct == "CONSTR_FOREIGN":
                ref = self.constraint(c, column=name, line=line)
        if serial:
            identity = True
            default = default or "autoincrement()"
        return ColumnDef(
            name, type_text, line, not_null, default, pk, unique, identity, generated, (), ref
        )

    # statements
    def _CreateStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols: list[ColumnDef] = []
        cons: list[Constraint] = []
        for elt in b.get("tableElts") or ():
            if "ColumnDef" in elt:
                cols.append(self.column_def(elt["ColumnDef"]))
            elif "Constraint" in elt:
                c = self.constraint(elt["Constraint"])
                if c is not None:
                    cons.append(c)
        td = TableDef(
            rel.get("relname", ""),
            rel.get("schemaname"),
            tuple(cols),
            tuple(cons),
            bool(b.get("if_not_exists")),
        )
        return K.CREATE_TABLE, [
            Action(K.CREATE_TABLE, self.base_line, table=td.name, schema=td.schema, table_def=td)
        ]

    def _AlterTableStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        table, schema = rel.get("relname"), rel.get("schemaname")
        objtype = b.get("objtype", "OBJECT_TABLE")
        if objtype not in ("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE"):
            return K.OTHER, [Action(K.OTHER, self.base_line, table=table, detail=objtype)]
        self.pos = self.begin
        self.find_line(table)
        out: list[Action] = []
        for item in b.get("cmds") or ():
            cmd = item.get("AlterTableCmd", {})
            out.append(self.alter_cmd(cmd, table, schema))
        return K.ALTER_TABLE, out

    def alter_cmd(self, cmd: dict[str, Any], table: str | None, schema: str | None) -> Action:
        st = cmd.get("subtype", "")
        if st == "AT_AddColumn":  # by far the most common: first, with no other look-ups
            cd = self.column_def((cmd.get("def") or {}).get("ColumnDef", {}))
            self.find_line(cd.name)
            return Action(
                K.ADD_COLUMN,
                cd.line,
                table,
                schema,
                cd.name,
                column_def=cd,
                if_exists=bool(cmd.get("missing_ok")),
            )
        name = cmd.get("name")
        cascade = cmd.get("behavior") == "DROP_CASCADE"
        d = cmd.get("def") or {}
        if st == "AT_DropColumn":
            return Action(
                K.DROP_COLUMN,
                self.find_line(name),
                table,
                schema,
                name,
                cascade=cascade,
                if_exists=bool(cmd.get("missing_ok")),
            )
        if st == "AT_AlterColumnType":
            cd = d.get("ColumnDef", {})
            type_text, _ = _pg_type(cd.get("typeName"))
            using = cd.get("raw_default")
            return Action(
                K.ALTER_COLUMN_TYPE,
                self.find_line(name),
                table,
                schema,
                name,
                type=type_text,
                using=_pg_using(using) if using else None,
            )
        if st == "AT_SetNotNull":
            return Action(K.SET_NOT_NULL, self.find_line(name), table, schema, name)
        if st == "AT_DropNotNull":
            return Action(K.DROP_NOT_NULL, self.find_line(name), table, schema, name)
        if st == "AT_ColumnDefault":
            line = self.find_line(name)
            if d:
                return Action(K.SET_DEFAULT, line, table, schema, name, detail=_pg_expr_text(d))
            return Action(K.DROP_DEFAULT, line, table, schema, name)
        if st == "AT_AddConstraint":
            c = self.constraint(d.get("Constraint", {}))
            if c is None:
                return Action(K.OTHER, self.base_line, table, schema, detail="add constraint")
            self.find_line(c.name)
            return Action(K.ADD_CONSTRAINT, c.line, table, schema, name=c.name, constraint=c)
        if st == "AT_DropConstraint":
            return Action(
                K.DROP_CONSTRAINT,
                self.find_line(name),
                table,
                schema,
                name=name,
                cascade=cascade,
                if_exists=bool(cmd.get("missing_ok")),
            )
        return Action(K.OTHER, self.base_line, table, schema, detail=st)

    def _RenameStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rt = b.get("renameType", "")
        rel = b.get("relation") or {}
        new = b.get("newname")
        table, schema = rel.get("relname"), rel.get("schemaname")
        line = self.base_line
        if rt == "OBJECT_TABLE":
            return K.RENAME_TABLE, [
                Action(K.RENAME_TABLE, line, table=table, schema=schema, new_name=new)
            ]
        if rt == "OBJECT_COLUMN":
            return K.RENAME_COLUMN, [
                Action(
                    K.RENAME_COLUMN,
                    line,
                    table=table,
                    schema=schema,
                    column=b.get("subname"),
                    new_name=new,
                )
            ]
        if rt == "OBJECT_INDEX":
            return K.RENAME_INDEX, [
                Action(K.RENAME_INDEX, line, name=table, schema=schema, new_name=new)
            ]
        if rt == "OBJECT_TABCONSTRAINT":
            return K.RENAME_CONSTRAINT, [
                Action(
                    K.RENAME_CONSTRAINT,
                    line,
                    table=table,
                    schema=schema,
                    name=b.get("subname"),
                    new_name=new,
                )
            ]
        if rt in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
            obj = b.get("object") or {}
            names = _names((obj.get("List") or {}).get("items")) or _names(
                (obj.get("TypeName") or {}).get("names")
            )
            return K.RENAME_TYPE, [
                Action(
                    K.RENAME_TYPE,
                    line,
                    name=names[-1] if names else None,
                    schema=names[0] if len(names) > 1 else None,
                    new_name=new,
                )
            ]
        if rt == "OBJECT_SCHEMA":
            return K.RENAME_SCHEMA, [
                Action(K.RENAME_SCHEMA, line, name=b.get("subname"), new_name=new)
            ]
        return K.OTHER, [Action(K.OTHER, line, detail=f"rename {rt}")]

    def _DropStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rt = b.get("removeType", "")
        cascade = b.get("behavior") == "DROP_CASCADE"
        if_exists = bool(b.get("missing_ok"))
        kind = {
            "OBJECT_TABLE": K.DROP_TABLE,
            "OBJECT_TYPE": K.DROP_TYPE,
            "OBJECT_DOMAIN": K.DROP_TYPE,
            "OBJECT_INDEX": K.DROP_INDEX,
            "OBJECT_SCHEMA": K.DROP_SCHEMA,
            "OBJECT_EXTENSION": K.DROP_EXTENSION,
            "OBJECT_VIEW": K.DROP_VIEW,
            "OBJECT_MATVIEW": K.DROP_VIEW,
            "OBJECT_SEQUENCE": K.DROP_SEQUENCE,
        }.get(rt, K.DROP_OTHER)
        self.pos = self.begin
        out: list[Action] = []
        for obj in b.get("objects") or ():
            if "List" in obj:
                names = _names(obj["List"].get("items"))
            elif "TypeName" in obj:
                names = _names(obj["TypeName"].get("names"))
            elif "String" in obj:
                names = [_sval(obj)]
            else:
                names = []
            if not names:
                continue
            name, schema = names[-1], (names[-2] if len(names) > 1 else None)
            line = self.find_line(name)
            if kind == K.DROP_TABLE:
                out.append(
                    Action(
                        kind, line, table=name, schema=schema, cascade=cascade, if_exists=if_exists
                    )
                )
            else:
                out.append(
                    Action(
                        kind,
                        line,
                        name=name,
                        schema=schema,
                        cascade=cascade,
                        if_exists=if_exists,
                        concurrently=bool(b.get("concurrent")),
                        detail=rt,
                    )
                )
        if not out:
            out.append(Action(kind, self.base_line, cascade=cascade, detail=rt))
        return kind, out

    def _IndexStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols: list[str] = []
        for p in b.get("indexParams") or ():
            ie = p.get("IndexElem", {})
            cols.append(ie["name"] if "name" in ie else "(" + _pg_expr_text(ie.get("expr")) + ")")
        unique = bool(b.get("unique"))
        kind = K.CREATE_UNIQUE_INDEX if unique else K.CREATE_INDEX
        return kind, [
            Action(
                kind,
                self.base_line,
                table=rel.get("relname"),
                schema=rel.get("schemaname"),
                name=b.get("idxname"),
                columns=tuple(cols),
                unique=unique,
                concurrently=bool(b.get("concurrent")),
                has_where=bool(b.get("whereClause")),
                detail=b.get("accessMethod", ""),
            )
        ]

    def _ReindexStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        conc = any(
            (p.get("DefElem") or {}).get("defname") == "concurrently" for p in b.get("params") or ()
        )
        rel = b.get("relation") or {}
        return K.REINDEX, [
            Action(
                K.REINDEX,
                self.base_line,
                name=rel.get("relname") or b.get("name"),
                concurrently=conc,
            )
        ]

    def _TruncateStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        tables = tuple(
            (r.get("RangeVar") or {}).get("relname", "") for r in b.get("relations") or ()
        )
        return K.TRUNCATE, [
            Action(
                K.TRUNCATE,
                self.base_line,
                table=tables[0] if tables else None,
                tables=tables,
                cascade=b.get("behavior") == "DROP_CASCADE",
            )
        ]

    def _DeleteStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        return K.DELETE, [
            Action(
                K.DELETE,
                self.base_line,
                table=rel.get("relname"),
                schema=rel.get("schemaname"),
                has_where=bool(b.get("whereClause")),
            )
        ]

    def _UpdateStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols = tuple((t.get("ResTarget") or {}).get("name", "") for t in b.get("targetList") or ())
        return K.UPDATE, [
            Action(
                K.UPDATE,
                self.base_line,
                table=rel.get("relname"),
                schema=rel.get("schemaname"),
                columns=cols,
                has_where=bool(b.get("whereClause")),
            )
        ]

    def _InsertStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("relation") or {}
        cols = tuple((c.get("ResTarget") or {}).get("name", "") for c in b.get("cols") or ())
        sel = (b.get("selectStmt") or {}).get("SelectStmt") or {}
        from_tables = [
            (f.get("RangeVar") or {}).get("relname") for f in sel.get("fromClause") or ()
        ]
        if sel.get("targetList") is not None and from_tables:
            items: list[SelectItem] = []
            for i, t in enumerate(sel.get("targetList") or ()):
                rt = t.get("ResTarget") or {}
                target = cols[i] if i < len(cols) else rt.get("name", "")
                src, how = _pg_select_source(rt.get("val") or {})
                items.append(SelectItem(target, src, how))
            return K.INSERT_SELECT, [
                Action(
                    K.INSERT_SELECT,
                    self.base_line,
                    table=rel.get("relname"),
                    schema=rel.get("schemaname"),
                    columns=cols,
                    source_table=from_tables[0],
                    select_items=tuple(items),
                )
            ]
        return K.INSERT, [Action(K.INSERT, self.base_line, table=rel.get("relname"), columns=cols)]

    def _TransactionStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        k = b.get("kind", "")
        kind = {
            "TRANS_STMT_BEGIN": K.BEGIN,
            "TRANS_STMT_START": K.BEGIN,
            "TRANS_STMT_COMMIT": K.COMMIT,
            "TRANS_STMT_ROLLBACK": K.ROLLBACK,
        }.get(k, K.OTHER)
        return kind, [Action(kind, self.base_line, detail=k)]

    def _CreateEnumStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        names = _names(b.get("typeName"))
        vals = tuple(_names(b.get("vals")))
        return K.CREATE_ENUM, [
            Action(
                K.CREATE_ENUM,
                self.base_line,
                name=names[-1] if names else None,
                schema=names[0] if len(names) > 1 else None,
                values=vals,
            )
        ]

    def _AlterEnumStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        names = _names(b.get("typeName"))
        name = names[-1] if names else None
        schema = names[0] if len(names) > 1 else None
        if b.get("oldVal"):
            return K.RENAME_ENUM_VALUE, [
                Action(
                    K.RENAME_ENUM_VALUE,
                    self.base_line,
                    name=name,
                    schema=schema,
                    values=(b["oldVal"],),
                    new_name=b.get("newVal"),
                )
            ]
        return K.ADD_ENUM_VALUE, [
            Action(
                K.ADD_ENUM_VALUE,
                self.base_line,
                name=name,
                schema=schema,
                values=(b.get("newVal", ""),),
                detail=("after " if b.get("newValIsAfter") else "before ")
                + str(b.get("newValNeighbor") or ""),
            )
        ]

    def _CompositeTypeStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("typevar") or {}
        return K.CREATE_TYPE, [Action(K.CREATE_TYPE, self.base_line, name=rel.get("relname"))]

    def _CreateExtensionStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        opts = {(o.get("DefElem") or {}).get("defname"): o for o in b.get("options") or ()}
        schema = None
        if "schema" in opts:
            schema = _sval((opts["schema"].get("DefElem") or {}).get("arg"))
        return K.CREATE_EXTENSION, [
            Action(
                K.CREATE_EXTENSION,
                self.base_line,
                name=b.get("extname"),
                schema=schema,
                if_exists=bool(b.get("if_not_exists")),
            )
        ]

    def _CreateSchemaStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.CREATE_SCHEMA, [Action(K.CREATE_SCHEMA, self.base_line, name=b.get("schemaname"))]

    def _DropdbStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.DROP_DATABASE, [Action(K.DROP_DATABASE, self.base_line, name=b.get("dbname"))]

    def _ViewStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("view") or {}
        return K.CREATE_VIEW, [Action(K.CREATE_VIEW, self.base_line, name=rel.get("relname"))]

    def _CreateSeqStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("sequence") or {}
        return K.CREATE_SEQUENCE, [
            Action(K.CREATE_SEQUENCE, self.base_line, name=rel.get("relname"))
        ]

    def _AlterSeqStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        rel = b.get("sequence") or {}
        return K.ALTER_SEQUENCE, [Action(K.ALTER_SEQUENCE, self.base_line, name=rel.get("relname"))]

    def _VariableSetStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.SET, [Action(K.SET, self.base_line, name=b.get("name"))]

    def _SelectStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        return K.SELECT, [Action(K.SELECT, self.base_line)]

    # -- code blocks: `DO $$ ... $$` and function bodies ---------------------------------------
    def _DoStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        """`DO $$ BEGIN ... END $$`: the statements of the block run now, each an action at its
        own line (`IF EXISTS (...) THEN ALTER TABLE ... DROP COLUMN ...`)."""
        code, language = _routine_body(b.get("args"))
        head = Action(K.OTHER, self.base_line, detail="do block")
        if code is None or language != "plpgsql":
            return K.OTHER, [head]
        return K.OTHER, [head, *self.block_actions(code)]

    def _CreateFunctionStmt(self, b: dict[str, Any]) -> tuple[str, list[Action]]:
        """A function's statements run when it is called: kept as `body` actions (detail
        "function body: name") that a call in the same migration brings in."""
        code, language = _routine_body(b.get("options"))
        name = _names(b.get("funcname"))
        head = Action(K.OTHER, self.base_line, name=name[-1] if name else None, detail="function")
        if code is None or language not in ("plpgsql", "sql") or not name:
            return K.OTHER, [head]
        inner = self.block_actions(code, language)
        body = [replace(a, detail=f"function body: {name[-1]}|{a.detail}") for a in inner]
        return K.OTHER, [head, *body]

    def block_actions(self, code: str, language: str = "plpgsql") -> list[Action]:
        """The actions of the SQL statements inside a PL/pgSQL (or SQL) body, at their lines."""
        stmt = self.full[self.begin : self.end]
        at = stmt.find(code)
        first_line = self.base_line + (stmt.count("\n", 0, at) if at >= 0 else 0)
        try:
            return list(_plpgsql_actions(code, language, first_line))
        except Exception:  # a body we cannot read: the statement stays as it was
            return []


def _routine_body(options: Any) -> tuple[str | None, str]:
    """The code (`AS $$ ... $$`) and language of a DO/CREATE FUNCTION's options."""
    code: str | None = None
    language = "plpgsql"
    for opt in options or ():
        d = opt.get("DefElem") if isinstance(opt, dict) else None
        if not d:
            continue
        arg = d.get("arg") or {}
        if d.get("defname") == "language" and "String" in arg:
            language = str(arg["String"].get("sval", "")).lower()
        elif d.get("defname") == "as":
            items = arg.get("List", {}).get("items") if "List" in arg else [arg]
            first = (items or [{}])[0]
            if "String" in first:
                code = str(first["String"].get("sval", ""))
    return code, language


def _plpgsql_actions(code: str, language: str, first_line: int) -> Iterator[Action]:
    """Each SQL statement of the body through the statement reader, its lines moved to the
    file (`first_line` is the body's first line)."""
    from pglast import parser as pgparser

    queries: list[tuple[int, str]] = []
    if language == "sql":
        queries.append((1, code))
    else:
        tag = "$kd_body$"
        while tag in code:
            tag = tag[:-1] + "x$"
        wrapped = f"CREATE FUNCTION kd_body() RETURNS void AS {tag}{code}{tag} LANGUAGE plpgsql"
        tree = json.loads(pgparser.parse_plpgsql_json(wrapped))
        _plpgsql_queries(tree, queries, 1)
    for lineno, query in queries:
        parsed = json.loads(pgparser.parse_sql_json(query))
        for raw in parsed.get("stmts") or ():
            node = raw.get("stmt") or {}
            if not node:
                continue
            kind_name, body = next(iter(node.items()))
            handler = _PG_HANDLERS.get(kind_name)
            if handler is None or kind_name in ("DoStmt", "CreateFunctionStmt", "SelectStmt"):
                continue
            loc = int(raw.get("stmt_location", 0))
            length = int(raw.get("stmt_len", 0)) or (len(query) - loc)
            data = query.encode("utf-8")
            reader = _PgStatementReader(
                query, _newlines(query, "\n"), data, 0, len(data) == len(query)
            )
            begin = loc if len(data) == len(query) else len(data[:loc].decode("utf-8", "replace"))
            line = query.count("\n", 0, begin) + 1
            reader.start(begin, length, line, loc)
            _kind, actions = handler(reader, body)
            shift = first_line + lineno - 2
            for a in actions:
                yield replace(a, line=a.line + shift)


def _plpgsql_queries(node: Any, out: list[tuple[int, str]], lineno: int) -> None:
    """The SQL statements of a PL/pgSQL tree (`PLpgSQL_stmt_execsql`, and `EXECUTE 'literal'`)
    with their line in the body."""
    if isinstance(node, list):
        for item in node:
            _plpgsql_queries(item, out, lineno)
        return
    if not isinstance(node, dict):
        return
    lineno = int(node.get("lineno", lineno) or lineno)
    execsql = node.get("PLpgSQL_stmt_execsql")
    if isinstance(execsql, dict):
        line = int(execsql.get("lineno", lineno) or lineno)
        query = ((execsql.get("sqlstmt") or {}).get("PLpgSQL_expr") or {}).get("query")
        if isinstance(query, str):
            out.append((line, query))
        return
    dyn = node.get("PLpgSQL_stmt_dynexecute")
    if isinstance(dyn, dict):
        line = int(dyn.get("lineno", lineno) or lineno)
        query = ((dyn.get("query") or {}).get("PLpgSQL_expr") or {}).get("query")
        m = re.fullmatch(r"\s*'((?:[^']|'')*)'\s*", query or "")
        if m:
            out.append((line, m.group(1).replace("''", "'")))
        return
    for value in node.values():
        _plpgsql_queries(value, out, lineno)


def _pg_using(node: dict[str, Any]) -> str:
    """The USING expression of an ALTER COLUMN TYPE as `col::a::b` (enough to see casts)."""
    parts: list[str] = []
    cur: Any = node
    while isinstance(cur, dict) and "TypeCast" in cur:
        tc = cur["TypeCast"]
        t, _ = _pg_type(tc.get("typeName"))
        parts.append(t or "?")
        cur = tc.get("arg")
    base = _pg_expr_text(cur) if isinstance(cur, dict) else "?"
    return base + "".join("::" + p for p in reversed(parts))


def _pg_select_source(val: dict[str, Any]) -> tuple[str | None, str]:
    if "ColumnRef" in val:
        names = _names(val["ColumnRef"].get("fields"))
        return (names[-1] if names else None), "column"
    if "CoalesceExpr" in val:
        args = val["CoalesceExpr"].get("args") or []
        if args and "ColumnRef" in args[0]:
            names = _names(args[0]["ColumnRef"].get("fields"))
            return (names[-1] if names else None), "coalesce"
        return None, "coalesce"
    if "A_Const" in val or "TypeCast" in val:
        inner = val.get("TypeCast", {}).get("arg", val) if "TypeCast" in val else val
        if "ColumnRef" in inner:
            names = _names(inner["ColumnRef"].get("fields"))
            return (names[-1] if names else None), "column"
        return None, "literal"
    return None, "expr"


def _pg_split(text: str) -> Iterator[tuple[int, int]]:
    """Statement ranges of PostgreSQL text, split on `;` outside strings, quoted names,
    dollar quotes and comments (used only when the whole file does not parse)."""
    i, start, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "'" or ch == '"':
            close = text.find(ch, i + 1)
            while close != -1 and text.startswith(ch * 2, close):
                close = text.find(ch, close + 2)
            i = n if close == -1 else close + 1
            continue
        if ch == "$":
            m = _DOLLAR.match(text, i)
            if m:
                close = text.find(m.group(0), m.end())
                i = n if close == -1 else close + len(m.group(0))
                continue
        if text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl == -1 else nl
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        if ch == ";":
            yield start, i
            start = i + 1
        i += 1
    if start < n:
        yield start, n


_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")
_SKIPPABLE = frozenset(" \t\r\n\f\v-/")


def _parse_pg(path: str, text: str) -> tuple[list[Statement], list[Finding]]:
    from pglast import parser as pgparser  # imported lazily: not needed for other dialects

    statements: list[Statement] = []
    problems: list[Finding] = []
    newlines = _newlines(text, "\n")
    prev_end = 0
    functions: dict[str, list[Action]] = {}

    def add(
        begin: int,
        end: int,
        gap_start: int,
        kind_name: str,
        body: dict[str, Any],
        reader: _PgStatementReader | None,
        error: str | None,
        base_offset: int,
    ) -> None:
        gap = text[gap_start:begin]
        comments, headers = _GAP_CACHE.get(gap) or _gap_comments_cached(gap)
        body_text = text[begin:end].rstrip().rstrip(";").rstrip()
        line = bisect.bisect_left(newlines, begin) + 1
        col = begin - (text.rfind("\n", 0, begin) + 1) + 1
        if error is not None or reader is None:
            kind, actions = K.INVALID, [Action(K.INVALID, line, detail=error or "")]
        else:
            reader.start(begin, len(body_text), line, base_offset)
            handler = _PG_HANDLERS.get(kind_name)
            try:
                if handler is None:
                    kind, actions = K.OTHER, [Action(K.OTHER, line, detail=kind_name)]
                else:
                    kind, actions = handler(reader, body)
            except Exception as exc:  # an AST shape we did not foresee: keep the statement
                kind, actions = K.OTHER, [Action(K.OTHER, line, detail=f"{kind_name}: {exc}")]
            if kind_name == "CreateFunctionStmt" and len(actions) > 1:
                # a function's statements count where the migration calls it
                name = actions[0].name or ""
                functions[name.lower()] = [
                    replace(a, detail=a.detail.split("|", 1)[-1]) for a in actions[1:]
                ]
                actions = actions[:1]
            elif functions and kind_name in ("SelectStmt", "CallStmt", "DoStmt"):
                low = body_text.lower()
                for fname, body_actions in functions.items():
                    if re.search(rf"\b{re.escape(fname)}\s*\(", low):
                        actions = [*actions, *body_actions]
        statements.append(
            Statement(
                len(statements),
                kind,
                line,
                col,
                line + body_text.count("\n"),
                tuple(actions),
                headers,
                comments,
                body_text,
                error,
            )
        )

    def read_piece(piece: str, offset: int) -> None:
        nonlocal prev_end
        data = piece.encode("utf-8")
        ascii_only = len(data) == len(piece)

        def cpos(byte_pos: int) -> int:
            if ascii_only:
                return offset + byte_pos
            return offset + len(data[:byte_pos].decode("utf-8", "replace"))

        parsed = json.loads(pgparser.parse_sql_json(piece))
        reader = _PgStatementReader(text, newlines, data, offset, ascii_only)
        for raw in parsed.get("stmts") or ():
            loc = int(raw.get("stmt_location", 0))
            length = int(raw.get("stmt_len", 0)) or (len(data) - loc)
            if ascii_only:
                a, b = offset + loc, offset + loc + length
            else:
                a, b = cpos(loc), cpos(loc + length)
            begin = a if a < b and text[a] not in _SKIPPABLE else _skip_to_code(text, a, b)
            node = raw.get("stmt") or {}
            kind_name, body = next(iter(node.items())) if node else ("Empty", {})
            base = (begin - offset) if ascii_only else len(text[offset:begin].encode("utf-8"))
            add(begin, b, prev_end, kind_name, body, reader, None, base)
            prev_end = b

    try:
        read_piece(text, 0)
        return statements, problems
    except pgparser.ParseError:
        statements.clear()
        prev_end = 0
    # Some statement is invalid: split the text and parse each piece alone.
    for a, b in _pg_split(text):
        begin, _ = _skip_comments(text, a, b)
        if begin >= b:
            continue
        try:
            read_piece(text[a:b], a)
        except pgparser.ParseError as exc:
            msg = str(exc.args[0]) if exc.args else str(exc)
            at = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            if at is None:  # "at end of input": the error is where the statement stops
                err = a + len(text[a:b].rstrip())
            else:
                piece_bytes = text[a:b].encode("utf-8")
                err = a + len(piece_bytes[:at].decode("utf-8", "replace"))
            err_line = text.count("\n", 0, err) + 1
            err_col = err - (text.rfind("\n", 0, err) + 1) + 1
            add(begin, b, prev_end, "", {}, None, msg, 0)
            problems.append(_problem(path, err_line, err_col, msg))
        prev_end = b
    return statements, problems


_PG_HANDLERS: dict[
    str, Callable[[_PgStatementReader, dict[str, Any]], tuple[str, list[Action]]]
] = {
    name[1:]: fn
    for name, fn in vars(_PgStatementReader).items()
    if name.startswith("_") and name[1:2].isupper() and callable(fn)
}
"""libpg_query node name -> the reader's method for it (`CreateStmt` -> `_CreateStmt`)."""


def _newlines(data: Any, sep: Any) -> list[int]:
    """Offsets of every `sep` (a newline) in `data` (text or bytes), in order."""
    if isinstance(data, str):  # the same, from the lengths of the lines (all in C)
        return list(accumulate(map(_PLUS_ONE, map(len, data.split(sep))), initial=-1))[1:-1]
    out: list[int] = []
    find = data.find
    pos = find(sep)
    while pos != -1:
        out.append(pos)
        pos = find(sep, pos + 1)
    return out


_PLUS_ONE = (1).__add__

_GAP_CACHE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_GAP_CACHED_CHARS = 256
"""Only gaps this short are remembered (Prisma's repeated ones are), so the cache holds at
most about 4,096 x 256 characters whatever the migrations hold."""


def _gap_comments_cached(gap: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The comments between two statements and the Prisma headers among them. Prisma writes
    the same few gaps (`;\n\n-- AddForeignKey\n`) over and over: they are remembered."""
    hit = _GAP_CACHE.get(gap)
    if hit is None:
        comments = _gap_comments(gap) if ("-" in gap or "/" in gap) else []
        hit = (tuple(comments), _headers(comments))
        if len(gap) <= _GAP_CACHED_CHARS:  # bounded in bytes: 4,096 short gaps
            if len(_GAP_CACHE) >= 4096:
                _GAP_CACHE.clear()
            _GAP_CACHE[gap] = hit
    return hit


_GAP_COMMENT = re.compile(r"--([^\n]*)|/\*(.*?)(?:\*/|\Z)", re.S)


def _gap_comments(gap: str) -> list[str]:
    """The comments in the text between two statements, in order."""
    return [(m.group(1) or m.group(2) or "").strip() for m in _GAP_COMMENT.finditer(gap)]


# -- MySQL, SQLite, SQL Server via sqlglot -------------------------------------------------------------
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_SG_TYPE_NAMES = {"INT": "INTEGER", "BOOL": "BOOLEAN"}


def _sg_type(dt: Any) -> tuple[str | None, tuple[str, ...]]:
    """Canonical type text and inline ENUM values of a sqlglot DataType."""
    from sqlglot import exp

    if dt is None or not isinstance(dt, exp.DataType):
        return None, ()
    kind = dt.this
    name = getattr(kind, "name", str(kind))
    if name == "USERDEFINED":
        return '"' + str(dt.args.get("kind") or dt.sql()) + '"', ()
    name = _SG_TYPE_NAMES.get(name, name).replace("_", " ")
    if name in ("ENUM", "SET"):
        vals = tuple(str(e.this) for e in dt.expressions if isinstance(e, exp.Literal))
        return name, vals
    params: list[str] = []
    for e in dt.expressions:
        inner = e.this if isinstance(e, exp.DataTypeParam) else e
        params.append(str(getattr(inner, "this", inner)) if inner is not None else "")
    text = name + ("(" + ",".join(params) + ")" if params else "")
    if "UNSIGNED" in name:
        text = name.replace(" UNSIGNED", "") + " UNSIGNED"
    return text, ()


def _ident(node: Any) -> str:
    from sqlglot import exp

    if node is None:
        return ""
    if isinstance(node, exp.Identifier):
        return str(node.this)
    if isinstance(node, exp.Column | exp.Table):
        return str(node.name)
    if isinstance(node, exp.Schema):
        return _ident(node.this)
    if isinstance(node, exp.Expression):
        return str(node.name)
    return str(node)


def _table_parts(node: Any) -> tuple[str | None, str | None]:
    from sqlglot import exp

    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return node.name, (node.db or None)
    if node is None:
        return None, None
    return _ident(node), None


def _sg_ref_options(options: Any) -> tuple[str | None, str | None]:
    on_delete = on_update = None
    for o in options or ():
        s = str(o).upper()
        if s.startswith("ON DELETE "):
            on_delete = s[len("ON DELETE ") :]
        elif s.startswith("ON UPDATE "):
            on_update = s[len("ON UPDATE ") :]
    return on_delete, on_update


class _SgStatementReader:
    def __init__(self, stmt_text: str, base_line: int) -> None:
        self.text = stmt_text
        self.base_line = base_line
        self.pos = 0

    def find_line(self, name: str | None) -> int:
        if not name:
            return self.base_line
        for needle in (f"`{name}`", f'"{name}"', f"[{name}]", name):
            i = self.text.find(needle, self.pos)
            if i != -1:
                self.pos = i + len(needle)
                return self.base_line + self.text.count("\n", 0, i)
        return self.base_line

    def reference(self, ref: Any, cols: tuple[str, ...], name: str | None, line: int) -> Constraint:
        from sqlglot import exp

        target = ref.this if ref is not None else None
        rt, rs = _table_parts(target)
        rcols = (
            tuple(_ident(e) for e in target.expressions) if isinstance(target, exp.Schema) else ()
        )
        od, ou = _sg_ref_options(ref.args.get("options") if ref is not None else None)
        return Constraint("foreign key", name, cols, line, rt, rs, rcols, od, ou)

    def constraint(self, node: Any, name: str | None = None) -> Constraint | None:
        from sqlglot import exp

        line = self.find_line(name) if name else self.base_line
        if isinstance(node, exp.Constraint):
            cname = _ident(node.this)
            line = self.find_line(cname)
            for inner in node.expressions:
                c = self.constraint(inner, cname)
                if c is not None:
                    return c
            return None
        if isinstance(node, exp.PrimaryKey):
            if not name:
                line = self.find_line("PRIMARY KEY")
            return Constraint("primary key", name, tuple(_ident(e) for e in node.expressions), line)
        if isinstance(node, exp.ForeignKey):
            cols = tuple(_ident(e) for e in node.expressions)
            return self.reference(node.args.get("reference"), cols, name, line)
        if isinstance(node, exp.UniqueColumnConstraint):
            sch = node.this
            ucols: tuple[str, ...] = ()
            iname = name
            if isinstance(sch, exp.Schema):
                ucols = tuple(_ident(e) for e in sch.expressions)
                if not iname and sch.this is not None:
                    iname = _ident(sch.this)
                    line = self.find_line(iname)
            return Constraint("unique", iname, ucols, line)
        if isinstance(node, exp.CheckColumnConstraint | exp.Check):
            return Constraint("check", name, (), line)
        if isinstance(node, exp.IndexColumnConstraint):
            iname = _ident(node.this) if node.this is not None else name
            cols = tuple(
                _ident(e.this if isinstance(e, exp.Ordered) else e) for e in node.expressions
            )
            return Constraint("index", iname, cols, self.find_line(iname) if iname else line)
        return None

    def column_def(self, cd: Any) -> ColumnDef:
        from sqlglot import exp

        name = _ident(cd.this)
        line = self.find_line(name)
        type_text, enum_vals = _sg_type(cd.args.get("kind"))
        not_null: bool | None = None
        default: str | None = None
        pk = unique = identity = generated = False
        ref: Constraint | None = None
        for c in cd.args.get("constraints") or ():
            k = c.args.get("kind") if isinstance(c, exp.ColumnConstraint) else c
            if isinstance(k, exp.NotNullColumnConstraint):
                not_null = not k.args.get("allow_null")
            elif isinstance(k, exp.DefaultColumnConstraint):
                default = k.this.sql() if k.this is not None else "?"
            elif isinstance(k, exp.PrimaryKeyColumnConstraint):
                pk = True
            elif isinstance(k, exp.UniqueColumnConstraint):
                unique = True
            elif isinstance(
                k, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)
            ):
                identity = True
            elif isinstance(k, exp.ComputedColumnConstraint):
                generated = True
            elif isinstance(k, exp.Reference):
                ref = self.reference(k, (name,), None, line)
        if pk and not_null is None:
            not_null = True
        return ColumnDef(
            name,
            type_text,
            line,
            not_null,
            default,
            pk,
            unique,
            identity,
            generated,
            enum_vals,
            ref,
        )

    def read(self, node: Any) -> tuple[str, list[Action]]:
        from sqlglot import exp

        line = self.base_line
        if isinstance(node, exp.Create):
            kind = str(node.args.get("kind") or "").upper()
            if kind == "TABLE":
                sch = node.this
                tname, tschema = _table_parts(sch)
                self.find_line(tname)
                cols: list[ColumnDef] = []
                cons: list[Constraint] = []
                for e in sch.expressions if isinstance(sch, exp.Schema) else ():
                    if isinstance(e, exp.ColumnDef):
                        cols.append(self.column_def(e))
                    else:
                        c = self.constraint(e)
                        if c is not None:
                            cons.append(c)
                td = TableDef(
                    tname or "", tschema, tuple(cols), tuple(cons), bool(node.args.get("exists"))
                )
                return K.CREATE_TABLE, [
                    Action(K.CREATE_TABLE, line, table=tname, schema=tschema, table_def=td)
                ]
            if kind == "INDEX":
                idx = node.this
                tname, tschema = _table_parts(idx.args.get("table"))
                params = idx.args.get("params")
                cols_i: list[str] = []
                for o in (params.args.get("columns") or ()) if params is not None else ():
                    col = o.this if isinstance(o, exp.Ordered) else o
                    cols_i.append(_ident(col) if isinstance(col, exp.Column) else col.sql())
                unique = bool(node.args.get("unique"))
                k = K.CREATE_UNIQUE_INDEX if unique else K.CREATE_INDEX
                return k, [
                    Action(
                        k,
                        line,
                        table=tname,
                        schema=tschema,
                        name=_ident(idx.this),
                        columns=tuple(cols_i),
                        unique=unique,
                        concurrently=bool(node.args.get("concurrently")),
                    )
                ]
            if kind == "VIEW":
                return K.CREATE_VIEW, [Action(K.CREATE_VIEW, line, name=_ident(node.this))]
            if kind == "SCHEMA":
                return K.CREATE_SCHEMA, [Action(K.CREATE_SCHEMA, line, name=_ident(node.this))]
            return K.OTHER, [Action(K.OTHER, line, detail="create " + kind.lower())]
        if isinstance(node, exp.Drop):
            kind = str(node.args.get("kind") or "").upper()
            k = {
                "TABLE": K.DROP_TABLE,
                "INDEX": K.DROP_INDEX,
                "VIEW": K.DROP_VIEW,
                "SCHEMA": K.DROP_SCHEMA,
                "DATABASE": K.DROP_DATABASE,
                "TYPE": K.DROP_TYPE,
            }.get(kind, K.DROP_OTHER)
            out: list[Action] = []
            cluster = node.args.get("cluster")
            on_table = _table_parts(cluster.this)[0] if cluster is not None else None
            for t in node.args.get("tables") or ([node.this] if node.this is not None else []):
                tname, tschema = _table_parts(t)
                tl = self.find_line(tname)
                if k == K.DROP_TABLE:
                    out.append(
                        Action(
                            k,
                            tl,
                            table=tname,
                            schema=tschema,
                            cascade=bool(node.args.get("cascade")),
                            if_exists=bool(node.args.get("exists")),
                        )
                    )
                else:
                    out.append(
                        Action(
                            k,
                            tl,
                            name=tname,
                            table=on_table,
                            schema=tschema,
                            cascade=bool(node.args.get("cascade")),
                            if_exists=bool(node.args.get("exists")),
                        )
                    )
            return k, out or [Action(k, line)]
        if isinstance(node, exp.Alter):
            tname, tschema = _table_parts(node.this)
            self.find_line(tname)
            acts = [self.alter_action(a, tname, tschema) for a in node.args.get("actions") or ()]
            if len(acts) == 1 and acts[0].kind == K.RENAME_TABLE:
                return K.RENAME_TABLE, acts
            return K.ALTER_TABLE, acts or [Action(K.OTHER, line, table=tname)]
        if isinstance(node, exp.TruncateTable):
            tables = tuple(_table_parts(t)[0] or "" for t in node.expressions)
            return K.TRUNCATE, [
                Action(K.TRUNCATE, line, table=tables[0] if tables else None, tables=tables)
            ]
        if isinstance(node, exp.Delete):
            tname, tschema = _table_parts(node.this)
            return K.DELETE, [
                Action(
                    K.DELETE,
                    line,
                    table=tname,
                    schema=tschema,
                    has_where=bool(node.args.get("where")),
                )
            ]
        if isinstance(node, exp.Update):
            tname, tschema = _table_parts(node.this)
            return K.UPDATE, [
                Action(
                    K.UPDATE,
                    line,
                    table=tname,
                    schema=tschema,
                    has_where=bool(node.args.get("where")),
                )
            ]
        if isinstance(node, exp.Insert):
            return self.insert(node)
        if isinstance(node, exp.Transaction):
            return K.BEGIN, [Action(K.BEGIN, line)]
        if isinstance(node, exp.Commit):
            return K.COMMIT, [Action(K.COMMIT, line)]
        if isinstance(node, exp.Rollback):
            return K.ROLLBACK, [Action(K.ROLLBACK, line)]
        if isinstance(node, exp.Pragma):
            return K.PRAGMA, [Action(K.PRAGMA, line, detail=node.this.sql() if node.this else "")]
        if isinstance(node, exp.Set):
            return K.SET, [Action(K.SET, line)]
        if isinstance(node, exp.Query):
            return K.SELECT, [Action(K.SELECT, line)]
        if isinstance(node, exp.Command):
            return self.command(node)
        return K.OTHER, [Action(K.OTHER, line, detail=type(node).__name__)]

    def command(self, node: Any) -> tuple[str, list[Action]]:
        """Statements sqlglot keeps as raw commands: recognise the few that matter."""
        head = str(node.this).upper()
        rest = str(node.expression.this) if node.expression is not None else ""
        line = self.base_line
        if head == "RENAME":
            m = re.match(
                r"\s*TABLE\s+[`\"\[]?([^`\"\]\s]+)[`\"\]]?\s+TO\s+[`\"\[]?([^`\"\]\s]+)", rest, re.I
            )
            if m:
                return K.RENAME_TABLE, [
                    Action(K.RENAME_TABLE, line, table=m.group(1), new_name=m.group(2))
                ]
        if head in ("BEGIN", "START") and not rest.upper().startswith(("TRY", "CATCH")):
            return K.BEGIN, [Action(K.BEGIN, line)]
        if head in ("COMMIT", "END") and not rest.upper().startswith(("TRY", "CATCH")):
            return K.COMMIT, [Action(K.COMMIT, line)]
        if head == "PRAGMA":
            return K.PRAGMA, [Action(K.PRAGMA, line, detail=rest.strip())]
        return K.OTHER, [Action(K.OTHER, line, detail=(head + " " + rest).strip()[:80])]

    def insert(self, node: Any) -> tuple[str, list[Action]]:
        from sqlglot import exp

        target = node.this
        tname, tschema = _table_parts(target)
        cols = (
            tuple(_ident(e) for e in target.expressions) if isinstance(target, exp.Schema) else ()
        )
        sel = node.expression
        frm = (
            (sel.args.get("from_") or sel.args.get("from")) if isinstance(sel, exp.Select) else None
        )
        if isinstance(sel, exp.Select) and frm is not None:
            src = _table_parts(frm.this)[0] if frm is not None else None
            items: list[SelectItem] = []
            for i, e in enumerate(sel.expressions):
                tgt = cols[i] if i < len(cols) else e.alias_or_name
                val = e.this if isinstance(e, exp.Alias) else e
                if isinstance(val, exp.Column):
                    items.append(SelectItem(tgt, val.name, "column"))
                elif isinstance(val, exp.Coalesce):
                    first = val.this
                    items.append(
                        SelectItem(
                            tgt, first.name if isinstance(first, exp.Column) else None, "coalesce"
                        )
                    )
                elif isinstance(val, exp.Literal | exp.Null | exp.Boolean):
                    items.append(SelectItem(tgt, None, "literal"))
                else:
                    c = val.find(exp.Column)
                    items.append(SelectItem(tgt, c.name if c is not None else None, "expr"))
            return K.INSERT_SELECT, [
                Action(
                    K.INSERT_SELECT,
                    self.base_line,
                    table=tname,
                    schema=tschema,
                    columns=cols,
                    source_table=src,
                    select_items=tuple(items),
                )
            ]
        return K.INSERT, [Action(K.INSERT, self.base_line, table=tname, columns=cols)]

    def alter_action(self, a: Any, table: str | None, schema: str | None) -> Action:
        from sqlglot import exp

        common: dict[str, Any] = {"table": table, "schema": schema}
        if isinstance(a, exp.ColumnDef):
            cd = self.column_def(a)
            return Action(K.ADD_COLUMN, cd.line, column=cd.name, column_def=cd, **common)
        if isinstance(a, exp.Drop):
            kind = str(a.args.get("kind") or "").upper()
            names = [_ident(t) for t in a.args.get("tables") or ()]
            name = names[0] if names else None
            line = self.find_line(name)
            cascade = bool(a.args.get("cascade"))
            if kind == "COLUMN":
                return Action(
                    K.DROP_COLUMN,
                    line,
                    column=name,
                    cascade=cascade,
                    if_exists=bool(a.args.get("exists")),
                    **common,
                )
            if kind == "FOREIGN KEY":
                return Action(K.DROP_FOREIGN_KEY, line, name=name, **common)
            if kind == "INDEX":
                return Action(K.DROP_INDEX, line, name=name, **common)
            if kind == "CONSTRAINT":
                return Action(K.DROP_CONSTRAINT, line, name=name, cascade=cascade, **common)
            return Action(K.OTHER, line, detail="drop " + kind.lower(), **common)
        if isinstance(a, exp.DropPrimaryKey):
            return Action(K.DROP_PRIMARY_KEY, self.find_line("PRIMARY KEY"), **common)
        if isinstance(a, exp.AddConstraint):
            for inner in a.expressions:
                c = self.constraint(inner)
                if c is not None and c.kind == "index":
                    return Action(K.CREATE_INDEX, c.line, name=c.name, columns=c.columns, **common)
                if c is not None and c.kind == "unique" and c.name and "INDEX" in self.text.upper():
                    return Action(
                        K.CREATE_UNIQUE_INDEX,
                        c.line,
                        name=c.name,
                        columns=c.columns,
                        unique=True,
                        **common,
                    )
                if c is not None:
                    return Action(K.ADD_CONSTRAINT, c.line, name=c.name, constraint=c, **common)
            return Action(K.OTHER, self.base_line, detail="add", **common)
        if isinstance(a, exp.ModifyColumn):
            cd = self.column_def(a.this)
            old = a.args.get("rename_from")
            return Action(
                K.MODIFY_COLUMN,
                cd.line,
                column=_ident(old) if old is not None else cd.name,
                new_name=cd.name if old is not None and _ident(old) != cd.name else None,
                column_def=cd,
                type=cd.type,
                **common,
            )
        if isinstance(a, exp.AlterColumn):
            name = _ident(a.this)
            line = self.find_line(name)
            dtype = a.args.get("dtype")
            if dtype is not None:
                t, _ = _sg_type(dtype)
                using = a.args.get("using")
                return Action(
                    K.ALTER_COLUMN_TYPE,
                    line,
                    column=name,
                    type=t,
                    using=using.sql() if using is not None else None,
                    **common,
                )
            if a.args.get("default") is not None:
                return Action(
                    K.SET_DEFAULT, line, column=name, detail=a.args["default"].sql(), **common
                )
            if a.args.get("drop"):
                return Action(K.DROP_DEFAULT, line, column=name, **common)
            allow_null = a.args.get("allow_null")
            if allow_null is not None:
                return Action(
                    K.DROP_NOT_NULL if allow_null else K.SET_NOT_NULL, line, column=name, **common
                )
            return Action(K.OTHER, line, column=name, detail="alter column", **common)
        if isinstance(a, exp.RenameColumn):
            old = _ident(a.this)
            return Action(
                K.RENAME_COLUMN,
                self.find_line(old),
                column=old,
                new_name=_ident(a.args.get("to")),
                **common,
            )
        if isinstance(a, exp.AlterRename):
            new, _ = _table_parts(a.this)
            return Action(K.RENAME_TABLE, self.base_line, new_name=new, **common)
        if isinstance(a, exp.RenameIndex) if hasattr(exp, "RenameIndex") else False:
            return Action(
                K.RENAME_INDEX,
                self.base_line,
                name=_ident(a.this),
                new_name=_ident(a.args.get("to")),
                **common,
            )
        return Action(K.OTHER, self.base_line, detail=type(a).__name__, **common)


_SG_STATEMENT_TYPES: tuple[type, ...] | None = None


def _sg_statement_types() -> tuple[type, ...]:
    global _SG_STATEMENT_TYPES
    if _SG_STATEMENT_TYPES is None:
        from sqlglot import exp

        names = [
            "Create",
            "Drop",
            "Alter",
            "Insert",
            "Update",
            "Delete",
            "Query",
            "TruncateTable",
            "Transaction",
            "Commit",
            "Rollback",
            "Pragma",
            "Set",
            "Command",
            "Use",
            "Merge",
            "Grant",
            "Revoke",
            "Comment",
            "Analyze",
            "Describe",
            "Show",
            "Copy",
            "Execute",
            "Declare",
            "IfBlock",
            "WhileBlock",
            "Revoke",
            "Refresh",
            "Cache",
            "Uncache",
            "Summarize",
            "Kill",
            "Pivot",
            "Values",
        ]
        _SG_STATEMENT_TYPES = tuple(
            t for n in names if isinstance(t := getattr(exp, n, None), type)
        )
    return _SG_STATEMENT_TYPES


def _naive_split(text: str) -> Iterator[tuple[int, int]]:
    """Statement ranges split on `;` outside quotes and comments (the tokenizer's fallback)."""
    i, start, n = 0, 0, len(text)
    quote: str | None = None
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl == -1 else nl
            continue
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close == -1 else close + 2
            continue
        elif ch == ";":
            yield start, i
            start = i + 1
        i += 1
    if text[start:].strip():
        yield start, n


def _parse_sqlglot(
    path: str, text: str, dialect_name: str
) -> tuple[list[Statement], list[Finding]]:
    from sqlglot import TokenType
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ErrorLevel, ParseError, TokenError

    dialect = Dialect.get_or_raise(SQLGLOT_DIALECT[dialect_name])
    statements: list[Statement] = []
    problems: list[Finding] = []
    stypes = _sg_statement_types()
    tsql = dialect_name == "sqlserver"

    def chunks() -> Iterator[tuple[int, int, list[Any] | None]]:
        try:
            tokens = dialect.tokenize(text)
        except TokenError:
            for a, b in _naive_split(text):
                yield a, b, None
            return
        cur: list[Any] = []
        start = 0
        for tok in tokens:
            if tok.token_type == TokenType.SEMICOLON:
                if cur:
                    yield start, tok.start, cur
                cur = []
                start = tok.end + 1
            else:
                cur.append(tok)
        if cur:
            yield start, len(text), cur

    for a, b, toks in chunks():
        begin, comments = _skip_comments(text, a, b)
        if begin >= b:
            continue
        body_text = text[begin:b].rstrip()
        line = text.count("\n", 0, begin) + 1
        col = begin - (text.rfind("\n", 0, begin) + 1) + 1
        end_line = line + body_text.count("\n")
        reader = _SgStatementReader(body_text, line)
        try:
            if toks is None:
                toks = dialect.tokenize(body_text)
                offset = begin
            else:
                offset = 0
            parsed = dialect.parser(error_level=ErrorLevel.RAISE).parse(
                toks, body_text if offset else text
            )
            nodes = [p for p in parsed if p is not None]
            if not nodes:
                continue
            node = nodes[0]
            if not isinstance(node, stypes):
                raise ParseError(f"expected a statement, found {_first_word(body_text)!r}")
            kind, actions = reader.read(node)
            error = None
        except (ParseError, TokenError) as exc:
            msg, eline, ecol = _sg_error(
                exc, line, col, text, begin, offset_is_file=toks is not None
            )
            if tsql and re.search(
                r"\b(TRY|CATCH|TRAN|TRANSACTION|@@TRANCOUNT|THROW)\b", body_text, re.I
            ):
                kind, actions, error = _tsql_wrapper(body_text, line)
            else:
                kind, actions, error = K.INVALID, [Action(K.INVALID, line, detail=msg)], msg
                problems.append(_problem(path, eline, ecol, msg))
        except Exception as exc:  # an AST shape we did not foresee: keep the statement
            kind, actions, error = K.OTHER, [Action(K.OTHER, line, detail=str(exc))], None
        statements.append(
            Statement(
                len(statements),
                kind,
                line,
                col,
                end_line,
                tuple(actions),
                _headers(comments),
                tuple(comments),
                body_text,
                error,
            )
        )
    return statements, problems


def _tsql_wrapper(body: str, line: int) -> tuple[str, list[Action], None]:
    """Prisma's SQL Server TRY/CATCH wrapper pieces: BEGIN TRAN, COMMIT TRAN, the CATCH."""
    up = " ".join(body.upper().split())
    if "CATCH" in up:
        return K.OTHER, [Action(K.OTHER, line, detail="tsql try/catch")], None
    if up.endswith(("BEGIN TRAN", "BEGIN TRANSACTION")):
        return K.BEGIN, [Action(K.BEGIN, line)], None
    if up.startswith(("COMMIT TRAN", "COMMIT")):
        return K.COMMIT, [Action(K.COMMIT, line)], None
    return K.OTHER, [Action(K.OTHER, line, detail="tsql")], None


def _first_word(text: str) -> str:
    parts = text.split(None, 1)
    return parts[0] if parts else ""


def _sg_error(
    exc: Exception, line: int, col: int, text: str, begin: int, offset_is_file: bool
) -> tuple[str, int, int]:
    errors = getattr(exc, "errors", None) or []
    if errors:
        e = errors[0]
        msg = str(e.get("description") or exc).strip()
        el, ec = e.get("line"), e.get("col")
        if isinstance(el, int) and el > 0:
            if offset_is_file:
                return msg, el, max(1, int(ec or 1) - len(str(e.get("highlight") or "")) + 1)
            return msg, line + el - 1, max(1, int(ec or 1))
        return msg, line, col
    msg = str(exc).split("\n", 1)[0].strip()
    return msg, line, col


# -- entry points ----------------------------------------------------------------------------------
_EMPTY_MARKER = "this is an empty migration."
_MANY_ENUM_VALUES = "this migration adds more than one value to an enum"


def parse_migration_sql(source: SourceFile, provider: str | None = None) -> MigrationSqlFile:
    """Parse one migration.sql for `provider` (the lock file's; guessed from the SQL if None)."""
    text = source.text
    dialect = dialect_of(provider or guess_provider(text))
    lines = text.split("\n")
    warnings, _ = _read_warnings(lines)
    low = text.lower()
    empty_marker = _EMPTY_MARKER in low
    note_line = None
    if _MANY_ENUM_VALUES in low:
        for i, ln in enumerate(lines, start=1):
            if _MANY_ENUM_VALUES in ln.lower():
                note_line = i
                break
    # The records built here hold no reference cycles; pausing the cyclic garbage collector
    # while thousands of them are made keeps it from rescanning the heap over and over.
    with gc_paused():
        try:
            if dialect == "postgresql":
                statements, problems = _parse_pg(source.path, text)
            else:
                statements, problems = _parse_sqlglot(source.path, text, dialect)
        except Exception as exc:  # never raise for the project's files
            where = _problem(source.path, 1, 1, f"{type(exc).__name__}: {exc}")
            statements, problems = [], [where]
    return MigrationSqlFile(
        path=source.path,
        dialect=dialect,
        statements=tuple(statements),
        warnings=warnings,
        empty=not statements and not problems,
        empty_marker=empty_marker,
        line_count=len(lines),
        problems=tuple(problems),
        multiple_enum_values_note=note_line,
    )


def _make_parser(provider: str) -> Callable[[SourceFile], MigrationSqlFile]:
    def parse(source: SourceFile) -> MigrationSqlFile:
        return parse_migration_sql(source, provider)

    parse.__qualname__ = f"parse_migration_sql[{provider}]"
    parse.__name__ = parse.__qualname__
    return parse


_PARSERS: dict[str, Callable[[SourceFile], MigrationSqlFile]] = {}


def parser_for(provider: str | None) -> Callable[[SourceFile], MigrationSqlFile]:
    """A `SourceFile -> MigrationSqlFile` function for `ctx.parse`, one per provider (its
    qualified name differs per provider so the parse cache keeps them apart)."""
    key = (provider or "auto").lower()
    fn = _PARSERS.get(key)
    if fn is None:
        fn = _make_parser(key) if key != "auto" else parse_migration_sql
        _PARSERS[key] = fn
    return fn


@lru_cache(maxsize=4096)
def canonical_type(provider: str | None, type_text: str) -> str | None:
    """The canonical form (as in `ColumnDef.type`) of a type written as SQL, e.g. the type
    Prisma would write for a field: `canonical_type("postgresql", "TIMESTAMP(3)")`."""
    dialect = dialect_of(provider)
    if dialect == "postgresql":
        from pglast import parser as pgparser

        try:
            d = json.loads(pgparser.parse_sql_json(f"CREATE TABLE t (c {type_text})"))
            cd = d["stmts"][0]["stmt"]["CreateStmt"]["tableElts"][0]["ColumnDef"]
            return _pg_type(cd.get("typeName"))[0]
        except Exception:
            return None
    import sqlglot
    from sqlglot import exp

    try:
        node = sqlglot.parse_one(
            f"CREATE TABLE t (c {type_text})", read=SQLGLOT_DIALECT.get(dialect, dialect)
        )
        cd = next(iter(node.find_all(exp.ColumnDef)))
        return _sg_type(cd.args.get("kind"))[0]
    except Exception:
        return None


__all__ = [
    "Action",
    "ColumnDef",
    "Constraint",
    "K",
    "MigrationSqlFile",
    "PrismaWarning",
    "SelectItem",
    "Statement",
    "TableDef",
    "canonical_type",
    "dialect_of",
    "guess_provider",
    "parse_migration_sql",
    "parser_for",
]
