"""The migration histories of a project: every Prisma migrations folder, its migrations in the
order Prisma applies them (by folder name), each parsed, and the database they build.

`migration_histories(ctx)` is what the Migrations pane lists and the report's history shows.
A migrations folder is found three ways: beside a `migration_lock.toml`, as the grandparent
of a `<name>/migration.sql`, or as the folder a schema names (the schema helper's
`analysis.facts.schema.schemas`). The provider comes from the lock file, else from the
schema, else from the SQL itself.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import field
from datetime import datetime

from analysis.context import Context
from analysis.facts.replay import DatabaseModel, MigrationReplay, replay_history
from analysis.gc_pause import gc_paused
from analysis.parsers.migration_lock import MigrationLockFile, parse_migration_lock
from analysis.parsers.migration_sql.parse import parser_for
from analysis.parsers.migration_sql.records import K, MigrationSqlFile, PrismaWarning, Statement
from analysis.parsers.migration_sql.text import guess_provider
from analysis.records import dataclass
from analysis.sources import FileKind

_TIMESTAMP = re.compile(r"^(\d+)(?:_(.*))?$")

RISKY_KINDS: dict[str, str] = {
    K.DROP_TABLE: "drops a table",
    K.DROP_COLUMN: "drops a column",
    K.ALTER_COLUMN_TYPE: "changes a column type",
    K.MODIFY_COLUMN: "restates a column",
    K.SET_NOT_NULL: "makes a column required",
    K.TRUNCATE: "truncates",
    K.DELETE: "deletes rows",
    K.UPDATE: "updates rows",
    K.DROP_TYPE: "drops a type",
    K.DROP_SCHEMA: "drops a schema",
    K.DROP_DATABASE: "drops a database",
    K.RENAME_TABLE: "renames a table",
    K.RENAME_COLUMN: "renames a column",
    K.RENAME_ENUM_VALUE: "renames an enum value",
    K.DROP_PRIMARY_KEY: "drops a primary key",
    K.CREATE_UNIQUE_INDEX: "adds a unique index",
    K.INVALID: "cannot be parsed",
}


@dataclass(slots=True, frozen=True)
class Migration:
    """One migration folder.

    `timestamp` is the leading digits of the folder name (`20240131120000`), `date` that
    timestamp read as `YYYYMMDDhhmmss` (None when it is not one), `label` the rest of the
    name (`add_user_email`). `sql` is None when there is no readable `migration.sql`."""

    name: str
    folder: str
    path: str
    timestamp: str | None
    date: datetime | None
    label: str
    has_sql: bool
    sql: MigrationSqlFile | None
    digest: str | None

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.sql.statements if self.sql is not None else ()

    @property
    def warnings(self) -> tuple[PrismaWarning, ...]:
        return self.sql.warnings if self.sql is not None else ()

    @property
    def counts(self) -> dict[str, int]:
        """How many actions of each kind (`add column`: 3, ...)."""
        return self.sql.kinds() if self.sql is not None else {}

    @property
    def risks(self) -> tuple[str, ...]:
        """The risky kinds of action this migration holds (see `RISKY_KINDS`), in order."""
        seen: dict[str, None] = {}
        for st in self.statements:
            for a in st.actions:
                if a.kind in RISKY_KINDS:
                    seen.setdefault(a.kind, None)
        for w in self.warnings:
            seen.setdefault("prisma warning: " + w.kind, None)
        return tuple(seen)

    @property
    def empty(self) -> bool:
        return self.sql is None or self.sql.empty


@dataclass(slots=True, frozen=True)
class MigrationHistory:
    """One migrations folder, its lock file and migrations in applying order, and the
    database model that replaying them builds (`database`, `replays` per migration)."""

    folder: str
    provider: str | None
    provider_source: str
    """"lock", "schema", "sql" (guessed from the statements) or "none"."""
    lock: MigrationLockFile | None
    lock_path: str | None
    migrations: tuple[Migration, ...]
    database: DatabaseModel
    replays: tuple[MigrationReplay, ...]
    schema_paths: tuple[str, ...] = ()
    _by_name: dict[str, Migration] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def migration(self, name: str) -> Migration | None:
        index = self._by_name
        if index is None:  # built on first use: rules look a migration up per action
            index = {}
            for m in self.migrations:
                index.setdefault(m.name, m)
            object.__setattr__(self, "_by_name", index)
        return index.get(name)

    @property
    def statement_count(self) -> int:
        return sum(len(m.statements) for m in self.migrations)


def parse_timestamp(name: str) -> tuple[str | None, datetime | None, str]:
    """`20240131120000_add_email` -> ("20240131120000", datetime(...), "add_email")."""
    m = _TIMESTAMP.match(name)
    if not m:
        return None, None, name
    digits, label = m.group(1), m.group(2) or ""
    date = None
    if len(digits) >= 14:
        d = digits
        try:  # fixed-width fields: what strptime finds too when they are valid, only sooner
            date = datetime(
                int(d[0:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]), int(d[12:14])
            )
        except ValueError:
            try:  # strptime also reads single-digit fields: keep its answer for the rest
                date = datetime.strptime(d[:14], "%Y%m%d%H%M%S")
            except ValueError:
                date = None
    return digits, date, label


def _family(provider: str) -> str:
    p = provider.lower()
    return "postgresql" if p in ("postgresql", "postgres", "cockroachdb") else p


def _schema_folders(ctx: Context) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """Migrations folders the schemas name: folder -> (provider, schema paths)."""
    out: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    from analysis.facts.named import NAMED_FACTS  # no schema file: no schema parser imported

    for s in ctx.fact(NAMED_FACTS["schemas"]):
        folder = s.migrations.path
        if not folder:
            continue
        provider = s.provider
        ps = s.paths
        prev = out.get(folder)
        if prev is not None:
            ps = prev[1] + ps
            provider = prev[0] or provider
        out[folder] = (provider, ps)
    return out


def _child_dirs(ctx: Context, folder: str) -> list[str]:
    prefix = "" if folder in (".", "") else folder + "/"
    out = []
    for d in ctx.inventory.dirs:
        if d.startswith(prefix) and d != folder and "/" not in d[len(prefix) :]:
            out.append(d)
    return out


def migration_histories(ctx: Context) -> tuple[MigrationHistory, ...]:
    """Every migrations folder of the project, with its migrations parsed and replayed."""
    locks = {posixpath.dirname(p) or ".": p for p in ctx.files(FileKind.MIGRATION_LOCK)}
    sql_by_folder: dict[str, list[str]] = {}
    for p in ctx.files(FileKind.MIGRATION_SQL):
        parts = p.split("/")
        folder = "/".join(parts[:-2]) or "."
        sql_by_folder.setdefault(folder, []).append(p)
    from_schema = _schema_folders(ctx)
    # A `migration.sql` two levels down counts when its folder looks like Prisma's.
    sql_by_folder = {
        f: ps
        for f, ps in sql_by_folder.items()
        if f in locks or f in from_schema or posixpath.basename(f) == "migrations"
    }
    folders = set(locks) | set(sql_by_folder)
    folders |= {f for f in from_schema if ctx.is_dir(f)}
    histories: list[MigrationHistory] = []
    with gc_paused():
        for folder in sorted(folders):
            histories.append(_history(ctx, folder, locks.get(folder), sql_by_folder, from_schema))
    return tuple(histories)


def _history(
    ctx: Context,
    folder: str,
    lock_path: str | None,
    sql_by_folder: dict[str, list[str]],
    from_schema: dict[str, tuple[str | None, tuple[str, ...]]],
) -> MigrationHistory:
    lock = ctx.parse(lock_path, parse_migration_lock) if lock_path else None
    schema_provider, schema_paths = from_schema.get(folder, (None, ()))
    names = {posixpath.basename(d) for d in _child_dirs(ctx, folder)}
    sql_paths = {p.split("/")[-2]: p for p in sql_by_folder.get(folder, [])}
    names |= set(sql_paths)
    lock_provider = lock.provider if lock is not None and lock.provider else None

    def guessed() -> str | None:
        for name in sorted(sql_paths):
            src = ctx.source(sql_paths[name])
            if src is not None and src.text.strip():
                return guess_provider(src.text)
        return None

    provider: str | None
    if lock_provider and schema_provider and _family(lock_provider) != _family(schema_provider):
        # Prisma refuses this folder (KD506 says why); read the SQL as what it looks like.
        g = guessed()
        if g is not None and _family(g) == _family(lock_provider):
            provider, source = lock_provider, "lock"
        else:
            provider, source = schema_provider, "schema"
    elif lock_provider:
        provider, source = lock_provider, "lock"
    elif schema_provider:
        provider, source = schema_provider, "schema"
    else:
        provider = guessed()
        source = "sql" if provider else "none"
    parse = parser_for(provider)
    migrations: list[Migration] = []
    prefix = "" if folder in (".", "") else folder + "/"
    for name in sorted(names):
        mfolder = prefix + name
        path = sql_paths.get(name, mfolder + "/migration.sql")
        has_sql = name in sql_paths
        parsed = ctx.parse(path, parse) if has_sql else None
        src = ctx.source(path) if has_sql else None
        ts, date, label = parse_timestamp(name)
        migrations.append(
            Migration(
                name,
                mfolder,
                path,
                ts,
                date,
                label,
                has_sql,
                parsed,
                src.digest if src is not None else None,
            )
        )
    database, replays = replay_history(provider, tuple(migrations))
    return MigrationHistory(
        folder,
        provider,
        source,
        lock,
        lock_path,
        tuple(migrations),
        database,
        replays,
        tuple(schema_paths),
    )
