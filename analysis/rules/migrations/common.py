"""Rules of the migrations area: KD601-KD623 over each parsed and replayed `migration.sql`.

Every rule reads `migration_histories(ctx)`: the statements and actions the parser found and
the replay's notes (what the database held just before each action), so a table created in
the same migration is not "existing", Prisma's SQLite copy-and-swap is a copy and not a
drop, and Prisma's PostgreSQL enum recreation is one enum change. KD612 (SQL that cannot be
parsed) comes from the parser's `problems`, reported by the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from analysis.context import Context
from analysis.facts.migrations import Migration, MigrationHistory, migration_histories
from analysis.facts.replay import ActionNote, MigrationReplay, Origin
from analysis.facts.replay_records import Redefinition
from analysis.gc_pause import gc_paused
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related
from analysis.parsers.migration_sql.records import Action, K, Statement, TableDef
from analysis.records import dataclass, quick_init
from analysis.rules.findings import finding as _finding
from analysis.sources import FileKind

if TYPE_CHECKING:
    from analysis.facts.databases import Database
    from analysis.facts.schema_records import Schema
    from analysis.parsers.prisma_schema.records import ConfigBlock


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


# -- KD602 drop-column -------------------------------------------------------------------------


def _replays(items: _Items) -> list[tuple[MigrationHistory, Migration, MigrationReplay]]:
    return items.replays


def _column_finding(rule: str, it: _Item, text: str) -> Finding:
    """`migration <name> <text>` at the action of `it`, naming the migration that created its
    column (KD602, KD605)."""
    a = it.action
    prev = it.note.previous if it.note is not None else None
    return _finding(
        rule,
        f"migration {it.migration.name} {text}",
        it.loc(),
        _created(prev.created if prev else None, f"column {_col(a.table, a.column)}"),
    )


def _redefinitions(items: _Items) -> Iterator[tuple[Migration, Redefinition]]:
    """(migration, redefinition) for every SQLite copy-and-swap of the history."""
    for _, m, r in _replays(items):
        for rd in r.redefinitions:
            yield m, rd


def _redefine_finding(
    rule: str, m: Migration, rd: Redefinition, text: str, related: Iterable[Related] = ()
) -> Finding:
    """`migration <name> redefines table "<t>" <text>` at the copy-and-swap's INSERT."""
    return _finding(
        rule,
        f"migration {m.name} redefines table {_q(rd.table)} {text}",
        Location(m.path, rd.insert_line or rd.line),
        related,
    )


# -- KD603 alter-column-type -------------------------------------------------------------------
def _same_type(a: str | None, b: str | None) -> bool:
    return (a or "").upper().replace(" ", "") == (b or "").upper().replace(" ", "")


# -- KD604 add-required-column-without-default ------------------------------------------------------


# -- KD605 set-not-null -------------------------------------------------------------------------


# -- KD606 add-unique --------------------------------------------------------------------------------


# -- KD607 enum-value-removed -----------------------------------------------------------------------------


# -- KD608 bulk-delete ---------------------------------------------------------------------------------------


# -- KD609 rename ------------------------------------------------------------------------------------------------


# -- KD610 prisma-data-loss-warning ------------------------------------------------------------------------------


# -- KD611 empty-migration -----------------------------------------------------------------------------------------


# -- KD613 update-without-where, KD614 delete-rows -------------------------------------------------------------------


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


# -- KD616 primary-key-change ---------------------------------------------------------------------------------------------


# -- KD617 constraint-on-existing-rows ----------------------------------------------------------------------------------------


# -- KD618 drop-foreign-key ---------------------------------------------------------------------------------------------------


# -- KD619 unbalanced-transaction -------------------------------------------------------------------------------------------------


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


def _postgres_databases(ctx: Context) -> list[Database]:
    # through the named fact: no compose file, no compose parser imported
    from analysis.facts.named import NAMED_FACTS

    return [d for d in ctx.fact(NAMED_FACTS["databases"]) if d.engine == "postgres"]


def _dockerfile_text(ctx: Context, path: str | None) -> str:
    if not path:
        return ""
    src = ctx.source(path)
    return src.text.lower() if src is not None else ""


