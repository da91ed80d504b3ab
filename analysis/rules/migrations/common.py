"""Rules of the migrations area: KD601-KD623 over each parsed and replayed `migration.sql`.

Every rule reads `migration_histories(ctx)`: the statements and actions the parser found and
the replay's notes (what the database held just before each action), so a table created in
the same migration is not "existing", Prisma's SQLite copy-and-swap is a copy and not a
drop, and Prisma's PostgreSQL enum recreation is one enum change. KD612 (SQL that cannot be
parsed) comes from the parser's `problems`, reported by the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.migrations import Migration, MigrationHistory, migration_histories
from analysis.facts.replay import ActionNote, DbColumn, MigrationReplay, Origin, gc_paused
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.migration_sql import Action, K, Statement
from analysis.records import quick_init
from analysis.sources import FileKind


@quick_init
@dataclass(slots=True, frozen=True)
class _Item:
    """One action of one migration with its replay note."""

    history: MigrationHistory
    migration: Migration
    replay: MigrationReplay
    statement: Statement
    index: int
    action: Action
    note: ActionNote | None

    @property
    def pattern(self) -> str | None:
        return self.note.pattern if self.note is not None else None

    @property
    def table_is_new(self) -> bool:
        return self.note is not None and self.note.table_is_new

    def loc(self, line: int | None = None) -> Location:
        return Location(self.migration.path, line or self.action.line)


def _finding(
    rule: str,
    message: str,
    location: Location,
    related: Iterable[Related] = (),
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        rule,
        severity if severity is not None else BY_ID[rule].severity,
        message,
        location,
        tuple(related),
    )


def _created(origin: Origin | None, what: str) -> tuple[Related, ...]:
    if origin is None:
        return ()
    return (
        Related(
            Location(origin.path, origin.line), f"{what} created by migration {origin.migration}"
        ),
    )


def _q(name: str | None) -> str:
    return f'"{name}"'


def _col(table: str | None, column: str | None) -> str:
    return f'"{table}"."{column}"'


class _Items:
    """Every action of every migration with its replay note, grouped by action kind."""

    __slots__ = ("_added_nullable", "all", "by_kind", "replays")

    def __init__(self, ctx: Context) -> None:
        self.all: list[_Item] = []
        self.by_kind: dict[str, list[_Item]] = {}
        self.replays: list[tuple[MigrationHistory, Migration, MigrationReplay]] = []
        self._added_nullable: set[tuple[str, str, str]] | None = None
        append, by_kind = self.all.append, self.by_kind
        for h in ctx.fact(migration_histories):
            for m, r in zip(h.migrations, h.replays, strict=True):
                self.replays.append((h, m, r))
                notes = r.notes
                for st in m.statements:
                    for i, a in enumerate(st.actions):
                        it = _Item(h, m, r, st, i, a, notes.get((st.index, i)))
                        append(it)
                        group = by_kind.get(a.kind)
                        if group is None:
                            by_kind[a.kind] = [it]
                        else:
                            group.append(it)

    def __iter__(self) -> Iterator[_Item]:
        return iter(self.all)

    def of(self, *kinds: str) -> list[_Item]:
        if len(kinds) == 1:
            return self.by_kind.get(kinds[0], [])
        out: list[_Item] = []
        for k in kinds:
            out.extend(self.by_kind.get(k, ()))
        return out


def migration_items(ctx: Context) -> _Items:
    """Every action of every migration with its replay note (a fact: computed once a run)."""
    with gc_paused():
        return _Items(ctx)


def _added_nullable(items: _Items) -> set[tuple[str, str, str]]:
    """(migration path, table, column) of nullable columns without default added in it.

    Computed once, when a rule first needs it."""
    if items._added_nullable is None:
        items._added_nullable = _find_added_nullable(items)
    return items._added_nullable


def _find_added_nullable(items: _Items) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    for it in items.of(K.ADD_COLUMN):
        a = it.action
        if a.kind == K.ADD_COLUMN and a.column_def is not None:
            cd = a.column_def
            if not cd.not_null and cd.default is None:
                out.add((it.migration.path, a.table or "", cd.name))
    return out


# -- KD601 drop-table ------------------------------------------------------------------------
def drop_table(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.DROP_TABLE):
        a = it.action
        if a.kind != K.DROP_TABLE or it.pattern == "redefine":
            continue
        msg = f"migration {it.migration.name} drops table {_q(a.table)}: every row in it is lost"
        reached = it.note.reached if it.note is not None else ()
        if reached:
            msg += f" (tables that reference it: {', '.join(_q(t) for t in reached)})"
        yield _finding(
            "KD601",
            msg,
            it.loc(),
            _created(it.note.table_created if it.note else None, f"table {_q(a.table)}"),
        )


# -- KD602 drop-column -------------------------------------------------------------------------
def drop_column(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.DROP_COLUMN):
        a = it.action
        if a.kind == K.DROP_COLUMN:
            prev = it.note.previous if it.note is not None else None
            typ = f" ({prev.type})" if prev is not None and prev.type else ""
            yield _finding(
                "KD602",
                f"migration {it.migration.name} drops column {_col(a.table, a.column)}{typ}: "
                "the data in it is lost",
                it.loc(),
                _created(prev.created if prev else None, f"column {_col(a.table, a.column)}"),
            )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            for c in rd.lost_columns:
                yield _finding(
                    "KD602",
                    f"migration {m.name} redefines table {_q(rd.table)} (SQLite copy-and-swap) "
                    f"without copying column {_q(c.name)}: the data in it is lost",
                    Location(m.path, rd.insert_line or rd.line),
                    _created(c.created, f"column {_col(rd.table, c.name)}"),
                )


def _replays(items: _Items) -> list[tuple[MigrationHistory, Migration, MigrationReplay]]:
    return items.replays


# -- KD603 alter-column-type -------------------------------------------------------------------
def _same_type(a: str | None, b: str | None) -> bool:
    return (a or "").upper().replace(" ", "") == (b or "").upper().replace(" ", "")


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


# -- KD604 add-required-column-without-default ------------------------------------------------------
def add_required_column(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.ADD_COLUMN):
        a = it.action
        if a.kind != K.ADD_COLUMN or a.column_def is None:
            continue
        cd = a.column_def
        if not cd.not_null or cd.default is not None or cd.identity or cd.generated:
            continue
        if it.table_is_new:
            continue
        yield _finding(
            "KD604",
            f"migration {it.migration.name} adds required column {_col(a.table, cd.name)} "
            "with no default to an existing table: it fails on a table that has rows",
            it.loc(),
            _created(it.note.table_created if it.note else None, f"table {_q(a.table)}"),
        )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            for col in rd.added_required:
                yield _finding(
                    "KD604",
                    f"migration {m.name} redefines table {_q(rd.table)} with required column "
                    f"{_q(col)} that the copy does not fill and has no default: it fails on a "
                    "table that has rows",
                    Location(m.path, rd.line),
                )


# -- KD605 set-not-null -------------------------------------------------------------------------
def set_not_null(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.SET_NOT_NULL, K.MODIFY_COLUMN):
        a = it.action
        note = it.note
        if note is None or note.table_is_new or note.column_is_new:
            continue
        prev = note.previous
        if a.kind == K.SET_NOT_NULL or (
            a.kind == K.MODIFY_COLUMN
            and prev is not None
            and not prev.not_null
            and a.column_def is not None
            and a.column_def.not_null
        ):
            if a.kind == K.SET_NOT_NULL and prev is not None and prev.not_null:
                continue
            yield _finding(
                "KD605",
                f"migration {it.migration.name} makes {_col(a.table, a.column)} required: it "
                "fails if any row holds NULL there",
                it.loc(),
                _created(prev.created if prev else None, f"column {_col(a.table, a.column)}"),
            )
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            for col in rd.made_required:
                yield _finding(
                    "KD605",
                    f"migration {m.name} redefines table {_q(rd.table)} and makes column "
                    f"{_q(col)} required, copying it as is: it fails if any row holds NULL",
                    Location(m.path, rd.insert_line or rd.line),
                )


# -- KD606 add-unique --------------------------------------------------------------------------------
def add_unique(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.CREATE_UNIQUE_INDEX, K.ADD_CONSTRAINT):
        a = it.action
        if a.kind == K.CREATE_UNIQUE_INDEX:
            cols = a.columns
        elif (
            a.kind == K.ADD_CONSTRAINT
            and a.constraint is not None
            and a.constraint.kind == "unique"
        ):
            cols = a.constraint.columns
        else:
            continue
        note = it.note
        if note is not None and (note.table_is_new or note.unique_existed):
            continue
        safe_new = _added_nullable(items) if cols else set()
        if cols and all((it.migration.path, a.table or "", c) in safe_new for c in cols):
            continue  # every column is new and NULL in existing rows: no duplicates
        yield _finding(
            "KD606",
            f"migration {it.migration.name} adds a unique "
            f"{'index' if a.kind == K.CREATE_UNIQUE_INDEX else 'constraint'} "
            f"{_q(a.name) + ' ' if a.name else ''}on {_q(a.table)}({', '.join(cols)}), an "
            "existing table: it fails if rows already hold duplicate values",
            it.loc(),
            _created(note.table_created if note else None, f"table {_q(a.table)}"),
        )


# -- KD607 enum-value-removed -----------------------------------------------------------------------------
def enum_value_removed(items: _Items) -> Iterator[Finding]:
    for _, m, r in _replays(items):
        for ch in r.enum_changes:
            if not ch.removed:
                continue
            cols = f" (columns {', '.join(ch.columns)})" if ch.columns else ""
            yield _finding(
                "KD607",
                f"migration {m.name} recreates enum {_q(ch.enum)} without "
                f"{', '.join(ch.removed)}{cols}: rows holding "
                f"{'that value' if len(ch.removed) == 1 else 'those values'} make it fail",
                Location(m.path, ch.line),
            )
    for it in items.of(K.MODIFY_COLUMN):
        a = it.action
        prev = it.note.previous if it.note is not None else None
        if a.kind in (K.MODIFY_COLUMN,) and prev is not None and a.column_def is not None:
            removed = [v for v in prev.enum_values if v not in a.column_def.enum_values]
            if prev.enum_values and a.column_def.type == "ENUM" and removed:
                yield _finding(
                    "KD607",
                    f"migration {it.migration.name} redefines the ENUM of "
                    f"{_col(a.table, a.column)} without {', '.join(removed)}: rows holding "
                    f"{'that value' if len(removed) == 1 else 'those values'} fail or are blanked",
                    it.loc(),
                    _created(prev.created, f"column {_col(a.table, a.column)}"),
                )


# -- KD608 bulk-delete ---------------------------------------------------------------------------------------
def bulk_delete(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.TRUNCATE, K.DELETE, K.DROP_SCHEMA, K.DROP_DATABASE):
        a = it.action
        name = it.migration.name
        if a.kind == K.TRUNCATE:
            tables = ", ".join(_q(t) for t in a.tables) or _q(a.table)
            msg = f"migration {name} truncates {tables}: every row is deleted"
            if a.cascade:
                reached = it.note.reached if it.note is not None else ()
                msg += (
                    " and CASCADE empties every table that references "
                    + ("them" if len(a.tables) > 1 else "it")
                    + (f" ({', '.join(_q(t) for t in reached)})" if reached else "")
                )
            yield _finding("KD608", msg, it.loc())
        elif a.kind == K.DELETE and not a.has_where:
            yield _finding(
                "KD608",
                f"migration {name} deletes every row of {_q(a.table)} (DELETE without WHERE)",
                it.loc(),
            )
        elif a.kind == K.DROP_SCHEMA:
            yield _finding(
                "KD608",
                f"migration {name} drops schema {_q(a.name)}"
                + (" with CASCADE" if a.cascade else "")
                + ": every table in it is lost",
                it.loc(),
            )
        elif a.kind == K.DROP_DATABASE:
            yield _finding("KD608", f"migration {name} drops database {_q(a.name)}", it.loc())


# -- KD609 rename ------------------------------------------------------------------------------------------------
def rename(items: _Items) -> Iterator[Finding]:
    for it in items.of(
        K.RENAME_TABLE,
        K.RENAME_COLUMN,
        K.MODIFY_COLUMN,
        K.RENAME_ENUM_VALUE,
        K.RENAME_SCHEMA,
        K.RENAME_TYPE,
    ):
        a = it.action
        if it.pattern is not None:
            continue
        what = None
        if a.kind == K.RENAME_TABLE:
            what = f"table {_q(a.table)} to {_q(a.new_name)}"
        elif a.kind == K.RENAME_COLUMN or (a.kind == K.MODIFY_COLUMN and a.new_name):
            what = f"column {_col(a.table, a.column)} to {_q(a.new_name)}"
        elif a.kind == K.RENAME_ENUM_VALUE:
            what = f"value {a.values[0] if a.values else '?'} of enum {_q(a.name)} to {a.new_name}"
        elif a.kind == K.RENAME_SCHEMA:
            what = f"schema {_q(a.name)} to {_q(a.new_name)}"
        elif a.kind == K.RENAME_TYPE:
            what = f"type {_q(a.name)} to {_q(a.new_name)}"
        if what is None:
            continue
        yield _finding(
            "KD609",
            f"migration {it.migration.name} renames {what}: running code that still uses the "
            "old name fails until it is deployed",
            it.loc(),
        )


# -- KD610 prisma-data-loss-warning ------------------------------------------------------------------------------
def prisma_warning(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            for w in m.warnings:
                yield _finding(
                    "KD610",
                    f"Prisma warned when it wrote migration {m.name}: {w.text}",
                    Location(m.path, w.line),
                )


# -- KD611 empty-migration -----------------------------------------------------------------------------------------
def empty_migration(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            if not m.has_sql:
                yield _finding(
                    "KD611",
                    f"migration folder {m.folder} has no migration.sql: `prisma migrate "
                    "deploy` stops there",
                    Location(m.folder, 1),
                )
            elif m.sql is not None and m.sql.empty:
                what = (
                    "is marked empty (-- This is an empty migration.)"
                    if m.sql.empty_marker
                    else "holds no SQL statement"
                )
                yield _finding(
                    "KD611",
                    f"migration {m.name} {what}: a change meant to be in it is missing",
                    Location(m.path, 1),
                )


# -- KD613 update-without-where, KD614 delete-rows -------------------------------------------------------------------
def update_without_where(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.UPDATE):
        a = it.action
        if a.kind == K.UPDATE and not a.has_where:
            yield _finding(
                "KD613",
                f"migration {it.migration.name} updates every row of {_q(a.table)} (UPDATE "
                "without WHERE): the old values cannot be brought back",
                it.loc(),
            )


def delete_rows(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.DELETE):
        a = it.action
        if a.kind == K.DELETE and a.has_where:
            yield _finding(
                "KD614",
                f"migration {it.migration.name} deletes rows of {_q(a.table)}: rolling the "
                "code back does not bring them back",
                it.loc(),
            )


# -- KD615 drop-type-cascade ------------------------------------------------------------------------------------------
_DROPS = {
    K.DROP_TYPE: "type",
    K.DROP_TABLE: "table",
    K.DROP_SCHEMA: "schema",
    K.DROP_COLUMN: "column",
    K.DROP_CONSTRAINT: "constraint",
    K.DROP_VIEW: "view",
    K.DROP_EXTENSION: "extension",
    K.DROP_SEQUENCE: "sequence",
    K.DROP_INDEX: "index",
    K.DROP_OTHER: "object",
}


def drop_cascade(items: _Items) -> Iterator[Finding]:
    for it in items.of(*_DROPS):
        a = it.action
        if a.kind not in _DROPS or not a.cascade:
            continue
        name = a.column if a.kind == K.DROP_COLUMN else (a.name or a.table)
        yield _finding(
            "KD615",
            f"migration {it.migration.name} drops {_DROPS[a.kind]} {_q(name)} with CASCADE: "
            "every column, constraint and object that depends on it goes too",
            it.loc(),
        )


# -- KD616 primary-key-change ---------------------------------------------------------------------------------------------
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


# -- KD617 constraint-on-existing-rows ----------------------------------------------------------------------------------------
def constraint_on_existing_rows(items: _Items) -> Iterator[Finding]:
    # A foreign key dropped and re-added on the same columns to the same target (Prisma
    # changing onDelete): the rows already satisfied it. Re-pointed to another table, they
    # may not.
    replaced = {
        (
            it.migration.path,
            it.action.table or "",
            it.note.dropped_fk.columns,
            it.note.dropped_fk.ref_table,
        )
        for it in items.of(K.DROP_CONSTRAINT, K.DROP_FOREIGN_KEY)
        if it.note is not None and it.note.dropped_fk is not None
    }
    for it in items.of(K.ADD_CONSTRAINT):
        a = it.action
        c = a.constraint
        if a.kind != K.ADD_CONSTRAINT or c is None:
            continue
        if c.kind not in ("check", "foreign key", "exclude") or c.not_valid:
            continue
        if it.table_is_new:
            continue
        if (
            c.kind == "foreign key"
            and c.columns
            and all(
                (it.migration.path, a.table or "", col) in _added_nullable(items)
                for col in c.columns
            )
        ):
            continue  # new nullable columns: NULL in every existing row, nothing to violate
        if (
            c.kind == "foreign key"
            and (it.migration.path, a.table or "", c.columns, c.ref_table or "") in replaced
        ):
            continue
        fix = (
            " without NOT VALID" if it.history.provider in (None, "postgresql", "postgres") else ""
        )
        yield _finding(
            "KD617",
            f"migration {it.migration.name} adds {c.kind.upper()} constraint "
            f"{_q(c.name) + ' ' if c.name else ''}to existing table {_q(a.table)}{fix}: any "
            "existing row that violates it makes `migrate deploy` fail half-way",
            it.loc(),
            _created(it.note.table_created if it.note else None, f"table {_q(a.table)}"),
        )


# -- KD618 drop-foreign-key ---------------------------------------------------------------------------------------------------
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


# -- KD619 unbalanced-transaction -------------------------------------------------------------------------------------------------
def unbalanced_transaction(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            open_at: int | None = None
            for st in m.statements:
                if st.kind == K.BEGIN:
                    if open_at is not None:
                        yield _finding(
                            "KD619",
                            f"migration {m.name} opens a transaction inside the one opened at "
                            f"line {open_at}",
                            Location(m.path, st.line),
                            (Related(Location(m.path, open_at), "the outer BEGIN"),),
                        )
                    else:
                        open_at = st.line
                elif st.kind in (K.COMMIT, K.ROLLBACK):
                    if open_at is None:
                        yield _finding(
                            "KD619",
                            f"migration {m.name} ends a transaction ({st.kind.upper()}) that it "
                            "never began",
                            Location(m.path, st.line),
                        )
                    open_at = None
            if open_at is not None:
                yield _finding(
                    "KD619",
                    f"migration {m.name} begins a transaction that it never commits: what "
                    "follows may never be applied while the migration is recorded as applied",
                    Location(m.path, open_at),
                )


# -- KD620 extension-not-in-image ---------------------------------------------------------------------------------------------------
CONTRIB = frozenset(
    [
        "adminpack",
        "amcheck",
        "autoinc",
        "bloom",
        "btree_gin",
        "btree_gist",
        "citext",
        "cube",
        "dblink",
        "dict_int",
        "dict_xsyn",
        "earthdistance",
        "file_fdw",
        "fuzzystrmatch",
        "hstore",
        "insert_username",
        "intagg",
        "intarray",
        "isn",
        "lo",
        "ltree",
        "moddatetime",
        "old_snapshot",
        "pageinspect",
        "pg_buffercache",
        "pg_freespacemap",
        "pg_prewarm",
        "pg_stat_statements",
        "pg_surgery",
        "pg_trgm",
        "pg_visibility",
        "pg_walinspect",
        "pgcrypto",
        "pgrowlocks",
        "pgstattuple",
        "plpgsql",
        "postgres_fdw",
        "refint",
        "seg",
        "sslinfo",
        "tablefunc",
        "tcn",
        "tsm_system_rows",
        "tsm_system_time",
        "unaccent",
        "uuid-ossp",
        "xml2",
    ]
)
IMAGE_EXTENSIONS: dict[str, frozenset[str]] = {
    "postgres": CONTRIB,
    "library/postgres": CONTRIB,
    "pgvector/pgvector": CONTRIB | {"vector"},
    "ankane/pgvector": CONTRIB | {"vector"},
    "postgis/postgis": CONTRIB
    | {
        "postgis",
        "postgis_raster",
        "postgis_topology",
        "postgis_tiger_geocoder",
        "postgis_sfcgal",
        "address_standardizer",
        "address_standardizer_data_us",
    },
    "timescale/timescaledb": CONTRIB | {"timescaledb"},
    "tensorchord/pgvecto-rs": CONTRIB | {"vectors"},
}
"""Extensions each known image ships. Other images: unknown, KD620 says nothing."""

_PACKAGE_HINTS = {
    "vector": ("pgvector", "vector"),
    "vectors": ("pgvecto", "vectors"),
    "postgis": ("postgis",),
    "timescaledb": ("timescaledb",),
    "pg_cron": ("cron",),
}


def _image_name(image: str) -> tuple[str, str | None]:
    ref = image.split("@", 1)[0]
    name, tag = ref, None
    if ":" in ref.rsplit("/", 1)[-1]:
        name, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name.startswith("library/"):
        name = name[len("library/") :]
    return name.lower(), tag


def _postgres_databases(ctx: Context) -> list[object]:
    from analysis.facts.databases import databases

    dbs = ctx.fact(databases)
    return [d for d in dbs if getattr(d, "engine", None) == "postgres"]


def _dockerfile_text(ctx: Context, path: str | None) -> str:
    if not path:
        return ""
    src = ctx.source(path)
    return src.text.lower() if src is not None else ""


def _ships(ctx: Context, db: object, ext: str) -> bool | None:
    """Whether the database image ships `ext`: True, False, or None when unknown."""
    image = getattr(db, "image", None)
    if not isinstance(image, str) or not image:
        return None
    name, _ = _image_name(image)
    known = IMAGE_EXTENSIONS.get(name)
    if name.startswith("timescale/timescaledb") and name != "timescale/timescaledb":
        known = None  # -ha and friends ship many extensions
    if known is None:
        return None
    if ext in known:
        return True
    text = _dockerfile_text(ctx, getattr(db, "dockerfile", None))
    if text:
        hints = _PACKAGE_HINTS.get(ext, (ext.replace("_", "-"), ext))
        for line in text.split("\n"):
            if ("run " in line or "apt" in line or "apk" in line or "make" in line) and any(
                h in line for h in hints
            ):
                return True
    return False


def _requested_extensions(ctx: Context, items: _Items) -> list[tuple[str, Location, str]]:
    """(extension, location, where) for every CREATE EXTENSION and datasource extension."""
    out: list[tuple[str, Location, str]] = []
    for it in items.of(K.CREATE_EXTENSION):
        a = it.action
        if a.kind == K.CREATE_EXTENSION and a.name:
            out.append((a.name.lower(), it.loc(), f"migration {it.migration.name}"))
    from analysis.facts.schema import schemas as schema_facts

    for s in ctx.fact(schema_facts):
        for ds in _datasources(s):
            for ext in getattr(ds, "extensions", ()) or ():
                path = getattr(ds, "path", None)
                if isinstance(path, str):
                    out.append(
                        (
                            str(ext.db_name).lower(),
                            Location(path, ext.line, ext.column),
                            "the datasource",
                        )
                    )
    return out


def _datasources(schema: object) -> list[object]:
    ds = getattr(schema, "datasource", None)
    if ds is not None:
        return [ds]
    out: list[object] = []
    for f in getattr(schema, "files", ()) or ():
        out.extend(getattr(f, "datasources", ()) or ())
    return out


def extension_not_in_image(ctx: Context, items: _Items) -> Iterator[Finding]:
    dbs = _postgres_databases(ctx)
    if not dbs:
        return
    seen: set[tuple[str, str, int]] = set()
    for ext, loc, where in _requested_extensions(ctx, items):
        key = (ext, loc.path, loc.line)
        if key in seen:
            continue
        seen.add(key)
        lacking = [db for db in dbs if _ships(ctx, db, ext) is False]
        if not lacking:
            continue
        related: list[Related] = []
        names: list[str] = []
        for db in lacking:
            service = getattr(db, "service", "?")
            image = getattr(db, "image", "?")
            names.append(f"{image} (service {service})")
            db_loc = getattr(db, "image_location", None) or getattr(db, "location", None)
            if isinstance(db_loc, Location):
                related.append(Related(db_loc, f"service {service} runs image {image}"))
        images = ", ".join(names)
        yield _finding(
            "KD620",
            f"{where} needs PostgreSQL extension {ext!r}, which "
            f"{'image' if len(lacking) == 1 else 'images'} {images} "
            f"{'does' if len(lacking) == 1 else 'do'} not ship: `migrate deploy` fails there and "
            "leaves a failed migration that blocks every later one",
            loc,
            related,
        )


# -- KD621 sqlite-redefine-with-referential-actions -------------------------------------------------------------------------------------
_D1_LIBSQL = re.compile(r"d1_databases|@prisma/adapter-d1|@prisma/adapter-libsql|libsql://")


def _enforcing_platform(ctx: Context) -> Location | None:
    """Where the project runs SQLite on D1 or libSQL/Turso (foreign keys stay enforced)."""
    candidates = list(ctx.files(FileKind.PLATFORM, FileKind.PACKAGE_JSON, FileKind.ENV))
    candidates += [p for p in ctx.files(FileKind.PRISMA_CONFIG)]
    for path in candidates:
        base = path.rsplit("/", 1)[-1]
        if (
            base.startswith("wrangler")
            or base == "package.json"
            or path in ctx.files(FileKind.ENV, FileKind.PRISMA_CONFIG)
        ):
            src = ctx.source(path)
            if src is None:
                continue
            m = _D1_LIBSQL.search(src.text)
            if m:
                line = src.text.count("\n", 0, m.start()) + 1
                return Location(path, line)
    return None


def sqlite_redefine_referenced(ctx: Context, items: _Items) -> Iterator[Finding]:
    platform: Location | bool | None = False
    for h, m, r in _replays(items):
        if (h.provider or "") != "sqlite":
            continue
        for rd in r.redefinitions:
            refs = [
                fk
                for fk in rd.referenced_by
                if (fk.on_delete or "").upper() in ("CASCADE", "SET NULL")
            ]
            if not refs:
                continue
            if platform is False:
                platform = _enforcing_platform(ctx)
            enforcing = isinstance(platform, Location)
            names = ", ".join(f"{_q(fk.table)} (ON DELETE {fk.on_delete})" for fk in refs)
            names = ("tables " if len(refs) > 1 else "table ") + names
            if enforcing:
                msg = (
                    f"migration {m.name} redefines table {_q(rd.table)} (copy, DROP TABLE, "
                    f"rename) while {names} reference{'' if len(refs) > 1 else 's'} it, on a platform where foreign keys stay "
                    "enforced during the swap: dropping the old table deletes or nulls those "
                    "rows"
                )
                sev = Severity.HIGH
                related: tuple[Related, ...] = (
                    (Related(platform, "D1 / libSQL: PRAGMA foreign_keys=OFF does nothing here"),)
                    if isinstance(platform, Location)
                    else ()
                )
            else:
                msg = (
                    f"migration {m.name} redefines table {_q(rd.table)} while {names} "
                    f"reference{'' if len(refs) > 1 else 's'} it: safe on plain SQLite, where Prisma's PRAGMAs turn the checks off, but "
                    "on D1 or libSQL the DROP TABLE would delete or null those rows"
                )
                sev = Severity.INFO
                related = ()
            related += tuple(
                Related(
                    Location(fk.created.path, fk.created.line), f"foreign key of {_q(fk.table)}"
                )
                for fk in refs
            )
            yield _finding("KD621", msg, Location(m.path, rd.drop_line), related, sev)


# -- KD622 rename-as-drop-and-add --------------------------------------------------------------------------------------------------------
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


def _table_rename_as_drop(items: _Items) -> Iterator[Finding]:
    by_migration: dict[str, list[_Item]] = {}
    drop_paths = {it.migration.path for it in items.of(K.DROP_TABLE)}
    for it in items.of(K.DROP_TABLE, K.CREATE_TABLE):
        if it.migration.path not in drop_paths:
            continue
        by_migration.setdefault(it.migration.path, []).append(it)
    for group in by_migration.values():
        created: list[_Item] = [
            it
            for it in group
            if it.action.kind == K.CREATE_TABLE
            and it.pattern != "redefine"
            and it.action.table_def is not None
        ]
        if not created:
            continue
        for it in group:
            if it.action.kind != K.DROP_TABLE or it.pattern == "redefine":
                continue
            old_cols = _dropped_table_columns(it)
            if not old_cols:
                continue
            for c in created:
                td = c.action.table_def
                assert td is not None
                new_cols = {(cd.name, (cd.type or "").upper()) for cd in td.columns}
                if new_cols == old_cols and td.name != it.action.table:
                    yield _finding(
                        "KD622",
                        f"migration {it.migration.name} drops table {_q(it.action.table)} and "
                        f"creates {_q(td.name)} with the same columns: if this is a rename, the "
                        f"data is lost; edit the migration into ALTER TABLE "
                        f"{_q(it.action.table)} RENAME TO {_q(td.name)}",
                        it.loc(),
                        (Related(c.loc(), f"table {_q(td.name)} created here"),),
                    )
                    break


def _dropped_table_columns(it: _Item) -> set[tuple[str, str]]:
    """The columns of a dropped table, from the migration that (last) created it."""
    created = it.note.table_created if it.note is not None else None
    if created is None:
        return set()
    h = it.history
    m = h.migration(created.migration)
    if m is None:
        return set()
    for st in m.statements:
        for a in st.actions:
            if a.kind == K.CREATE_TABLE and a.table == it.action.table and a.table_def is not None:
                return {(cd.name, (cd.type or "").upper()) for cd in a.table_def.columns}
    return set()


# -- KD623 concurrent-index-on-broken-postgres ------------------------------------------------------------------------------------------
_PG14_BROKEN = re.compile(r"^14\.([0-3])(?:$|[^0-9])")


def concurrent_index_broken_pg(ctx: Context, items: _Items) -> Iterator[Finding]:
    conc = [
        it
        for it in items.of(K.CREATE_INDEX, K.CREATE_UNIQUE_INDEX, K.REINDEX)
        if it.action.concurrently
        and it.action.kind in (K.CREATE_INDEX, K.CREATE_UNIQUE_INDEX, K.REINDEX)
    ]
    if not conc:
        return
    broken: list[tuple[object, str]] = []
    for db in _postgres_databases(ctx):
        image = getattr(db, "image", None)
        tag = getattr(db, "tag", None)
        if not isinstance(tag, str) and isinstance(image, str):
            tag = _image_name(image)[1]
        if isinstance(tag, str) and _PG14_BROKEN.match(tag):
            broken.append((db, tag))
    for it in conc:
        for db, tag in broken:
            db_loc = getattr(db, "image_location", None) or getattr(db, "location", None)
            yield _finding(
                "KD623",
                f"migration {it.migration.name} builds an index CONCURRENTLY while service "
                f"{getattr(db, 'service', '?')} runs PostgreSQL {tag}, whose concurrent index "
                "builds can silently corrupt indexes (fixed in 14.4): upgrade the image, then "
                "REINDEX",
                it.loc(),
                (Related(db_loc, f"image {getattr(db, 'image', '?')}"),)
                if isinstance(db_loc, Location)
                else (),
            )


# -- the area ------------------------------------------------------------------------------------------------------------------------------
CHECKS: tuple[tuple[str, Callable[[Context], Iterable[Finding]]], ...] = (
    ("drop_table", lambda ctx: drop_table(ctx.fact(migration_items))),
    ("drop_column", lambda ctx: drop_column(ctx.fact(migration_items))),
    ("alter_column_type", lambda ctx: alter_column_type(ctx.fact(migration_items))),
    ("add_required_column", lambda ctx: add_required_column(ctx.fact(migration_items))),
    ("set_not_null", lambda ctx: set_not_null(ctx.fact(migration_items))),
    ("add_unique", lambda ctx: add_unique(ctx.fact(migration_items))),
    ("enum_value_removed", lambda ctx: enum_value_removed(ctx.fact(migration_items))),
    ("bulk_delete", lambda ctx: bulk_delete(ctx.fact(migration_items))),
    ("rename", lambda ctx: rename(ctx.fact(migration_items))),
    ("prisma_warning", prisma_warning),
    ("empty_migration", empty_migration),
    ("update_without_where", lambda ctx: update_without_where(ctx.fact(migration_items))),
    ("delete_rows", lambda ctx: delete_rows(ctx.fact(migration_items))),
    ("drop_cascade", lambda ctx: drop_cascade(ctx.fact(migration_items))),
    ("primary_key_change", lambda ctx: primary_key_change(ctx.fact(migration_items))),
    (
        "constraint_on_existing_rows",
        lambda ctx: constraint_on_existing_rows(ctx.fact(migration_items)),
    ),
    ("drop_foreign_key", lambda ctx: drop_foreign_key(ctx.fact(migration_items))),
    ("unbalanced_transaction", unbalanced_transaction),
    ("extension_not_in_image", lambda ctx: extension_not_in_image(ctx, ctx.fact(migration_items))),
    (
        "sqlite_redefine_referenced",
        lambda ctx: sqlite_redefine_referenced(ctx, ctx.fact(migration_items)),
    ),
    ("rename_as_drop_and_add", lambda ctx: rename_as_drop_and_add(ctx.fact(migration_items))),
    (
        "concurrent_index_broken_pg",
        lambda ctx: concurrent_index_broken_pg(ctx, ctx.fact(migration_items)),
    ),
)
"""The area's checks, by name, in order."""


def check(ctx: Context) -> Iterator[Finding]:
    """Every check of the area in turn (the pipeline runs them one by one, each behind its
    own error boundary: see `analysis.engine`)."""
    for _name, fn in CHECKS:
        yield from fn(ctx)
