"""The project's Prisma schemas: where they are, what they declare, which generation they are.

`schemas(ctx)` finds every schema of the project (a monorepo can have several):

- named by a `prisma.config.*` file (`schema: "..."`, a file or a folder) or by a
  `package.json` `"prisma": {"schema": "..."}` entry;
- else by Prisma's conventions: `prisma/schema.prisma`, a `schema.prisma` anywhere, and
  multi-file schemas: every `.prisma` file under a folder where one file holds a
  `datasource` or `generator` block is one schema (`prisma/schema/*.prisma`).

Each `Schema` holds its parsed files, the merged declarations, the datasource provider and
relation mode, the Prisma generation (4-6, 7 or 8: from the `prisma` version that the nearest
`package.json` pins and from a `// use prisma-8` comment), the connection settings (from the
schema, or from `prisma.config.*` for Prisma 7+), the migrations folder with its
`migration_lock.toml`, the resolved relations, and the validation problems Prisma would
report for the schema as a whole (KD505; each file's syntax problems stay on its
`SchemaFile`).
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from enum import StrEnum

from analysis.catalog import BY_ID
from analysis.context import Context, join
from analysis.facts.relations import Relation, resolve_relations
from analysis.model import Finding, Location
from analysis.parsers.migration_lock import MigrationLockFile, parse_migration_lock
from analysis.parsers.prisma_config import ConfigValue, PrismaConfigFile, parse_prisma_config
from analysis.parsers.prisma_schema.files import parse_prisma_schema
from analysis.parsers.prisma_schema.lines import SCALAR_TYPES
from analysis.parsers.prisma_schema.records import (
    ArrayValue,
    ConfigBlock,
    ConstantValue,
    Enum,
    Field,
    FunctionCall,
    Model,
    NumberValue,
    SchemaFile,
    Setting,
    StringValue,
    field_refs,
    value_text,
)
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass
from analysis.sources import FileKind, SourceFile

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
    def all_problems(self) -> tuple[ParseProblem | Finding, ...]:
        return (*(p for f in self.files for p in f.problems), *self.problems)

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


# ---------------------------------------------------------------------------------------------
# package.json (a private reader: only what schemas need)
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class PackagePrisma:
    """What a package.json says about Prisma: `prisma.schema`, and the pinned versions."""

    path: str
    schema: str | None
    schema_line: int
    versions: tuple[PrismaVersion, ...]


def _major(spec: str) -> int | None:
    spec = spec.strip()
    if spec.startswith("npm:"):
        spec = spec.rsplit("@", 1)[-1]
    m = re.match(r"^[\^~>=<v\s]*(\d+)", spec)
    return int(m.group(1)) if m else None


def read_package_prisma(source: SourceFile) -> PackagePrisma:
    """The Prisma-related parts of one package.json, read by the package.json parser (never
    raises; its KD001 problems are reported with the parser's record, not here)."""
    from analysis.parsers.package_json.package import parse_package_json

    pkg = parse_package_json(source)
    schema = pkg.prisma.schema if pkg.prisma is not None else None
    at = pkg.prisma.schema_location if pkg.prisma is not None else None
    versions: list[PrismaVersion] = []
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        for name in ("prisma", "@prisma/client"):
            dep = next(
                (d for d in pkg.dependencies if d.section == section and d.name == name), None
            )
            if dep is not None:
                loc = Location(source.path, dep.location.line)
                versions.append(PrismaVersion(name, dep.version, _major(dep.version), loc))
    return PackagePrisma(source.path, schema, at.line if at is not None else 1, tuple(versions))


# ---------------------------------------------------------------------------------------------
# Finding the schemas
# ---------------------------------------------------------------------------------------------


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _problem(message: str, loc: Location) -> Finding:
    return Finding(RULE, BY_ID[RULE].severity, message, loc)


def _dirname(path: str) -> str:
    return posixpath.dirname(path) or "."


def _under(path: str, folder: str) -> bool:
    return folder == "." or path.startswith(folder.rstrip("/") + "/")


@dataclass(slots=True)
class _Claim:
    root: str
    is_folder: bool
    files: list[str]
    referenced_by: list[Location]
    config: PrismaConfigFile | None


def _folder_files(prisma_files: Sequence[str], folder: str) -> list[str]:
    """The .prisma files of a schema folder (recursively; only direct ones for the root)."""
    if folder in (".", ""):
        return [p for p in prisma_files if "/" not in p]
    prefix = folder.rstrip("/") + "/"
    return [
        p for p in prisma_files if p.startswith(prefix) and "migrations/" not in p[len(prefix) :]
    ]


def _claims(ctx: Context, prisma_files: Sequence[str]) -> tuple[list[_Claim], list[Finding]]:
    """Schemas that a config file or package.json names explicitly."""
    claims: dict[str, _Claim] = {}
    problems: list[Finding] = []

    def claim(
        base: str, ref: str, loc: Location, what: str, config: PrismaConfigFile | None
    ) -> None:
        if ref.startswith("/"):
            return  # a container path (a config copied into an image): not a path of the checkout
        target = join(base, ref)
        if target is None:
            problems.append(_problem(f"{what} names schema `{ref}`, outside the project", loc))
            return
        if ctx.is_dir(target):
            files = _folder_files(prisma_files, target)
            is_folder = True
        elif target in prisma_files or ctx.exists(target):
            files, is_folder = [target], False
        elif ctx.unknown(target):  # on a path keepdata may not look at: KD002, not "missing"
            ctx.source(target)
            return
        else:
            problems.append(
                _problem(f"{what} names schema `{ref}` ({target}), which does not exist", loc)
            )
            return
        c = claims.get(target)
        if c is None:
            claims[target] = _Claim(target, is_folder, files, [loc], config)
        else:
            c.referenced_by.append(loc)
            c.config = c.config or config

    for cfg_path in ctx.files(FileKind.PRISMA_CONFIG):
        cfg = ctx.parse(cfg_path, parse_prisma_config)
        if cfg is None:
            continue
        base = _dirname(cfg_path)
        if cfg.schema is not None and cfg.schema.value is not None:
            loc = Location(cfg_path, cfg.schema.line, cfg.schema.column)
            claim(base, cfg.schema.value, loc, cfg_path, cfg)
        else:
            # Prisma's defaults, relative to the config file
            for ref in ("prisma/schema.prisma", "schema.prisma", "prisma/schema"):
                target = join(base, ref)
                if target is not None and (
                    target in prisma_files or (ref.endswith("schema") and ctx.is_dir(target))
                ):
                    claim(base, ref, Location(cfg_path, 1), cfg_path, cfg)
                    break
    for pkg_path in ctx.files(FileKind.PACKAGE_JSON):
        pkg = ctx.parse(pkg_path, read_package_prisma)
        if pkg is None or pkg.schema is None:
            continue
        claim(
            _dirname(pkg_path),
            pkg.schema,
            Location(pkg_path, pkg.schema_line),
            f"{pkg_path} (`prisma.schema`)",
            None,
        )
    return list(claims.values()), problems


def _implicit(
    prisma_files: Sequence[str], parsed: dict[str, SchemaFile], claimed: set[str]
) -> list[_Claim]:
    """Schemas found by convention among the files no config names."""
    free = [p for p in prisma_files if p not in claimed]
    roots: dict[str, list[str]] = defaultdict(list)  # folder -> files with datasource/generator
    for p in free:
        if parsed[p].has_config:
            roots[_dirname(p)].append(p)
    out: list[_Claim] = []
    taken: set[str] = set()
    for folder in sorted(roots, key=lambda f: (f.count("/"), f), reverse=True):
        heads = roots[folder]
        with_ds = [h for h in heads if parsed[h].datasources]
        if len(with_ds) > 1:
            for h in with_ds:
                out.append(_Claim(h, False, [h], [], None))
                taken.add(h)
            continue
        members = [
            p
            for p in _folder_files(free, folder)
            if p not in taken
            and not any(
                other != folder and _under(p, other) and _under(other, folder) for other in roots
            )
        ]
        taken.update(members)
        if len(members) == 1:
            out.append(_Claim(members[0], False, members, [], None))
        else:
            out.append(_Claim(folder, True, members, [], None))
    # files in no schema: each folder of them is a fragment schema (when it declares anything)
    rest: dict[str, list[str]] = defaultdict(list)
    for p in free:
        if p not in taken:
            rest[_dirname(p)].append(p)
    for folder, files in sorted(rest.items()):
        if not any(parsed[p].models or parsed[p].enums for p in files):
            continue
        if any(_under(c.root, folder) or _under(folder, _claim_dir(c)) for c in out):
            continue
        if len(files) == 1:
            out.append(_Claim(files[0], False, files, [], None))
        else:
            out.append(_Claim(folder, True, sorted(files), [], None))
    return out


def _claim_dir(claim: _Claim) -> str:
    return claim.root if claim.is_folder else _dirname(claim.root)


@dataclass(slots=True, frozen=True)
class SchemaDiscovery:
    """The schemas of the project, and problems with the references that name them."""

    schemas: tuple[Schema, ...]
    problems: tuple[Finding, ...]


def schema_discovery(ctx: Context) -> SchemaDiscovery:
    """Find, parse and validate every schema (see the module docstring)."""
    prisma_files = tuple(sorted(ctx.files(FileKind.PRISMA_SCHEMA)))
    parsed: dict[str, SchemaFile] = {}
    for p in prisma_files:
        result = ctx.parse(p, parse_prisma_schema)
        if result is not None:
            parsed[p] = result
    readable = tuple(p for p in prisma_files if p in parsed)
    claims, problems = _claims(ctx, readable)
    claimed = {f for c in claims for f in c.files}
    claims.extend(_implicit(readable, parsed, claimed))
    packages = {
        _dirname(p): pkg
        for p in ctx.files(FileKind.PACKAGE_JSON)
        if (pkg := ctx.parse(p, read_package_prisma)) is not None
    }
    configs = {
        _dirname(p): cfg
        for p in ctx.files(FileKind.PRISMA_CONFIG)
        if (cfg := ctx.parse(p, parse_prisma_config)) is not None
    }
    out: list[Schema] = []
    for c in sorted(claims, key=lambda c: c.root):
        files = tuple(parsed[f] for f in sorted(c.files) if f in parsed)
        folder = _claim_dir(c)
        config = c.config or _nearest(configs, folder)

        def find_migrations(ds_dir: str, cfg: PrismaConfigFile | None = config) -> Migrations:
            return _migrations(ctx, ds_dir, cfg)

        out.append(
            build_schema(
                files,
                root=c.root,
                is_folder=c.is_folder,
                config=config,
                prisma_version=_version_for(packages, folder),
                referenced_by=tuple(c.referenced_by),
                migrations=find_migrations,
            )
        )
    return SchemaDiscovery(tuple(out), tuple(problems))


def schemas(ctx: Context) -> tuple[Schema, ...]:
    """Every Prisma schema of the project, sorted by root path."""
    return ctx.fact(schema_discovery).schemas


def _nearest(by_dir: dict[str, PrismaConfigFile], folder: str) -> PrismaConfigFile | None:
    """The config file in `folder` or the closest folder above it."""
    cur = folder
    while True:
        if cur in by_dir:
            return by_dir[cur]
        if cur in (".", ""):
            return None
        cur = _dirname(cur)


def _version_for(packages: dict[str, PackagePrisma], folder: str) -> PrismaVersion | None:
    """The `prisma` version of the nearest package.json that pins one (then the root's)."""
    cur = folder
    while True:
        pkg = packages.get(cur)
        if pkg is not None and pkg.versions:
            cli = [v for v in pkg.versions if v.package == "prisma"]
            return (cli or list(pkg.versions))[0]
        if cur in (".", ""):
            return None
        cur = _dirname(cur)


def _migrations(ctx: Context, ds_dir: str, config: PrismaConfigFile | None) -> Migrations:
    path = join(ds_dir, "migrations") or "migrations"
    configured: Location | None = None
    computed = False
    if config is not None and config.migrations_path is not None:
        mp = config.migrations_path
        if mp.value is not None:
            target = join(config.directory, mp.value)
            if target is not None:
                path = target
                configured = Location(config.path, mp.line, mp.column)
        else:
            computed = True
            configured = Location(config.path, mp.line, mp.column)
    exists = ctx.is_dir(path)
    lock: MigrationLockFile | None = None
    folders: tuple[str, ...] = ()
    if exists:
        lock_path = f"{path}/migration_lock.toml"
        if ctx.exists(lock_path):
            lock = ctx.parse(lock_path, parse_migration_lock)
        prefix = path.rstrip("/") + "/"
        folders = tuple(
            sorted(
                {
                    posixpath.dirname(p)
                    for p in ctx.files(FileKind.MIGRATION_SQL)
                    if p.startswith(prefix) and p.count("/") == prefix.count("/") + 1
                }
            )
        )
    return Migrations(path, exists, configured, computed, lock, folders)


# ---------------------------------------------------------------------------------------------
# Building and validating one schema
# ---------------------------------------------------------------------------------------------


def _connection_from_schema(setting: Setting | None, path: str) -> Connection | None:
    if setting is None:
        return None
    return Connection(
        setting.kind,
        setting.text,
        setting.text if setting.kind == "literal" else None,
        setting.env,
        None,
        Location(path, setting.line, setting.column),
        "schema",
    )


def _connection_from_config(value: ConfigValue | None, path: str) -> Connection | None:
    if value is None:
        return None
    return Connection(
        value.kind,
        value.text,
        value.value,
        value.env,
        value.default,
        Location(path, value.line, value.column),
        "config",
    )


def _generation(
    files: Sequence[SchemaFile],
    version: PrismaVersion | None,
    config: PrismaConfigFile | None,
    datasource: ConfigBlock | None,
) -> tuple[Generation, str]:
    marker = next((f for f in files if f.prisma8_marker is not None), None)
    if marker is not None:
        return Generation.V8, f"`// use prisma-8` in {marker.path}:{marker.prisma8_marker}"
    if version is not None and version.major is not None:
        where = f"{version.location.path} pins {version.package} {version.spec}"
        if version.major >= 8:
            return Generation.V8, where
        if version.major == 7:
            return Generation.V7, where
        return Generation.LEGACY, where
    if (
        config is not None
        and config.url is not None
        and (datasource is None or datasource.url is None)
    ):
        return Generation.V7, f"{config.path} sets the datasource url and the schema has none"
    if version is not None:
        return Generation.UNKNOWN, f"{version.location.path} has {version.package} `{version.spec}`"
    return Generation.UNKNOWN, "no package.json pins a prisma version"


def build_schema(
    files: Sequence[SchemaFile],
    *,
    root: str = "schema.prisma",
    is_folder: bool = False,
    config: PrismaConfigFile | None = None,
    prisma_version: PrismaVersion | None = None,
    generation: Generation | None = None,
    referenced_by: tuple[Location, ...] = (),
    migrations: Migrations | Callable[[str], Migrations] | None = None,
    problems: tuple[Finding, ...] = (),
) -> Schema:
    """Merge parsed files into one schema, resolve relations, and validate it (pure).

    `generation` overrides the detected one. `migrations` is a `Migrations` record or a
    callable `(folder of the datasource file) -> Migrations`.
    """
    datasources = [d for f in files for d in f.datasources]
    datasource = datasources[0] if datasources else None
    generators = tuple(g for f in files for g in f.generators)
    all_models = [m for f in files for m in f.models]
    enums = tuple(e for f in files for e in f.enums)
    raw_provider = datasource.provider if datasource is not None else None
    provider = PROVIDERS.get(raw_provider) if raw_provider is not None else None
    mode_text = datasource.relation_mode if datasource is not None else None
    relation_mode = "prisma" if (mode_text == "prisma" or provider == "mongodb") else "foreignKeys"
    detected, reason = _generation(files, prisma_version, config, datasource)
    if generation is not None:
        detected, reason = generation, "given"
    ds_dir = (
        _dirname(datasource.path)
        if datasource is not None
        else (root if is_folder else _dirname(root))
    )
    if isinstance(migrations, Migrations):
        mig = migrations
    elif migrations is not None:
        mig = migrations(ds_dir)
    else:
        mig = Migrations(join(ds_dir, "migrations") or "migrations", False, None, False, None, ())

    v = _Validator(
        datasources,
        all_models,
        enums,
        generators,
        provider,
        relation_mode,
        detected,
        reason,
        config,
    )
    v.run()
    relations, rel_problems = resolve_relations(all_models, provider, relation_mode)

    use_config = config is not None and (
        detected in (Generation.V7, Generation.V8) or (datasource is None or datasource.url is None)
    )

    def conn(key: str, cfg_value: ConfigValue | None) -> Connection | None:
        if use_config and config is not None and cfg_value is not None:
            return _connection_from_config(cfg_value, config.path)
        if datasource is not None:
            return _connection_from_schema(datasource.setting(key), datasource.path)
        return None

    return Schema(
        root=root,
        is_folder=is_folder,
        files=tuple(files),
        datasource=datasource,
        generators=generators,
        models=tuple(m for m in all_models if m.kind == "model"),
        views=tuple(m for m in all_models if m.kind == "view"),
        types=tuple(m for m in all_models if m.kind == "type"),
        enums=enums,
        provider=provider,
        relation_mode=relation_mode,
        generation=detected,
        generation_reason=reason,
        prisma_version=prisma_version,
        config=config,
        referenced_by=referenced_by,
        url=conn("url", config.url if config else None),
        direct_url=conn("directUrl", config.direct_url if config else None),
        shadow_database_url=conn(
            "shadowDatabaseUrl", config.shadow_database_url if config else None
        ),
        migrations=mig,
        relations=relations,
        problems=tuple(v.problems) + rel_problems + problems,
    )


_DEFAULT_FUNCTION_TYPES = {
    "autoincrement": ("Int", "BigInt"),
    "now": ("DateTime",),
    "uuid": ("String",),
    "cuid": ("String",),
    "nanoid": ("String",),
    "ulid": ("String",),
    "auto": ("String", "Int", "BigInt", "Bytes"),
}


_S, _I, _F, _DT = ("String",), ("Int",), ("Float",), ("DateTime",)
NATIVE_TYPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("VarChar", "Char", "Text", "Uuid", "Citext", "Inet", "TinyText", "MediumText", "LongText"),
        _S,
    ),
    **dict.fromkeys(("NVarChar", "NChar", "NText"), _S),
    "ObjectId": ("String", "Bytes"),
    **dict.fromkeys(("Timestamptz", "Timestamp", "Date", "Time", "Timetz", "DateTime"), _DT),
    **dict.fromkeys(("DateTime2", "SmallDateTime", "DateTimeOffset"), _DT),
    **dict.fromkeys(("Integer", "SmallInt", "MediumInt", "UnsignedInt", "UnsignedSmallInt"), _I),
    "TinyInt": ("Int", "Boolean"),
    **dict.fromkeys(("DoublePrecision", "Real", "Double"), _F),
    **dict.fromkeys(("Decimal", "Money"), ("Decimal",)),
    **dict.fromkeys(("JsonB", "Json"), ("Json",)),
    **dict.fromkeys(("ByteA", "Blob", "TinyBlob", "MediumBlob", "LongBlob"), ("Bytes",)),
    "UnsignedBigInt": ("BigInt",),
}
"""Native types (`@db.X`) and the Prisma types they can annotate (checked against Prisma 7)."""

