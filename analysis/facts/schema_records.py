"""The records of a project's Prisma schema (`Schema`, its generation, connection and
migrations folder) and the providers Prisma accepts.
"""

from __future__ import annotations

import posixpath
from dataclasses import field
from enum import StrEnum

from analysis.facts.relations_records import Relation
from analysis.model import Finding, Location
from analysis.parsers.migration_lock import MigrationLockFile
from analysis.parsers.prisma_config import PrismaConfigFile
from analysis.parsers.prisma_schema import (
    ConfigBlock,
    Enum,
    Model,
    SchemaFile,
)
from analysis.records import dataclass

RULE = "KD505"

PROVIDERS = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "sqlite": "sqlite",
    "sqlserver": "sqlserver",
    "cockroachdb": "cockroachdb",
    "mongodb": "mongodb",
}
"""Datasource providers Prisma accepts, mapped to their normalized name."""

LIST_PROVIDERS = frozenset({"postgresql", "cockroachdb", "mongodb"})
ENUM_PROVIDERS = frozenset({"postgresql", "cockroachdb", "mysql", "mongodb", "sqlite"})


class Generation(StrEnum):
    """Which Prisma generation a schema is written for (see PRISMA.md)."""

    LEGACY = "4-6"
    V7 = "7"
    V8 = "8"
    UNKNOWN = "unknown"


@dataclass(slots=True, frozen=True)
class PrismaVersion:
    """The `prisma` (or `@prisma/client`) version a package.json pins."""

    package: str
    spec: str
    major: int | None
    location: Location


@dataclass(slots=True, frozen=True)
class Connection:
    """A connection setting (`url`, `directUrl`, `shadowDatabaseUrl`) wherever it is set.

    `kind`: "literal" (the URL itself: mask it before showing), "env" (`env` names the
    variable; `default` is a `?? "..."` fallback from prisma.config), "computed"/"other".
    `origin`: "schema" or "config".
    """

    kind: str
    text: str
    value: str | None
    env: str | None
    default: str | None
    location: Location
    origin: str


@dataclass(slots=True, frozen=True)
class Migrations:
    """The migrations folder that belongs to a schema.

    `path` is where Prisma looks (root-relative): `<folder of the datasource file>/migrations`,
    or prisma.config's `migrations.path`. `configured` points at that setting when it is used;
    `computed` is True when the config computes the path (then `path` is the default and may be
    wrong). `folders` are the migration folders (holding a `migration.sql`), sorted.
    """

    path: str
    exists: bool
    configured: Location | None
    computed: bool
    lock: MigrationLockFile | None
    folders: tuple[str, ...]

    @property
    def lock_path(self) -> str:
        return f"{self.path}/migration_lock.toml"


@dataclass(slots=True, frozen=True)
class Schema:
    """One Prisma schema (one file, or all files of a multi-file schema folder)."""

    root: str
    """The schema as Prisma is pointed at it: a file path, or a folder path for multi-file."""
    is_folder: bool
    files: tuple[SchemaFile, ...]
    datasource: ConfigBlock | None
    generators: tuple[ConfigBlock, ...]
    models: tuple[Model, ...]
    views: tuple[Model, ...]
    types: tuple[Model, ...]
    enums: tuple[Enum, ...]
    provider: str | None
    """Normalized provider (`postgres` -> `postgresql`), None when missing or unknown."""
    relation_mode: str
    """Effective relation mode: `prisma` (set, or MongoDB) or `foreignKeys`."""
    generation: Generation
    generation_reason: str
    prisma_version: PrismaVersion | None
    config: PrismaConfigFile | None
    referenced_by: tuple[Location, ...]
    url: Connection | None
    direct_url: Connection | None
    shadow_database_url: Connection | None
    migrations: Migrations
    relations: tuple[Relation, ...]
    problems: tuple[Finding, ...]
    """Problems of the schema as a whole (KD505); files' syntax problems are on `files`."""
    _index: dict[str, Model] = field(default_factory=dict, compare=False, repr=False)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files)

    @property
    def all_problems(self) -> tuple[Finding, ...]:
        return tuple(p for f in self.files for p in f.problems) + self.problems

    @property
    def valid(self) -> bool:
        """True when neither the files nor the whole schema have problems Prisma rejects."""
        return not self.all_problems

    @property
    def is_relational(self) -> bool:
        return self.provider is not None and self.provider != "mongodb"

    @property
    def directory(self) -> str:
        return self.root if self.is_folder else (posixpath.dirname(self.root) or ".")

    def model(self, name: str) -> Model | None:
        """A model or view by name."""
        if not self._index:
            for m in (*self.models, *self.views, *self.types):
                self._index.setdefault(m.name, m)
        return self._index.get(name)

    def enum(self, name: str) -> Enum | None:
        for e in self.enums:
            if e.name == name:
                return e
        return None