def _ships(ctx: Context, db: Database, ext: str) -> bool | None:
    """Whether the database image ships `ext`: True, False, or None when unknown."""
    image = db.image
    if not image:
        return None
    name, _ = _image_name(image)
    known = IMAGE_EXTENSIONS.get(name)
    if name.startswith("timescale/timescaledb") and name != "timescale/timescaledb":
        known = None  # -ha and friends ship many extensions
    if known is None:
        return None
    if ext in known:
        return True
    text = _dockerfile_text(ctx, db.dockerfile)
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
    from analysis.facts.named import NAMED_FACTS

    for s in ctx.fact(NAMED_FACTS["schemas"]):
        for ds in _datasources(s):
            for ext in ds.extensions:
                out.append(
                    (ext.db_name.lower(), Location(ds.path, ext.line, ext.column), "the datasource")
                )
    return out


def _datasources(schema: Schema) -> list[ConfigBlock]:
    if schema.datasource is not None:
        return [schema.datasource]
    return [ds for f in schema.files for ds in f.datasources]


# -- KD621 sqlite-redefine-with-referential-actions -------------------------------------------------------------------------------------
_D1_LIBSQL = lazy_compile(r"d1_databases|@prisma/adapter-d1|@prisma/adapter-libsql|libsql://")


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


# -- KD622 rename-as-drop-and-add --------------------------------------------------------------------------------------------------------


def _table_rename_as_drop(items: _Items) -> Iterator[Finding]:
    by_migration: dict[str, list[_Item]] = {}
    drop_paths = {it.migration.path for it in items.of(K.DROP_TABLE)}
    for it in items.of(K.DROP_TABLE, K.CREATE_TABLE):
        if it.migration.path not in drop_paths:
            continue
        by_migration.setdefault(it.migration.path, []).append(it)
    tables_of: dict[int, dict[str | None, frozenset[tuple[str, str]]]] = {}
    for group in by_migration.values():
        # the created tables by their columns, in order (one lookup per drop, not a scan: a
        # migration of 20,000 CREATE + DROP pairs was quadratic)
        by_columns: dict[frozenset[tuple[str, str]], list[_Item]] = {}
        for it in group:
            td = it.action.table_def
            if it.action.kind == K.CREATE_TABLE and it.pattern != "redefine" and td is not None:
                by_columns.setdefault(_columns_of(td), []).append(it)
        if not by_columns:
            continue
        for it in group:
            if it.action.kind != K.DROP_TABLE or it.pattern == "redefine":
                continue
            old_cols = _dropped_table_columns(it, tables_of)
            if not old_cols:
                continue
            for c in by_columns.get(old_cols, ()):
                td = c.action.table_def
                assert td is not None
                if td.name != it.action.table:
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


def _columns_of(td: TableDef) -> frozenset[tuple[str, str]]:
    return frozenset((cd.name, (cd.type or "").upper()) for cd in td.columns)


def _dropped_table_columns(
    it: _Item, tables_of: dict[int, dict[str | None, frozenset[tuple[str, str]]]]
) -> frozenset[tuple[str, str]]:
    """The columns of a dropped table, from the migration that (last) created it (the first
    CREATE TABLE of it there); `tables_of` memoizes each migration's created tables."""
    created = it.note.table_created if it.note is not None else None
    if created is None:
        return frozenset()
    h = it.history
    m = h.migration(created.migration)
    if m is None:
        return frozenset()
    tables = tables_of.get(id(m))
    if tables is None:
        tables = {}
        for st in m.statements:
            for a in st.actions:
                if a.kind == K.CREATE_TABLE and a.table_def is not None and a.table not in tables:
                    tables[a.table] = _columns_of(a.table_def)
        tables_of[id(m)] = tables
    return tables.get(it.action.table, frozenset())


# -- KD623 concurrent-index-on-broken-postgres ------------------------------------------------------------------------------------------
_PG14_BROKEN = lazy_compile(r"^14\.([0-3])(?:$|[^0-9])")


# -- the area ------------------------------------------------------------------------------------------------------------------------------
