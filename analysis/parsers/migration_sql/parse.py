"""The entry points: a `migration.sql` -> `MigrationSqlFile`, the parser for a provider, canonical types."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache

from analysis.gc_pause import gc_paused
from analysis.parsers.migration_sql.pg import _parse_pg
from analysis.parsers.migration_sql.pg_nodes import _pg_type
from analysis.parsers.migration_sql.records import MigrationSqlFile
from analysis.parsers.migration_sql.text import (
    SQLGLOT_DIALECT,
    _problem,
    _read_warnings,
    dialect_of,
    guess_provider,
)
from analysis.sources import SourceFile

# -- entry points ----------------------------------------------------------------------------------
_EMPTY_MARKER = "this is an empty migration."
_MANY_ENUM_VALUES = "this migration adds more than one value to an enum"


def parse_migration_sql(source: SourceFile, provider: str | None = None) -> MigrationSqlFile:
    """Parse one migration.sql for `provider` (the lock file's; guessed from the SQL if None)."""
    text = source.text
    dialect = dialect_of(provider or guess_provider(text))
    lines = text.split("\n")
    # a warning block is a `/* ... */` comment: most migrations have none, and no line to scan
    warnings = _read_warnings(lines)[0] if "/*" in text else ()
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
            else:  # (its reader is 700 lines a PostgreSQL project never runs)
                from analysis.parsers.migration_sql.sqlglot_reader import _parse_sqlglot

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
        from analysis.parsers.migration_sql.pg_native import pg_parser

        pgparser = pg_parser()

        try:
            d = json.loads(pgparser.parse_sql_json(f"CREATE TABLE t (c {type_text})"))
            cd = d["stmts"][0]["stmt"]["CreateStmt"]["tableElts"][0]["ColumnDef"]
            return _pg_type(cd.get("typeName"))[0]
        except Exception:
            return None
    import sqlglot
    from sqlglot import exp

    from analysis.parsers.migration_sql.sqlglot_reader import _sg_type, quiet_sqlglot

    quiet_sqlglot()
    try:
        node = sqlglot.parse_one(
            f"CREATE TABLE t (c {type_text})", read=SQLGLOT_DIALECT.get(dialect, dialect)
        )
        cd = next(iter(node.find_all(exp.ColumnDef)))
        return _sg_type(cd.args.get("kind"))[0]
    except Exception:
        return None
