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

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Sequence

from analysis.context import Context, join
from analysis.facts.relations_resolve import resolve_relations
from analysis.facts.schema_records import (
    PROVIDERS,
    Connection,
    Generation,
    Migrations,
    PrismaVersion,
    Schema,
)
from analysis.facts.schema_validate import SchemaValidator, schema_problem
from analysis.model import Finding, Location
from analysis.parsers.migration_lock import MigrationLockFile, parse_migration_lock
from analysis.parsers.prisma_config import ConfigValue, PrismaConfigFile, parse_prisma_config
from analysis.parsers.prisma_schema import (
    ConfigBlock,
    SchemaFile,
    Setting,
    parse_prisma_schema,
)
from analysis.records import dataclass
from analysis.sources import FileKind, SourceFile

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


def _line_of(text: str, needle: str, start: int = 0) -> int:
    pos = text.find(needle, start)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def _major(spec: str) -> int | None:
    spec = spec.strip()
    if spec.startswith("npm:"):
        spec = spec.rsplit("@", 1)[-1]
    m = re.match(r"^[\^~>=<v\s]*(\d+)", spec)
    return int(m.group(1)) if m else None


def read_package_prisma(source: SourceFile) -> PackagePrisma:
    """The Prisma-related parts of one package.json (never raises; KD001 is not ours)."""
    from analysis.parsers.package_json import shallow_json

    try:  # values nested too deep are left out (the package.json parser says so: KD001)
        data = json.loads(shallow_json(source.text)[0])
    except (ValueError, RecursionError):
        return PackagePrisma(source.path, None, 1, ())
    if not isinstance(data, dict):
        return PackagePrisma(source.path, None, 1, ())
    schema: str | None = None
    schema_line = 1
    prisma = data.get("prisma")
    if isinstance(prisma, dict) and isinstance(prisma.get("schema"), str):
        schema = prisma["schema"]
        block = source.text.find('"prisma"')
        schema_line = _line_of(source.text, '"schema"', max(block, 0))
    versions: list[PrismaVersion] = []
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        deps = data.get(section)
        if not isinstance(deps, dict):
            continue
        for pkg in ("prisma", "@prisma/client"):
            spec = deps.get(pkg)
            if isinstance(spec, str):
                sec = source.text.find(f'"{section}"')
                line = _line_of(source.text, f'"{pkg}"', max(sec, 0))
                versions.append(PrismaVersion(pkg, spec, _major(spec), Location(source.path, line)))
    return PackagePrisma(source.path, schema, schema_line, tuple(versions))


# ---------------------------------------------------------------------------------------------
# Finding the schemas
# ---------------------------------------------------------------------------------------------


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
            problems.append(
                schema_problem(f"{what} names schema `{ref}`, outside the project", loc)
            )
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
                schema_problem(f"{what} names schema `{ref}` ({target}), which does not exist", loc)
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

    v = SchemaValidator(
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
