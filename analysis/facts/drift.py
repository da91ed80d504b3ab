"""What the next `prisma migrate dev` would write: the Prisma schema against the database the
migrations build (the replay), without a database.

`pending_changes(ctx)` gives one `PendingChanges` per schema that has a migrations history.
Each `PendingChange` names the model and field (and the table and column they map to with
`@map`/`@@map`/`@@schema`), the schema line, the migration that created the thing, and
whether it loses data (`destructive`): dropping a table or column, making a column required,
changing a type, removing enum values, adding a unique constraint to an existing table.

The expected database follows Prisma's mapping per provider (String -> TEXT, Int -> INTEGER,
DateTime -> TIMESTAMP(3), ... on PostgreSQL; VARCHAR(191), DATETIME(3), ... on MySQL; TEXT,
DATETIME, ... on SQLite), honours `@db.*` native types, enums (with `@map`/`@@map`), implicit
many-to-many tables (`_AToB` with columns `A`, `B`), `@id`/`@@id`, `@unique`/`@@unique`,
`@@index` and relations (foreign keys, unless `relationMode = "prisma"`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from analysis.context import Context
from analysis.facts.migrations import MigrationHistory, migration_histories
from analysis.facts.relations_records import Relation
from analysis.facts.replay import DatabaseModel, DbTable, Origin
from analysis.facts.schema_records import Schema
from analysis.gc_pause import gc_paused
from analysis.model import Location
from analysis.parsers.migration_sql import canonical_type, dialect_of
from analysis.parsers.prisma_schema import (
    Attribute,
    Enum,
    Field,
    Model,
    NumberValue,
    StringValue,
    Value,
    field_refs,
)
from analysis.records import dataclass

# change kinds
CREATE_TABLE = "create table"
DROP_TABLE = "drop table"
ADD_COLUMN = "add column"
DROP_COLUMN = "drop column"
MAKE_REQUIRED = "make required"
MAKE_OPTIONAL = "make optional"
CHANGE_TYPE = "change type"
CREATE_ENUM = "create enum"
ADD_ENUM_VALUE = "add enum value"
REMOVE_ENUM_VALUE = "remove enum value"
DROP_ENUM = "drop enum"
ADD_UNIQUE = "add unique"
DROP_UNIQUE = "drop unique"
ADD_INDEX = "add index"
CHANGE_PRIMARY_KEY = "change primary key"
ADD_FOREIGN_KEY = "add foreign key"


@dataclass(slots=True, frozen=True)
class PendingChange:
    """One difference the next `migrate dev` would turn into SQL."""

    kind: str
    destructive: bool
    message: str
    table: str
    column: str | None = None
    model: str | None = None
    field: str | None = None
    location: Location | None = None
    """The schema line (model, field, attribute or enum value); None when the schema no
    longer has the thing (a dropped table: see `created`)."""
    created: Origin | None = None
    """The migration (and line) that created the table, column, enum or index."""
    old: str | None = None
    new: str | None = None


@dataclass(slots=True, frozen=True)
class PendingChanges:
    """The pending changes of one schema against its migrations folder."""

    schema: str
    provider: str | None
    migrations: str
    changes: tuple[PendingChange, ...]
    skipped: str | None = None
    """Why no comparison was made (an invalid schema), else None."""

    @property
    def additions(self) -> tuple[PendingChange, ...]:
        return tuple(c for c in self.changes if not c.destructive)

    @property
    def destructive(self) -> tuple[PendingChange, ...]:
        return tuple(c for c in self.changes if c.destructive)


# -- Prisma's type mapping ---------------------------------------------------------------------
_DEFAULT_TYPES: dict[str, dict[str, str]] = {
    "postgresql": {
        "String": "TEXT",
        "Int": "INTEGER",
        "BigInt": "BIGINT",
        "Float": "DOUBLE PRECISION",
        "Decimal": "DECIMAL(65,30)",
        "Boolean": "BOOLEAN",
        "DateTime": "TIMESTAMP(3)",
        "Json": "JSONB",
        "Bytes": "BYTEA",
    },
    "mysql": {
        "String": "VARCHAR(191)",
        "Int": "INTEGER",
        "BigInt": "BIGINT",
        "Float": "DOUBLE",
        "Decimal": "DECIMAL(65,30)",
        "Boolean": "BOOLEAN",
        "DateTime": "DATETIME(3)",
        "Json": "JSON",
        "Bytes": "LONGBLOB",
    },
    "sqlite": {
        "String": "TEXT",
        "Int": "INTEGER",
        "BigInt": "BIGINT",
        "Float": "REAL",
        "Decimal": "DECIMAL",
        "Boolean": "BOOLEAN",
        "DateTime": "DATETIME",
        "Json": "JSONB",
        "Bytes": "BLOB",
    },
    "sqlserver": {
        "String": "NVARCHAR(1000)",
        "Int": "INT",
        "BigInt": "BIGINT",
        "Float": "FLOAT",
        "Decimal": "DECIMAL(32,16)",
        "Boolean": "BIT",
        "DateTime": "DATETIME2",
        "Json": "NVARCHAR(1000)",
        "Bytes": "VARBINARY(max)",
    },
}
_NATIVE_NAMES = {
    "DoublePrecision": "DOUBLE PRECISION",
    "UnsignedInt": "INT UNSIGNED",
    "UnsignedBigInt": "BIGINT UNSIGNED",
    "UnsignedSmallInt": "SMALLINT UNSIGNED",
    "UnsignedTinyInt": "TINYINT UNSIGNED",
    "UnsignedMediumInt": "MEDIUMINT UNSIGNED",
}
_EQUIVALENT = {
    # types Prisma has written differently over versions, or that the database aliases
    ("sqlite", "JSONB"): "TEXT",
    ("sqlite", "JSON"): "TEXT",
}


def _arg_text(value: Value | None) -> str | None:
    """The text of a number or the value of a string argument (`@db.VarChar(255)`)."""
    if isinstance(value, NumberValue):
        return value.text or None
    if isinstance(value, StringValue):
        return value.value
    return None


def _native(attr: Attribute) -> str | None:
    """SQL text of a `@db.X(args)` attribute."""
    name: str = attr.name.split(".", 1)[1]
    base: str = _NATIVE_NAMES.get(name, name.upper())
    raw = [_arg_text(a.value) for a in attr.args]
    args = [str(a) for a in raw if a is not None]
    if args:
        if " UNSIGNED" in base:
            return base.replace(" UNSIGNED", f"({','.join(args)}) UNSIGNED")
        return f"{base}({','.join(args)})"
    return base


def _family(provider: str | None) -> str:
    d = dialect_of(provider)
    return d


_CACHED_TYPE_CHARS = 512
"""`_canon` remembers only types this short (4,096 at most): its cache stays bounded in bytes."""


def _canon(provider: str | None, text: str | None) -> str | None:
    if text is not None and len(text) > _CACHED_TYPE_CHARS:
        return _canon_of(provider, text)
    return _canon_cached(provider, text)


@lru_cache(maxsize=4096)
def _canon_cached(provider: str | None, text: str | None) -> str | None:
    return _canon_of(provider, text)


def _canon_of(provider: str | None, text: str | None) -> str | None:
    if text is None:
        return None
    fam = _family(provider)
    if text.startswith('"'):
        return text
    c = canonical_type(fam, text)
    if c is None:
        return None
    return _EQUIVALENT.get((fam, c.upper()), c).upper().replace(" ", "")


# -- the expected database ------------------------------------------------------------------------
@dataclass(slots=True)
class _ExpColumn:
    name: str
    field: Field | None
    type: str | None
    required: bool
    has_default: bool
    enum_values: tuple[str, ...] = ()


@dataclass(slots=True)
class _ExpTable:
    name: str
    schema: str
    model: Model | None
    columns: dict[str, _ExpColumn]
    primary_key: tuple[str, ...]
    uniques: list[tuple[tuple[str, ...], Location]]
    indexes: list[tuple[tuple[str, ...], Location]]
    foreign_keys: list[tuple[tuple[str, ...], str, Location | None]]
    implicit: bool = False


def _expected(
    schema: Schema, default_schema: str
) -> tuple[dict[tuple[str, str], _ExpTable], dict[str, Enum]]:
    provider = schema.provider
    fam = _family(provider)
    defaults = _DEFAULT_TYPES.get(fam, _DEFAULT_TYPES["postgresql"])
    enums = {e.name: e for e in schema.enums}
    models = {m.name: m for m in schema.models}
    tables: dict[tuple[str, str], _ExpTable] = {}
    for m in schema.models:
        if m.kind != "model":
            continue
        sch = m.schema_name or default_schema
        cols: dict[str, _ExpColumn] = {}
        col_of: dict[str, str] = {}
        pk_fields: list[str] = []
        uniques: list[tuple[tuple[str, ...], Location]] = []
        for f in m.fields:
            # One pass over the attributes (the schema records' helpers each scan them).
            attrs = {a.name: a for a in f.attributes} if f.attributes else _NO_ATTRIBUTES
            column = f.name
            native = None
            if attrs:
                mapped = attrs.get("map")
                if mapped is not None:
                    v = mapped.arg("name", 0)
                    if isinstance(v, StringValue):
                        column = v.value
            col_of[f.name] = column
            if f.type_name in models:
                continue  # relation field: no column
            if attrs:
                if "id" in attrs:
                    pk_fields.append(column)
                if "unique" in attrs:
                    uniques.append(((column,), Location(f.path, attrs["unique"].line)))
                native = next((a for n, a in attrs.items() if "." in n), None)
            enum = enums.get(f.type_name)
            if f.unsupported is not None:
                typ: str | None = None
            elif native is not None:
                typ = _native(native)
            elif enum is not None:
                typ = '"' + (enum.db_name or enum.name) + '"' if fam == "postgresql" else None
                if fam == "mysql":
                    typ = "ENUM"
                elif fam == "sqlite":
                    typ = "TEXT"
            else:
                typ = defaults.get(f.type_name)
            if typ is not None and f.list and fam == "postgresql":
                typ += "[]"
            values = tuple(v.db_name or v.name for v in enum.values) if enum is not None else ()
            cols[column] = _ExpColumn(
                column,
                f,
                typ,
                not f.optional and not f.list,
                "default" in attrs,
                values,
            )

        def cols_for(names: Iterable[str], col_of: dict[str, str] = col_of) -> tuple[str, ...]:
            return tuple(col_of.get(n, n) for n in names)

        pk = tuple(pk_fields)
        if not pk:
            id_attr = m.block_attribute("id")
            pk = cols_for(_refs(id_attr)) if id_attr is not None else ()
        for attr in m.block_attributes("unique"):
            refs = _refs(attr)
            if refs:
                uniques.append((cols_for(refs), Location(m.path, attr.line)))
        indexes: list[tuple[tuple[str, ...], Location]] = []
        for name in ("index", "fulltext"):
            for attr in m.block_attributes(name):
                refs = _refs(attr)
                if refs:
                    indexes.append((cols_for(refs), Location(m.path, attr.line)))
        tables[(sch, m.table_name)] = _ExpTable(
            m.table_name, sch, m, cols, pk, uniques, indexes, []
        )
    if schema.relation_mode != "prisma":
        for rel in schema.relations:
            _add_relation(rel, models, tables, default_schema)
    return tables, enums


_NO_ATTRIBUTES: dict[str, Attribute] = {}


def _refs(attr: Attribute) -> tuple[str, ...]:
    return tuple(field_refs(attr.arg("fields", 0)))


def _add_relation(
    rel: Relation,
    models: dict[str, Model],
    tables: dict[tuple[str, str], _ExpTable],
    default_schema: str,
) -> None:
    child = models.get(rel.child.model)
    parent = models.get(rel.parent.model)
    if child is None or parent is None:
        return
    if rel.implicit and rel.join_table:
        sch = child.schema_name or default_schema
        a, b = sorted((rel.child.model, rel.parent.model))
        loc = rel.location
        cols = {
            "A": _ExpColumn("A", None, None, True, False),
            "B": _ExpColumn("B", None, None, True, False),
        }
        tables[(sch, rel.join_table)] = _ExpTable(
            rel.join_table,
            sch,
            None,
            cols,
            (),
            [],
            [],
            [
                (("A",), models[a].table_name, loc),
                (("B",), models[b].table_name, loc),
            ],
            implicit=True,
        )
        return
    if not rel.fields:
        return
    key = (child.schema_name or default_schema, child.table_name)
    t = tables.get(key)
    if t is None:
        return
    fk_cols = tuple(_column_of(child, n) for n in rel.fields)
    t.foreign_keys.append((fk_cols, parent.table_name, rel.attribute_location or rel.location))


def _column_of(model: Model, name: str) -> str:
    """The column of field `name` of `model` (the last field of that name), else `name`."""
    found = None
    for f in model.fields:
        if f.name == name:
            found = f
    return found.column_name if found is not None else name


# -- comparison ----------------------------------------------------------------------------------------
def _unique_sets(t: DbTable) -> set[frozenset[str]]:
    out = {frozenset(ix.columns) for ix in t.indexes if ix.unique}
    if t.primary_key is not None:
        out.add(frozenset(t.primary_key.columns))
    return out


def _q(name: str | None) -> str:
    return f'"{name}"'


def compare(schema: Schema, history: MigrationHistory) -> tuple[PendingChange, ...]:
    """The changes that turn the replayed database into what `schema` declares."""
    db: DatabaseModel = history.database
    provider = schema.provider or history.provider
    fam = _family(provider)
    exp_tables, enums = _expected(schema, db.default_schema)
    out: list[PendingChange] = []
    view_tables = {(v.schema_name or db.default_schema, v.table_name) for v in schema.views}
    actual = {(t.schema, t.name): t for t in db.tables}
    for key, et in exp_tables.items():
        t = actual.get(key)
        model_name = et.model.name if et.model is not None else None
        model_loc = (
            Location(et.model.path, et.model.line)
            if et.model is not None
            else (et.foreign_keys[0][2] if et.foreign_keys else None)
        )
        if t is None:
            what = (
                f"implicit many-to-many table {_q(et.name)}"
                if et.implicit
                else f"table {_q(et.name)} of model {model_name}"
            )
            out.append(
                PendingChange(
                    CREATE_TABLE,
                    False,
                    f"{what} is in the schema but no migration creates it",
                    et.name,
                    model=model_name,
                    location=model_loc,
                )
            )
            continue
        out.extend(_compare_table(et, t, fam, provider, model_loc))
    for key, t in actual.items():
        if key in exp_tables or key in view_tables or t.name == "_prisma_migrations":
            continue
        out.append(
            PendingChange(
                DROP_TABLE,
                True,
                f"table {_q(t.name)} exists in the migrations but no model maps to it: the next "
                "`migrate dev` drops it with all its rows",
                t.name,
                location=None,
                created=t.created,
            )
        )
    if fam == "postgresql":
        out.extend(_compare_enums(enums, db))
    return tuple(out)


def _compare_table(
    et: _ExpTable, t: DbTable, fam: str, provider: str | None, model_loc: Location | None
) -> list[PendingChange]:
    out: list[PendingChange] = []
    model_name = et.model.name if et.model is not None else None
    by_name = {c.name: c for c in t.columns}
    mysql = fam == "mysql"
    for name, ec in et.columns.items():
        col = by_name.get(name)
        f = ec.field
        if col is not None and (
            f is None
            or not (
                ec.required != col.not_null
                or (mysql and ec.enum_values and col.enum_values)
                or _type_differs(provider, ec.type, col.type)
            )
        ):
            continue  # in step (the common case): nothing to say, nothing to build
        floc = Location(f.path, f.line, f.column) if f is not None else model_loc
        fname = f.name if f is not None else None
        label = f"{model_name}.{fname}" if model_name and fname else f"{t.name}.{name}"
        if col is None:
            note = (
                " (required with no default: it fails on a table that has rows)"
                if ec.required and not ec.has_default
                else ""
            )
            out.append(
                PendingChange(
                    ADD_COLUMN,
                    False,
                    f"field {label} (column {_q(name)}) is in the schema but no migration "
                    f"adds it{note}",
                    t.name,
                    name,
                    model_name,
                    fname,
                    floc,
                    t.created,
                )
            )
            continue
        if f is None:
            continue
        if ec.required and not col.not_null:
            out.append(
                PendingChange(
                    MAKE_REQUIRED,
                    True,
                    f"field {label} is required in the schema but column {_q(name)} is nullable "
                    "in the migrations: the next `migrate dev` makes it NOT NULL, which fails "
                    "on rows holding NULL",
                    t.name,
                    name,
                    model_name,
                    fname,
                    floc,
                    col.changed or col.created,
                )
            )
        elif not ec.required and col.not_null and not f.list:
            out.append(
                PendingChange(
                    MAKE_OPTIONAL,
                    False,
                    f"field {label} is optional in the schema but column {_q(name)} is NOT NULL "
                    "in the migrations",
                    t.name,
                    name,
                    model_name,
                    fname,
                    floc,
                    col.changed or col.created,
                )
            )
        want = _canon(provider, ec.type)
        have = _canon(provider, col.type)
        if want is not None and have is not None and want != have:
            out.append(
                PendingChange(
                    CHANGE_TYPE,
                    True,
                    f"field {label} maps to {ec.type} but column {_q(name)} is {col.type} in the "
                    "migrations: the next `migrate dev` changes its type (casts can fail or "
                    "lose data)",
                    t.name,
                    name,
                    model_name,
                    fname,
                    floc,
                    col.changed or col.created,
                    col.type,
                    ec.type,
                )
            )
        if fam == "mysql" and ec.enum_values and col.enum_values:
            removed = [v for v in col.enum_values if v not in ec.enum_values]
            if removed:
                out.append(
                    PendingChange(
                        REMOVE_ENUM_VALUE,
                        True,
                        f"field {label} no longer allows {', '.join(removed)}: the next "
                        "`migrate dev` removes them from the ENUM; rows holding them break",
                        t.name,
                        name,
                        model_name,
                        fname,
                        floc,
                        col.changed or col.created,
                    )
                )
    expected_cols = set(et.columns)
    for col in t.columns:
        if col.name in expected_cols:
            continue
        out.append(
            PendingChange(
                DROP_COLUMN,
                True,
                f"column {_q(col.name)} of table {_q(t.name)} exists in the migrations but model "
                f"{model_name or t.name} has no field for it: the next `migrate dev` drops it "
                "with its data",
                t.name,
                col.name,
                model_name,
                None,
                model_loc,
                col.created,
            )
        )
    if et.model is not None:
        out.extend(_compare_keys(et, t, model_name, model_loc))
    return out


def _type_differs(provider: str | None, want: str | None, have: str | None) -> bool:
    a, b = _canon(provider, want), _canon(provider, have)
    return a is not None and b is not None and a != b


def _compare_keys(
    et: _ExpTable, t: DbTable, model_name: str | None, model_loc: Location | None
) -> list[PendingChange]:
    out: list[PendingChange] = []
    have_pk = t.primary_key.columns if t.primary_key is not None else ()
    if et.primary_key and frozenset(et.primary_key) != frozenset(have_pk):
        out.append(
            PendingChange(
                CHANGE_PRIMARY_KEY,
                True,
                f"model {model_name} has primary key ({', '.join(et.primary_key)}) but table "
                f"{_q(t.name)} has ({', '.join(have_pk) or 'none'}) in the migrations",
                t.name,
                model=model_name,
                location=model_loc,
                created=t.primary_key.created if t.primary_key is not None else t.created,
            )
        )
    have_unique = _unique_sets(t)
    for cols, loc in et.uniques:
        if frozenset(cols) in have_unique:
            continue
        out.append(
            PendingChange(
                ADD_UNIQUE,
                True,
                f"model {model_name} declares a unique constraint on ({', '.join(cols)}) that no "
                f"migration creates: adding it to existing table {_q(t.name)} fails on "
                "duplicate values",
                t.name,
                cols[0] if len(cols) == 1 else None,
                model_name,
                None,
                loc,
                t.created,
            )
        )
    have_index = {frozenset(ix.columns) for ix in t.indexes} | have_unique
    for cols, loc in et.indexes:
        if frozenset(cols) in have_index:
            continue
        out.append(
            PendingChange(
                ADD_INDEX,
                False,
                f"model {model_name} declares an index on ({', '.join(cols)}) that no migration "
                "creates",
                t.name,
                model=model_name,
                location=loc,
                created=t.created,
            )
        )
    have_fks = {(frozenset(fk.columns), fk.ref_table) for fk in t.foreign_keys}
    for cols, ref, fk_loc in et.foreign_keys:
        if (frozenset(cols), ref) in have_fks:
            continue
        out.append(
            PendingChange(
                ADD_FOREIGN_KEY,
                False,
                f"the relation of {model_name} ({', '.join(cols)}) to {_q(ref)} has no foreign "
                "key in the migrations",
                t.name,
                model=model_name,
                location=fk_loc or model_loc,
                created=t.created,
            )
        )
    return out


def _compare_enums(enums: dict[str, Enum], db: DatabaseModel) -> list[PendingChange]:
    out: list[PendingChange] = []
    seen: set[str] = set()
    for e in enums.values():
        name = e.db_name or e.name
        seen.add(name)
        have = db.enum(name, e.schema_name)
        values = [(v.db_name or v.name, v) for v in e.values]
        if have is None:
            out.append(
                PendingChange(
                    CREATE_ENUM,
                    False,
                    f"enum {e.name} is in the schema but no migration creates type {_q(name)}",
                    name,
                    location=Location(e.path, e.line),
                )
            )
            continue
        for value, v in values:
            if value not in have.values:
                out.append(
                    PendingChange(
                        ADD_ENUM_VALUE,
                        False,
                        f"value {value} of enum {e.name} is in the schema but no migration adds it",
                        name,
                        location=Location(e.path, v.line),
                        created=have.created,
                    )
                )
        wanted = {value for value, _ in values}
        removed = [v for v in have.values if v not in wanted]
        if removed:
            out.append(
                PendingChange(
                    REMOVE_ENUM_VALUE,
                    True,
                    f"enum {e.name} no longer has {', '.join(removed)}: the next `migrate dev` "
                    "recreates type "
                    f"{_q(name)} without {'it' if len(removed) == 1 else 'them'}, which fails "
                    "while rows hold them",
                    name,
                    location=Location(e.path, e.line),
                    created=have.created,
                    old=", ".join(removed),
                )
            )
    for en in db.enums:
        if en.name not in seen:
            out.append(
                PendingChange(
                    DROP_ENUM,
                    False,
                    f"type {_q(en.name)} exists in the migrations but the schema has no enum "
                    "for it",
                    en.name,
                    created=en.created,
                )
            )
    return out


# -- the fact -------------------------------------------------------------------------------------------
def _schemas(ctx: Context) -> tuple[Schema, ...]:
    from analysis.facts.schema import schemas

    return tuple(ctx.fact(schemas))


def pending_changes(ctx: Context) -> tuple[PendingChanges, ...]:
    """Per schema with a migrations history: what the next `prisma migrate dev` would do."""
    histories = {h.folder: h for h in ctx.fact(migration_histories)}
    out: list[PendingChanges] = []
    for schema in _schemas(ctx):
        if not schema.is_relational:
            continue
        history = histories.get(schema.migrations.path)
        if history is None:
            continue
        if not schema.valid:
            out.append(
                PendingChanges(
                    schema.root,
                    schema.provider,
                    history.folder,
                    (),
                    "the schema has errors Prisma rejects (KD505): fix them first",
                )
            )
            continue
        with gc_paused():
            changes = compare(schema, history)
        out.append(PendingChanges(schema.root, schema.provider, history.folder, changes))
    return tuple(out)