_MYSQL_TEXT_TYPES = frozenset(
    {"Text", "TinyText", "MediumText", "LongText", "Blob", "TinyBlob", "MediumBlob", "LongBlob"}
)

_LITERAL_TYPES: dict[type, tuple[str, ...]] = {
    StringValue: ("Int", "BigInt", "Float", "Boolean"),
    NumberValue: ("String", "Boolean", "DateTime", "Bytes"),
}
"""Field types a literal default of that kind can never have."""


def _has_required_unique(m: Model) -> bool:
    for criterion in m.unique_sets:
        if all((f := m.field(n)) is not None and f.required for n in criterion):
            return True
    return False


class _Validator:
    """What Prisma rejects in a schema as a whole, apart from relations."""

    def __init__(
        self,
        datasources: list[ConfigBlock],
        models: list[Model],
        enums: Iterable[Enum],
        generators: Iterable[ConfigBlock],
        provider: str | None,
        relation_mode: str,
        generation: Generation,
        generation_reason: str,
        config: PrismaConfigFile | None,
    ) -> None:
        self.datasources = datasources
        self.models = models
        self.enums = list(enums)
        self.generators = list(generators)
        self.provider = provider
        self.mode = relation_mode
        self.generation = generation
        self.reason = generation_reason
        self.config = config
        self.problems: list[Finding] = []

    def problem(self, message: str, path: str, line: int, column: int = 1) -> None:
        self.problems.append(_problem(message, Location(path, line, column)))

    def run(self) -> None:
        self.check_datasources()
        self.check_names()
        self.check_models()

    def check_datasources(self) -> None:
        if len(self.datasources) > 1:
            first = self.datasources[0]
            for ds in self.datasources[1:]:
                self.problem(
                    f"a schema can have only one datasource: `{ds.name}` here and `{first.name}` "
                    f"at {first.path}:{first.line}",
                    ds.path,
                    ds.line,
                    ds.column,
                )
        for g in self.generators:
            if g.prop("provider") is None:
                self.problem(f"generator `{g.name}` has no `provider`", g.path, g.line, g.column)
        if not self.datasources:
            return
        ds = self.datasources[0]
        prov = ds.prop("provider")
        if prov is None:
            self.problem(
                f'datasource `{ds.name}` has no `provider` (e.g. `provider = "postgresql"`)',
                ds.path,
                ds.line,
                ds.column,
            )
        elif ds.provider is None:
            self.problem(
                f"the `provider` of datasource `{ds.name}` must be a string literal",
                ds.path,
                prov.line,
                prov.column,
            )
        elif ds.provider not in PROVIDERS:
            self.problem(
                f'unknown datasource provider "{ds.provider}": use one of '
                + ", ".join(sorted(set(PROVIDERS) - {"postgres"})),
                ds.path,
                prov.line,
                prov.column,
            )
        mode = ds.relation_mode_property
        if mode is not None:
            value = ds.relation_mode
            if value not in ("prisma", "foreignKeys"):
                self.problem(
                    f'`{mode.key}` must be "prisma" or "foreignKeys"',
                    ds.path,
                    mode.line,
                    mode.column,
                )
            elif value == "foreignKeys" and self.provider == "mongodb":
                self.problem(
                    'MongoDB supports only relationMode = "prisma"', ds.path, mode.line, mode.column
                )
        new_style = self.generation in (Generation.V7, Generation.V8)
        for key in ("url", "directUrl", "shadowDatabaseUrl"):
            p = ds.prop(key)
            if p is not None and new_style:
                self.problem(
                    f"datasource property `{key}` is no longer accepted in the schema by Prisma "
                    f"{self.generation.value} ({self.reason}): move it to prisma.config.ts "
                    f'(`datasource: {{ {key}: env("...") }}`)',
                    ds.path,
                    p.line,
                    p.column,
                )
        if (
            self.generation == Generation.LEGACY
            and ds.prop("url") is None
            and (self.config is None or self.config.url is None)
        ):
            self.problem(
                f"datasource `{ds.name}` has no `url`: Prisma 4-6 ({self.reason}) needs "
                '`url = env("DATABASE_URL")` in the schema',
                ds.path,
                ds.line,
                ds.column,
            )

    def check_names(self) -> None:
        seen: dict[str, tuple[str, str, int]] = {}
        for kind, name, path, line, column in [
            *((m.kind, m.name, m.path, m.line, m.column) for m in self.models),
            *(("enum", e.name, e.path, e.line, e.column) for e in self.enums),
        ]:
            if name in seen:
                other_kind, other_path, other_line = seen[name]
                self.problem(
                    f"{kind} `{name}` is declared twice: a {other_kind} `{name}` already exists at "
                    f"{other_path}:{other_line}",
                    path,
                    line,
                    column,
                )
            else:
                seen[name] = (kind, path, line)
            if name in SCALAR_TYPES or name == "Unsupported":
                self.problem(
                    f"`{name}` is a built-in type and cannot name a {kind}", path, line, column
                )
        for e in self.enums:
            values: set[str] = set()
            if not e.values:
                self.problem(f"enum `{e.name}` has no values", e.path, e.line, e.column)
            for val in e.values:
                if val.name in values:
                    self.problem(
                        f"value `{val.name}` appears twice in enum `{e.name}`",
                        e.path,
                        val.line,
                        val.column,
                    )
                values.add(val.name)
        schemas = set(self.datasources[0].schemas) if self.datasources else set()
        for e in self.enums:
            if schemas and e.schema_name is None:
                self.problem(
                    f'enum `{e.name}` needs `@@schema("...")`: the datasource lists `schemas`',
                    e.path,
                    e.line,
                    e.column,
                )
            elif e.schema_name is not None and schemas and e.schema_name not in schemas:
                self.problem(
                    f'`@@schema("{e.schema_name}")` on enum `{e.name}` names a schema the '
                    "datasource's `schemas` does not list",
                    e.path,
                    e.line,
                    e.column,
                )
        if self.enums and self.provider is not None and self.provider not in ENUM_PROVIDERS:
            for e in self.enums:
                self.problem(
                    f"enum `{e.name}`: the {self.provider} connector does not support enums",
                    e.path,
                    e.line,
                    e.column,
                )

    def check_default(self, m: Model, f: Field, enum_values: dict[str, set[str]]) -> None:
        attr = f.attribute("default")
        value = f.default
        if attr is None or value is None:
            return
        where = f"`{m.name}.{f.name}`"
        if isinstance(value, FunctionCall):
            allowed = _DEFAULT_FUNCTION_TYPES.get(value.name)
            if allowed is not None and f.type_name not in allowed and f.unsupported is None:
                self.problem(
                    f"`@default({value.name}())` cannot be used on {where} of type {f.type_name}",
                    f.path,
                    attr.line,
                    attr.column,
                )
        elif isinstance(value, ConstantValue) and f.type_name in enum_values and not f.list:
            if value.name not in enum_values[f.type_name]:
                self.problem(
                    f"`@default({value.name})` on {where}: `{value.name}` is not a value of enum "
                    f"`{f.type_name}`",
                    f.path,
                    attr.line,
                    attr.column,
                )
        elif not f.list and f.unsupported is None:
            expected = _LITERAL_TYPES.get(type(value))
            if (
                isinstance(value, ConstantValue)
                and value.name in ("true", "false")
                and f.type_name in ("Int", "BigInt", "Float", "Decimal", "String", "DateTime")
            ) or (expected is not None and f.type_name in expected):
                self.problem(
                    f"`@default({value_text(value)})` does not fit {where} of type {f.type_name}",
                    f.path,
                    attr.line,
                    attr.column,
                )

    def check_mysql_text_keys(self, m: Model) -> None:
        """MySQL cannot index a whole TEXT/BLOB column: unique keys and indexes need `length`."""

        def is_text(f: Field | None) -> bool:
            native = f.native_type if f is not None else None
            return native is not None and native.name.split(".", 1)[-1] in _MYSQL_TEXT_TYPES

        for f in m.fields:
            for key in ("unique", "id"):
                attr = f.attribute(key)
                if attr is not None and is_text(f) and attr.arg("length") is None:
                    self.problem(
                        f"`{m.name}.{f.name}` is a MySQL {f.native_type.name if f.native_type else ''} "
                        f"column and cannot be @{key} without a length: write "
                        f"`@{key}(length: 191)` or use VarChar",
                        f.path,
                        attr.line,
                        attr.column,
                    )
        for attr in m.attributes:
            if attr.name not in ("id", "unique", "index"):
                continue
            value = attr.arg("fields", 0)
            items = value.items if isinstance(value, ArrayValue) else ()
            for item in items:
                if isinstance(item, ConstantValue) and is_text(m.field(item.name)):
                    self.problem(
                        f"{attr.label} on `{m.name}` indexes the MySQL text column "
                        f"`{item.name}` without a length: write `{item.name}(length: 191)`",
                        m.path,
                        attr.line,
                        attr.column,
                    )

    def check_models(self) -> None:
        names = {m.name: m for m in self.models}
        enums = {e.name for e in self.enums}
        ds_name = self.datasources[0].name if self.datasources else None
        schemas = set(self.datasources[0].schemas) if self.datasources else set()
        previews = {p for g in self.generators for p in g.preview_features}
        enum_values = {e.name: {v.name for v in e.values} for e in self.enums}
        for m in self.models:
            if m.kind == "type" and self.provider is not None and self.provider != "mongodb":
                self.problem(
                    f"composite type `{m.name}`: composite types exist only on MongoDB, not on "
                    f"{self.provider}",
                    m.path,
                    m.line,
                    m.column,
                )
            if m.kind == "view" and "views" not in previews:
                self.problem(
                    f'view `{m.name}` needs `previewFeatures = ["views"]` in the generator',
                    m.path,
                    m.line,
                    m.column,
                )
            seen: set[str] = set()
            id_fields = [f for f in m.fields if f.is_id]
            for f in m.fields:
                if f.name in seen:
                    self.problem(
                        f"field `{f.name}` is declared twice in {m.kind} `{m.name}`",
                        f.path,
                        f.line,
                        f.column,
                    )
                seen.add(f.name)
                if f.unsupported is None and f.type_name not in SCALAR_TYPES:
                    target = names.get(f.type_name)
                    if target is None and f.type_name not in enums:
                        self.problem(
                            f"unknown type `{f.type_name}` of field `{m.name}.{f.name}`: no model, "
                            "enum, composite type or built-in type has this name"
                            + _suggest(f.type_name, [*names, *enums, *SCALAR_TYPES]),
                            f.path,
                            f.line,
                            f.type_column,
                        )
                    elif m.kind == "type" and target is not None and target.kind != "type":
                        self.problem(
                            f"composite type field `{m.name}.{f.name}` cannot refer to {target.kind} "
                            f"`{target.name}`",
                            f.path,
                            f.line,
                            f.type_column,
                        )
                if (
                    f.list
                    and self.provider is not None
                    and self.provider not in LIST_PROVIDERS
                    and (f.type_name in SCALAR_TYPES or f.type_name in enums)
                ):
                    self.problem(
                        f"field `{m.name}.{f.name}` cannot be a list: {self.provider} does not "
                        "support lists of scalar values",
                        f.path,
                        f.line,
                        f.type_column,
                    )
                if (
                    f.type_name in names
                    and f.unsupported is None
                    and names[f.type_name].kind != "type"
                ):
                    bad = [a for a in f.attributes if a.name not in ("relation", "ignore")]
                    if bad:
                        self.problem(
                            f"relation field `{m.name}.{f.name}` cannot have {bad[0].label}: only "
                            "@relation and @ignore apply to relation fields (put it on the scalar "
                            "field instead)",
                            f.path,
                            bad[0].line,
                            bad[0].column,
                        )
                self.check_default(m, f, enum_values)
                if f.is_id and f.optional:
                    self.problem(
                        f"`@id` field `{m.name}.{f.name}` must be required (remove the `?`)",
                        f.path,
                        f.line,
                        f.column,
                    )
                if f.is_updated_at and f.type_name != "DateTime":
                    self.problem(
                        f"`@updatedAt` field `{m.name}.{f.name}` must be of type DateTime",
                        f.path,
                        f.line,
                        f.column,
                    )
                native = f.native_type
                if native is not None:
                    prefix = native.name.split(".", 1)[0]
                    if ds_name is None:
                        self.problem(
                            f"native type @{native.name} on `{m.name}.{f.name}` needs a datasource",
                            f.path,
                            native.line,
                            native.column,
                        )
                    elif prefix != ds_name:
                        self.problem(
                            f"native type @{native.name} on `{m.name}.{f.name}` must use the "
                            f"datasource's name: @{ds_name}.{native.name.split('.', 1)[1]}",
                            f.path,
                            native.line,
                            native.column,
                        )
                    elif (
                        (allowed := NATIVE_TYPES.get(native.name.split(".", 1)[1])) is not None
                        and f.type_name not in allowed
                        and f.type_name not in names
                    ):
                        self.problem(
                            f"native type @{native.name} does not fit `{m.name}.{f.name}` of "
                            f"type {f.type_name}: it needs {' or '.join(allowed)}",
                            f.path,
                            native.line,
                            native.column,
                        )
                    elif f.type_name in names:
                        self.problem(
                            f"relation field `{m.name}.{f.name}` cannot have a native type",
                            f.path,
                            native.line,
                            native.column,
                        )
            if m.kind == "model" and not m.is_ignored and not _has_required_unique(m):
                self.problem(
                    f"model `{m.name}` has no unique criterion of required fields: Prisma rejects "
                    "it; mark a field `@id` or `@unique`, add `@@id([...])`/`@@unique([...])`, "
                    "or mark the model `@@ignore`",
                    m.path,
                    m.line,
                    m.column,
                )
            if self.provider == "mongodb":
                for f in id_fields:
                    if f.is_unique:
                        self.problem(
                            f"`{m.name}.{f.name}` is `@id` and `@unique`: on MongoDB the id "
                            "cannot also be marked unique",
                            f.path,
                            f.line,
                            f.column,
                        )
            if (
                self.provider == "mongodb"
                and m.kind == "model"
                and id_fields
                and id_fields[0].db_name != "_id"
            ):
                self.problem(
                    f'MongoDB id field `{m.name}.{id_fields[0].name}` needs `@map("_id")`',
                    m.path,
                    id_fields[0].line,
                    id_fields[0].column,
                )
            if self.provider == "mysql":
                self.check_mysql_text_keys(m)
            if len(id_fields) > 1:
                self.problem(
                    f"{m.kind} `{m.name}` marks several fields `@id` ("
                    + ", ".join(f.name for f in id_fields)
                    + "): use `@@id([...])` for a compound id",
                    m.path,
                    id_fields[1].line,
                    id_fields[1].column,
                )
            block_id = m.block_attribute("id")
            if id_fields and block_id is not None:
                self.problem(
                    f"{m.kind} `{m.name}` has both `@id` and `@@id`: keep one",
                    m.path,
                    block_id.line,
                    block_id.column,
                )
            if m.kind == "type" and id_fields:
                self.problem(
                    f"composite type `{m.name}` cannot have an `@id` field",
                    m.path,
                    id_fields[0].line,
                )
            for attr in m.attributes:
                if attr.name in ("id", "unique", "index", "fulltext", "shardKey"):
                    refs = field_refs(attr.arg("fields", 0))
                    if not refs:
                        self.problem(
                            f"{attr.label} on {m.kind} `{m.name}` names no fields",
                            m.path,
                            attr.line,
                            attr.column,
                        )
                    unknown = [r for r in refs if m.field(r) is None]
                    relational = [
                        r for r in refs if (fl := m.field(r)) is not None and fl.type_name in names
                    ]
                    if unknown:
                        self.problem(
                            f"{attr.label} on {m.kind} `{m.name}` names unknown field(s): "
                            + ", ".join(unknown),
                            m.path,
                            attr.line,
                            attr.column,
                        )
                    if relational:
                        self.problem(
                            f"{attr.label} on {m.kind} `{m.name}` names relation field(s) "
                            + ", ".join(relational)
                            + ": use their scalar fields",
                            m.path,
                            attr.line,
                            attr.column,
                        )
                    if attr.name == "id":
                        opt = [r for r in refs if (fl := m.field(r)) is not None and fl.optional]
                        if opt:
                            self.problem(
                                f"@@id on {m.kind} `{m.name}` uses optional field(s) "
                                + ", ".join(opt)
                                + ": id fields must be required",
                                m.path,
                                attr.line,
                                attr.column,
                            )
            schema_attr = m.block_attribute("schema")
            if m.kind != "type" and schemas:
                if schema_attr is None:
                    self.problem(
                        f'{m.kind} `{m.name}` needs `@@schema("...")`: the datasource lists '
                        "`schemas`",
                        m.path,
                        m.line,
                        m.column,
                    )
                elif m.schema_name is not None and m.schema_name not in schemas:
                    self.problem(
                        f'`@@schema("{m.schema_name}")` on `{m.name}` names a schema the '
                        "datasource's `schemas` does not list",
                        m.path,
                        schema_attr.line,
                        schema_attr.column,
                    )
            elif schema_attr is not None and self.datasources and not schemas:
                self.problem(
                    f"`@@schema` on `{m.name}` needs `schemas = [...]` in the datasource",
                    m.path,
                    schema_attr.line,
                    schema_attr.column,
                )
