"""What a container's Prisma connects to, and whether the app migrates from its own code."""

from __future__ import annotations

import posixpath
import re

from analysis.context import Context
from analysis.facts.images.records import Image
from analysis.facts.startup.chain import _Builder
from analysis.facts.startup.records import CODE_MIGRATION_PACKAGES, CodeMigration, DatabaseUse
from analysis.model import Location
from analysis.parsers.compose.records import Service
from analysis.parsers.dotenv_file import parse_dotenv
from analysis.parsers.package_json.package import PackageJson
from analysis.parsers.prisma_schema.files import parse_prisma_schema
from analysis.parsers.prisma_schema.records import ConfigBlock
from analysis.sources import FileKind


def _env_from_service(service: Service) -> dict[str, tuple[str | None, Location, str]]:
    out: dict[str, tuple[str | None, Location, str]] = {}
    for var in service.container_env or service.environment:
        out[var.name] = (var.value, var.location, f"compose {var.source}")
    return out


def _env_from_stage(df_path: str, image: Image) -> dict[str, tuple[str | None, Location, str]]:
    out: dict[str, tuple[str | None, Location, str]] = {}
    stage = image.stage
    if stage is None:
        return out
    for var in stage.effective_env:
        out[var.name] = (var.expanded, Location(df_path, var.line), "Dockerfile ENV")
    return out


_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


_ENGINES = {"file": "sqlite", "postgres": "postgresql"}


def _engine_of_url(value: str | None) -> str | None:
    """The engine a connection URL names ("sqlite" for `file:`, else its scheme), or None when
    the value is unknown (unset, or a `$VARIABLE` nothing expanded)."""
    if not value:
        return None
    m = _URL_SCHEME.match(value.strip().strip("\"'"))
    if m is None:
        return None
    scheme = m.group(1).lower()
    return _ENGINES.get(scheme, scheme)


def _nearest_schemas(ctx: Context, folder: str) -> tuple[str, ...]:
    """The schema files closest to `folder` (the shallowest below it)."""
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    found = [rel for rel in ctx.files(FileKind.PRISMA_SCHEMA) if rel.startswith(prefix)]
    if not found:
        return ()
    depth = min(rel.count("/") for rel in found)
    return tuple(rel for rel in found if rel.count("/") == depth)


def _image_env_files(image: Image) -> tuple[str, ...]:
    """The `.env` files Prisma's CLI loads in the image: in the final stage, at the build
    context's top or beside a schema of the app."""
    folders = {image.context if image.context not in ("", ".") else ""}
    folders.update(posixpath.dirname(s) for s in image.app_schemas)
    return tuple(
        e.path
        for e in image.env_files
        if e.in_final_image
        and e.present
        and posixpath.basename(e.path) == ".env"
        and posixpath.dirname(e.path) in folders
    )


def _datasources(ctx: Context, schema_files: tuple[str, ...]) -> tuple[list[ConfigBlock], str]:
    """The schemas' datasources and the variable their URL is read from."""
    datasources: list[ConfigBlock] = []
    for rel in schema_files:
        parsed = ctx.parse(rel, parse_prisma_schema)
        datasources.extend(parsed.datasources if parsed is not None else ())
    variable = next(
        (
            ds.url.env
            for ds in datasources
            if ds.url is not None and ds.url.kind == "env" and ds.url.env
        ),
        "DATABASE_URL",
    )
    return datasources, variable


def _database_use(
    ctx: Context,
    env: dict[str, tuple[str | None, Location, str]],
    schema_files: tuple[str, ...],
    env_files: tuple[str, ...],
    memo: dict[tuple[str, ...], tuple[list[ConfigBlock], str]] | None = None,
) -> DatabaseUse | None:
    """What the container's Prisma connects to: the URL's value from the container's
    environment (compose, Dockerfile `ENV`), else from a `.env` the image holds, else the
    schema's datasource provider. `memo` keeps the schemas' datasources for this run (13,000
    services sharing one schema read its datasource once)."""
    found = memo.get(schema_files) if memo is not None else None
    if found is None:
        found = _datasources(ctx, schema_files)
        if memo is not None:
            memo[schema_files] = found
    datasources, variable = found
    hit = env.get(variable)
    engine = _engine_of_url(hit[0]) if hit is not None else None
    if hit is not None and engine is not None:
        return DatabaseUse(engine, variable, hit[2], hit[1])
    for rel in env_files:
        dotenv = ctx.parse(rel, parse_dotenv)
        entry = dotenv.get(variable) if dotenv is not None else None
        engine = _engine_of_url(entry.value) if entry is not None else None
        if dotenv is not None and entry is not None and engine is not None:
            return DatabaseUse(engine, variable, ".env", dotenv.location(entry))
    for ds in datasources:
        provider = ds.provider
        if provider:
            engine = _ENGINES.get(provider, provider)
            return DatabaseUse(
                engine, variable, "schema provider", Location(ds.path, ds.provider_line)
            )
    return None


def _code_migration(
    b: _Builder, image: Image | None, service: Service | None, compose_file: str
) -> CodeMigration | None:
    """The package.json of the app a container runs (the build context's; for a pulled image,
    the compose folder's when the image is named after that package) depends on a Prisma
    engine library in `dependencies`: the app migrates from code."""
    pkg: PackageJson | None = None
    if image is not None:
        pkg = b.package_at(image.context or "")
    elif service is not None and service.image is not None:
        ref = service.image.value.split("@", 1)[0]
        repo = ref.rsplit("/", 1)[-1].split(":", 1)[0].lower()
        found = b.package_at(posixpath.dirname(compose_file))
        name = (found.name or "").rsplit("/", 1)[-1].lower() if found is not None else ""
        if found is not None and repo and repo == name:
            pkg = found
    if pkg is None:
        return None
    for dep_name in CODE_MIGRATION_PACKAGES:
        dep = pkg.dependency(dep_name)
        if dep is not None and dep.section == "dependencies":
            return CodeMigration(dep_name, dep.location)
    return None
