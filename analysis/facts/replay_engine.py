"""The replayer: applies each migration's statements, in order, to the working state and
records what every action meant (see `analysis.facts.replay`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analysis.facts.replay_records import (
    ActionNote,
    DatabaseModel,
    DbEnum,
    DbForeignKey,
    DbPrimaryKey,
    EnumChange,
    MigrationReplay,
    Origin,
    Redefinition,
    TableKey,
)
from analysis.facts.replay_state import (
    NOTED,
    ColState,
    EnumState,
    IndexState,
    TableState,
    enum_patterns,
    flat_actions,
    redefine_patterns,
)
from analysis.parsers.migration_sql import Action, ColumnDef, Constraint, K

if TYPE_CHECKING:
    from analysis.facts.migrations import Migration


# -- the replayer --------------------------------------------------------------------------------
class Replayer:
    def __init__(self, provider: str | None) -> None:
        self.provider = provider
        p = (provider or "").lower()
        self.pg = p in ("postgresql", "postgres", "cockroachdb") or not p
        self.default_schema = "public" if self.pg else ""
        self.tables: dict[TableKey, TableState] = {}
        self.enums: dict[TableKey, EnumState] = {}
        self.extensions: dict[str, Origin] = {}
        self.schemas: dict[str, None] = {}
        self.index_owner: dict[tuple[str, str], TableKey] = {}
        self._redefined_age: dict[TableKey, int] = {}

    def key(self, schema: str | None, name: str | None) -> TableKey:
        return (schema or self.default_schema, name or "")

    # -- one migration --------------------------------------------------------------------
    def apply(self, idx: int, m: Migration) -> MigrationReplay:
        if m.sql is None or not m.sql.statements:
            return MigrationReplay(m.name, m.path)
        acts = flat_actions(m.sql.statements)
        kinds = {a.kind for _, _, a in acts}
        # Both patterns end in a rename: without one, there is nothing to look for.
        redefine = redefine_patterns(acts) if K.RENAME_TABLE in kinds else {}
        redefined_targets = {t for t, _ in redefine.values()}
        enum_tmp = enum_patterns(acts) if K.RENAME_TYPE in kinds else {}
        enum_tmp_types = {f'"{n}"' for n in enum_tmp}
        recreated = set(enum_tmp.values())
        enum_old: dict[str, str] = (
            {  # E -> O for recreated enums
                a.name: a.new_name or ""
                for _, _, a in acts
                if a.kind == K.RENAME_TYPE and a.name in recreated
            }
            if recreated
            else {}
        )
        enum_old_names = set(enum_old.values())
        notes: dict[tuple[int, int], ActionNote] = {}
        redefinitions: list[Redefinition] = []
        enum_changes: list[EnumChange] = []
        unknown: list[tuple[str, int]] = []
        created: list[str] = []
        inserts: dict[str, Action] = {}
        temp_lines: dict[str, int] = {}
        enum_before: dict[str, tuple[str, ...]] = {}
        enum_cols: dict[str, list[str]] = {}
        dropped_uniques: set[tuple[TableKey, tuple[str, ...]]] = set()
        path, name = m.path, m.name
        default_schema, tables = self.default_schema, self.tables
        for st_idx, a_idx, a in acts:
            origin = Origin(name, path, a.line)
            k = a.kind
            pattern: str | None = None
            note_kw: dict[str, object] = {}
            tkey = (a.schema or default_schema, a.table) if a.table else None
            table = tables.get(tkey) if tkey else None
            if tkey is not None and table is not None and k in NOTED:
                note_kw["table_is_new"] = table.created_idx == idx
                note_kw["table_created"] = table.created
            if k == K.CREATE_TABLE and a.table_def is not None:
                td = a.table_def
                if table is not None and td.if_not_exists:
                    continue
                self.create_table(td.name, td.schema, td.columns, td.constraints, origin, idx)
                created.append(td.name)
                if td.name in redefine:
                    pattern = "redefine"
                    temp_lines[td.name] = a.line
                for c in td.constraints:
                    if c.kind == "foreign key" and c.ref_table:
                        rk = self.key(c.ref_schema, c.ref_table)
                        if rk not in self.tables and c.ref_table != td.name:
                            unknown.append((c.ref_table, c.line))
            elif (
                tkey is not None
                and table is None
                and k
                not in (
                    K.DROP_TABLE,
                    K.TRUNCATE,
                    K.DELETE,
                    K.UPDATE,
                    K.INSERT,
                    K.INSERT_SELECT,
                    K.OTHER,
                )
            ):
                if not a.if_exists:
                    unknown.append((a.table or "", a.line))
                note_kw["table_known"] = False
            elif k == K.INSERT_SELECT:
                if a.table in redefine:
                    pattern = "redefine"
                    inserts[a.table or ""] = a
                if tkey is not None and table is None:
                    note_kw["table_known"] = False
            elif k == K.DROP_TABLE and tkey is not None:
                if table is None:
                    if not a.if_exists:
                        unknown.append((a.table or "", a.line))
                    note_kw["table_known"] = False
                else:
                    for ix in table.indexes:
                        if ix.unique:
                            dropped_uniques.add((tkey, ix.columns))
                    if table.pk is not None:
                        dropped_uniques.add((tkey, table.pk.columns))
                    if a.table in redefined_targets:
                        pattern = "redefine"
                        temp = next(t for t, (x, _) in redefine.items() if x == a.table)
                        redefinitions.append(
                            self.redefinition(
                                table, temp, inserts.get(temp), temp_lines.get(temp, a.line), a.line
                            )
                        )
                    else:
                        note_kw["reached"] = self.referencing(tkey)
                    self.drop_table(tkey)
            elif k == K.RENAME_TABLE and tkey is not None and table is not None:
                new_key = self.key(a.schema, a.new_name)
                is_redefine = a.table in redefine and redefine[a.table][0] == a.new_name
                self.rename_table(tkey, new_key, keep_refs=is_redefine)
                if is_redefine:
                    pattern = "redefine"
                    # The copy takes the old table's place: its rows, its age.
                    t2 = self.tables[new_key]
                    t2.created_idx = self._redefined_age.pop(new_key, t2.created_idx)
            elif k == K.TRUNCATE:
                keys = [self.key(a.schema, t) for t in a.tables]
                if a.cascade:
                    note_kw["reached"] = self.cascade_closure(keys)
            elif table is not None and tkey is not None:
                self.alter(idx, a, table, tkey, origin, note_kw, dropped_uniques)
                if k == K.ALTER_COLUMN_TYPE and a.type in enum_tmp_types:
                    pattern = "enum recreation"
                    enum_cols.setdefault(a.type.strip('"'), []).append(f"{a.table}.{a.column}")
            elif k in (K.CREATE_INDEX, K.CREATE_UNIQUE_INDEX) and tkey is None:
                pass
            elif k == K.DROP_INDEX and a.name:
                owner = self.index_owner.get((a.schema or self.default_schema, a.name))
                if owner is not None and owner in self.tables:
                    t = self.tables[owner]
                    for ix in list(t.indexes):
                        if ix.name == a.name:
                            if ix.unique and ix.created_idx < idx:
                                dropped_uniques.add((owner, ix.columns))
                            t.indexes.remove(ix)
                            note_kw["dropped"] = "unique" if ix.unique else "index"
                    self.index_owner.pop((a.schema or self.default_schema, a.name), None)
            elif k == K.RENAME_INDEX and a.name:
                sk = (a.schema or self.default_schema, a.name)
                owner = self.index_owner.pop(sk, None)
                if owner is not None and owner in self.tables and a.new_name:
                    for ix in self.tables[owner].indexes:
                        if ix.name == a.name:
                            ix.name = a.new_name
                    self.index_owner[(sk[0], a.new_name)] = owner
            elif k == K.CREATE_ENUM and a.name:
                self.enums[self.key(a.schema, a.name)] = EnumState(
                    self.key(a.schema, a.name), list(a.values), origin
                )
                if a.name in enum_tmp:
                    pattern = "enum recreation"
            elif k == K.ADD_ENUM_VALUE and a.name:
                en = self.enums.get(self.key(a.schema, a.name))
                if en is None:
                    unknown.append((a.name, a.line))
                elif a.values and a.values[0] not in en.values:
                    self.add_enum_value(en, a)
            elif k == K.RENAME_ENUM_VALUE and a.name:
                en = self.enums.get(self.key(a.schema, a.name))
                if en is not None and a.values and a.new_name:
                    en.values = [a.new_name if v == a.values[0] else v for v in en.values]
            elif k == K.RENAME_TYPE and a.name and a.new_name:
                ek = self.key(a.schema, a.name)
                en = self.enums.get(ek)
                if a.name in enum_tmp and enum_tmp[a.name] == a.new_name:
                    pattern = "enum recreation"
                    target = a.new_name
                    enum_changes.append(
                        EnumChange(
                            target,
                            a.name,
                            temp_lines.get("enum:" + a.name, a.line),
                            enum_before.get(target, ()),
                            tuple(en.values) if en is not None else (),
                            tuple(enum_cols.get(a.name, ())),
                        )
                    )
                elif a.name in enum_old and enum_old[a.name] == a.new_name:
                    pattern = "enum recreation"
                    enum_before[a.name] = tuple(en.values) if en is not None else ()
                if en is not None:
                    self.rename_type(ek, self.key(a.schema, a.new_name))
            elif k == K.DROP_TYPE and a.name:
                if a.name in enum_old_names:
                    pattern = "enum recreation"
                self.enums.pop(self.key(a.schema, a.name), None)
            elif k == K.CREATE_EXTENSION and a.name:
                self.extensions.setdefault(a.name, origin)
            elif k == K.DROP_EXTENSION and a.name:
                self.extensions.pop(a.name, None)
            elif k == K.CREATE_SCHEMA and a.name:
                self.schemas.setdefault(a.name, None)
            elif k == K.DROP_SCHEMA and a.name:
                self.schemas.pop(a.name, None)
                for key in [t for t in self.tables if t[0] == a.name]:
                    self.drop_table(key)
            if k == K.CREATE_ENUM and a.name in enum_tmp:
                temp_lines["enum:" + a.name] = a.line
            if pattern is not None:
                note_kw["pattern"] = pattern
            if note_kw and (k in NOTED or pattern is not None or "table_known" in note_kw):
                notes[(st_idx, a_idx)] = ActionNote(st_idx, a_idx, **note_kw)  # type: ignore[arg-type]
        self._redefined_age.clear()
        return MigrationReplay(
            name,
            path,
            notes,
            tuple(redefinitions),
            tuple(enum_changes),
            tuple(unknown),
            tuple(created),
        )

    # -- tables ---------------------------------------------------------------------------------
    def create_table(
        self,
        name: str,
        schema: str | None,
        columns: Iterable[ColumnDef],
        constraints: Iterable[Constraint],
        origin: Origin,
        idx: int,
    ) -> None:
        key = self.key(schema, name)
        t = TableState(key, origin, idx)
        for cd in columns:
            col = ColState(cd, Origin(origin.migration, origin.path, cd.line), idx)
            t.columns[cd.name] = col
            if cd.primary_key:
                t.pk = DbPrimaryKey(None, (cd.name,), col.created)
            if cd.unique:
                t.indexes.append(IndexState(None, (cd.name,), True, col.created, idx, True))
            if cd.references is not None:
                self.add_fk(t, cd.references, col.created)
        for c in constraints:
            self.add_constraint(t, c, Origin(origin.migration, origin.path, c.line), idx)
        self.tables[key] = t

    def add_constraint(self, t: TableState, c: Constraint, origin: Origin, idx: int) -> None:
        if c.kind == "primary key":
            t.pk = DbPrimaryKey(c.name, c.columns, origin)
            t.pk_created_idx = idx
            for col in c.columns:
                if col in t.columns:
                    t.columns[col].not_null = True
        elif c.kind in ("unique", "index"):
            t.indexes.append(IndexState(c.name, c.columns, c.kind == "unique", origin, idx, True))
            if c.name:
                self.index_owner[(t.key[0], c.name)] = t.key
        elif c.kind == "foreign key":
            self.add_fk(t, c, origin)
        elif c.name:
            t.checks.append(c.name)

    def add_fk(self, t: TableState, c: Constraint, origin: Origin) -> None:
        t.fks.append(
            DbForeignKey(
                c.name,
                t.key[1],
                t.key[0],
                c.columns,
                c.ref_table or "",
                c.ref_schema or t.key[0],
                c.ref_columns,
                c.on_delete,
                c.on_update,
                origin,
            )
        )

    def drop_table(self, key: TableKey) -> None:
        t = self.tables.pop(key, None)
        if t is None:
            return
        for ix in t.indexes:
            if ix.name:
                self.index_owner.pop((key[0], ix.name), None)

    def rename_table(self, old: TableKey, new: TableKey, keep_refs: bool) -> None:
        t = self.tables.pop(old)
        t.key = new
        self.tables[new] = t
        t.fks = [_replace_fk(fk, table=new[1], schema=new[0]) for fk in t.fks]
        for ix in t.indexes:
            if ix.name:
                self.index_owner[(new[0], ix.name)] = new
        if not keep_refs:
            for other in self.tables.values():
                if any((fk.ref_schema, fk.ref_table) == old for fk in other.fks):
                    other.fks = [
                        _replace_fk(fk, ref_table=new[1], ref_schema=new[0])
                        if (fk.ref_schema, fk.ref_table) == old
                        else fk
                        for fk in other.fks
                    ]

    def referencing(self, key: TableKey) -> tuple[str, ...]:
        out: list[str] = []
        for other in self.tables.values():
            if other.key != key and any((fk.ref_schema, fk.ref_table) == key for fk in other.fks):
                out.append(other.key[1])
        return tuple(out)

    def referencing_fks(self, key: TableKey) -> tuple[DbForeignKey, ...]:
        out: list[DbForeignKey] = []
        for other in self.tables.values():
            if other.key == key:
                continue
            for fk in other.fks:
                if (fk.ref_schema, fk.ref_table) == key:
                    out.append(fk)
        return tuple(out)

    def cascade_closure(self, keys: list[TableKey]) -> tuple[str, ...]:
        seen = set(keys)
        todo = list(keys)
        out: list[str] = []
        while todo:
            k = todo.pop()
            for other in self.tables.values():
                if other.key in seen:
                    continue
                if any((fk.ref_schema, fk.ref_table) == k for fk in other.fks):
                    seen.add(other.key)
                    todo.append(other.key)
                    out.append(other.key[1])
        return tuple(out)

    # -- ALTER TABLE, indexes on a known table ---------------------------------------------
    def alter(
        self,
        idx: int,
        a: Action,
        t: TableState,
        tkey: TableKey,
        origin: Origin,
        note: dict[str, object],
        dropped_uniques: set[tuple[TableKey, tuple[str, ...]]],
    ) -> None:
        k = a.kind
        col = t.columns.get(a.column or "") if a.column else None
        if col is not None:
            note["column_is_new"] = col.created_idx == idx
        if k == K.ADD_COLUMN and a.column_def is not None:
            cd = a.column_def
            c = ColState(cd, origin, idx)
            t.columns[cd.name] = c
            if cd.primary_key:
                t.pk = DbPrimaryKey(None, (cd.name,), origin)
            if cd.unique:
                t.indexes.append(IndexState(None, (cd.name,), True, origin, idx, True))
            if cd.references is not None:
                self.add_fk(t, cd.references, origin)
            note["column_is_new"] = True
        elif k == K.DROP_COLUMN and col is not None:
            note["previous"] = col.freeze()
            del t.columns[col.name]
            t.indexes = [ix for ix in t.indexes if col.name not in ix.columns]
            t.fks = [fk for fk in t.fks if col.name not in fk.columns]
            if t.pk is not None and col.name in t.pk.columns:
                note["old_primary_key"] = t.pk
                t.pk = None
        elif k == K.ALTER_COLUMN_TYPE and col is not None:
            note["previous"] = col.freeze()
            col.type = a.type
            col.changed = origin
        elif k == K.MODIFY_COLUMN and a.column_def is not None:
            cd = a.column_def
            if col is not None:
                note["previous"] = col.freeze()
                if a.new_name and a.new_name != col.name:
                    self.rename_column(t, col.name, a.new_name)
                col.type = cd.type
                col.not_null = bool(cd.not_null) or cd.primary_key
                col.default = cd.default
                col.identity = cd.identity
                col.enum_values = cd.enum_values
                col.changed = origin
        elif k in (K.SET_NOT_NULL, K.DROP_NOT_NULL) and col is not None:
            note["previous"] = col.freeze()
            col.not_null = k == K.SET_NOT_NULL
            col.changed = origin
        elif k in (K.SET_DEFAULT, K.DROP_DEFAULT) and col is not None:
            col.default = a.detail if k == K.SET_DEFAULT else None
        elif k == K.RENAME_COLUMN and col is not None and a.new_name:
            note["previous"] = col.freeze()
            self.rename_column(t, col.name, a.new_name)
        elif k == K.ADD_CONSTRAINT and a.constraint is not None:
            con = a.constraint
            if con.kind == "primary key":
                note["old_primary_key"] = t.pk
            if con.kind == "unique":
                note["unique_existed"] = self.unique_existed(t, con.columns, idx, dropped_uniques)
            self.add_constraint(t, con, origin, idx)
        elif k in (K.CREATE_INDEX, K.CREATE_UNIQUE_INDEX):
            if a.unique:
                note["unique_existed"] = self.unique_existed(t, a.columns, idx, dropped_uniques)
            t.indexes.append(IndexState(a.name, a.columns, a.unique, origin, idx))
            if a.name:
                self.index_owner[(tkey[0], a.name)] = tkey
        elif k == K.RENAME_INDEX and a.name and a.new_name:
            for ix in t.indexes:
                if ix.name == a.name:
                    ix.name = a.new_name
        elif k in (K.DROP_CONSTRAINT, K.DROP_FOREIGN_KEY, K.DROP_PRIMARY_KEY, K.DROP_INDEX):
            self.drop_constraint(idx, a, t, note, dropped_uniques)

    def unique_existed(
        self,
        t: TableState,
        columns: tuple[str, ...],
        idx: int,
        dropped_uniques: set[tuple[TableKey, tuple[str, ...]]],
    ) -> bool:
        if (t.key, columns) in dropped_uniques:
            return True
        if t.pk is not None and t.pk.columns == columns and t.pk_created_idx < idx:
            return True
        return any(ix.unique and ix.columns == columns and ix.created_idx < idx for ix in t.indexes)

    def drop_constraint(
        self,
        idx: int,
        a: Action,
        t: TableState,
        note: dict[str, object],
        dropped_uniques: set[tuple[TableKey, tuple[str, ...]]],
    ) -> None:
        k, name = a.kind, a.name
        if k == K.DROP_PRIMARY_KEY or (
            k == K.DROP_CONSTRAINT
            and t.pk is not None
            and (t.pk.name == name or (t.pk.name is None and name == f"{t.key[1]}_pkey"))
        ):
            note["dropped"] = "primary key"
            note["old_primary_key"] = t.pk
            if t.pk is not None and t.pk_created_idx < idx:
                dropped_uniques.add((t.key, t.pk.columns))
            t.pk = None
            return
        if k in (K.DROP_CONSTRAINT, K.DROP_FOREIGN_KEY):
            for fk in t.fks:
                if fk.name == name:
                    note["dropped"] = "foreign key"
                    note["dropped_fk"] = fk
                    t.fks.remove(fk)
                    return
            if k == K.DROP_FOREIGN_KEY:
                note["dropped"] = "foreign key"
                return
        for ix in t.indexes:
            if ix.name == name:
                note["dropped"] = "unique" if ix.unique else "index"
                if ix.unique and ix.created_idx < idx:
                    dropped_uniques.add((t.key, ix.columns))
                t.indexes.remove(ix)
                if name:
                    self.index_owner.pop((t.key[0], name), None)
                return
        if name in t.checks:
            note["dropped"] = "check"
            t.checks.remove(name)
            return
        if name and name.endswith("_fkey"):
            note["dropped"] = "foreign key"
        elif name and name.endswith("_pkey"):
            note["dropped"] = "primary key"

    def rename_column(self, t: TableState, old: str, new: str) -> None:
        cols = OrderedDict()
        for n, c in t.columns.items():
            if n == old:
                c.name = new
                cols[new] = c
            else:
                cols[n] = c
        t.columns = dict(cols)

        def ren(cs: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if c == old else c for c in cs)

        for ix in t.indexes:
            ix.columns = ren(ix.columns)
        if t.pk is not None:
            t.pk = DbPrimaryKey(t.pk.name, ren(t.pk.columns), t.pk.created)
        t.fks = [_replace_fk(fk, columns=ren(fk.columns)) for fk in t.fks]
        for other in self.tables.values():
            if any((fk.ref_schema, fk.ref_table) == t.key for fk in other.fks):
                other.fks = [
                    _replace_fk(fk, ref_columns=ren(fk.ref_columns))
                    if (fk.ref_schema, fk.ref_table) == t.key
                    else fk
                    for fk in other.fks
                ]

    # -- enums ----------------------------------------------------------------------------------
    def add_enum_value(self, en: EnumState, a: Action) -> None:
        value = a.values[0]
        where, _, neighbor = a.detail.partition(" ")
        if neighbor and neighbor in en.values:
            i = en.values.index(neighbor)
            en.values.insert(i + 1 if where == "after" else i, value)
        else:
            en.values.append(value)

    def rename_type(self, old: TableKey, new: TableKey) -> None:
        en = self.enums.pop(old)
        en.key = new
        self.enums[new] = en
        old_t, new_t = f'"{old[1]}"', f'"{new[1]}"'
        for t in self.tables.values():
            for c in t.columns.values():
                if c.type is not None and c.type.startswith('"'):
                    base = c.type[: -2 * c.type.count("[]")] if c.type.endswith("[]") else c.type
                    if base == old_t:
                        c.type = new_t + c.type[len(base) :]

    # -- the SQLite copy-and-swap -----------------------------------------------------------------
    def redefinition(
        self,
        old: TableState,
        temp: str,
        insert: Action | None,
        line: int,
        drop_line: int,
    ) -> Redefinition:
        new = self.tables.get(self.key(None, temp))
        new_cols = new.columns if new is not None else {}
        sources: dict[str, tuple[str | None, str]] = {}
        if insert is not None:
            for item in insert.select_items:
                sources[item.target] = (item.source, item.how)
        copied_from = {src for src, _ in sources.values() if src}
        lost = tuple(c.freeze() for n, c in old.columns.items() if n not in copied_from)
        added_required = tuple(
            n
            for n, c in new_cols.items()
            if n not in sources and c.not_null and c.default is None and not c.identity
        )
        made_required: list[str] = []
        type_changes: list[tuple[str, str | None, str | None]] = []
        for target, (src, how) in sources.items():
            nc = new_cols.get(target)
            oc = old.columns.get(src or "")
            if nc is None or oc is None:
                continue
            if nc.not_null and not oc.not_null and how != "coalesce":
                made_required.append(target)
            if _norm_type(nc.type) != _norm_type(oc.type):
                type_changes.append((target, oc.type, nc.type))
        pk_change = None
        old_pk = old.pk.columns if old.pk is not None else ()
        new_pk = new.pk.columns if new is not None and new.pk is not None else ()
        if old_pk and old_pk != new_pk:
            pk_change = (old_pk, new_pk)
        new_fk_sigs = {(fk.columns, fk.ref_table) for fk in new.fks} if new is not None else set()
        dropped_fks = tuple(fk for fk in old.fks if (fk.columns, fk.ref_table) not in new_fk_sigs)
        new_columns = tuple(
            (n, c.type) for n, c in new_cols.items() if n not in old.columns and n not in sources
        )
        self._redefined_age[old.key] = old.created_idx
        return Redefinition(
            old.key[1],
            temp,
            line,
            drop_line,
            insert.line if insert is not None else None,
            lost,
            added_required,
            tuple(made_required),
            tuple(type_changes),
            pk_change,
            dropped_fks,
            self.referencing_fks(old.key),
            new_columns,
        )

    # -- result ----------------------------------------------------------------------------------
    def freeze(self) -> DatabaseModel:
        return DatabaseModel(
            self.provider,
            tuple(t.freeze() for t in self.tables.values()),
            tuple(
                DbEnum(e.key[1], e.key[0], tuple(e.values), e.created) for e in self.enums.values()
            ),
            tuple(self.extensions.items()),
            tuple(self.schemas),
            self.default_schema,
        )


def _norm_type(t: str | None) -> str:
    return (t or "").upper().replace(" ", "")


def _replace_fk(fk: DbForeignKey, **changes: object) -> DbForeignKey:
    from dataclasses import replace

    return replace(fk, **changes)  # type: ignore[arg-type]
