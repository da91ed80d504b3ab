"""Rules of the image area (KD301-KD308): what `docker build` puts into the image.

Every rule reads the `images` fact (analysis/facts/images/); what a container of the image runs
at start comes from the startup fact (`analysis.facts.startup.paths.startup_paths`), the only
tracer of start commands.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.compose import compose_stacks
from analysis.facts.images.builds import images
from analysis.facts.images.copies import path_in_stage
from analysis.facts.images.records import Image, MigrationsInImage, PrismaCommand
from analysis.facts.named import NAMED_FACTS
from analysis.facts.startup.paths import startup_paths
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.compose.records import Service
from analysis.parsers.dockerfile.records import DockerfileFile, Stage, Variable
from analysis.parsers.prisma_cli import APPLIES_MIGRATIONS
from analysis.records import dataclass
from analysis.secrets import MASK, is_secret_name, mask_value
from analysis.sources import FileKind

DATABASE_IMAGES = lazy_compile(
    r"^(?:docker\.io/)?(?:library/)?(?:postgres|mysql|mariadb|mongo|redis|"
    r"postgis/postgis|pgvector/pgvector|timescale/timescaledb[\w-]*|bitnami/[\w-]+|"
    r"supabase/postgres|cockroachdb/cockroach|mcr\.microsoft\.com/mssql/server)(?::|@|$)"
)


def _sev(rule: str) -> Severity:
    return BY_ID[rule].severity


# -- the startup path, from the startup fact ------------------------------
@dataclass(slots=True, frozen=True)
class StartCommand:
    """A Prisma command the startup path of an image runs (normalized), with where it is."""

    command: str
    flags: tuple[str, ...]
    location: Location
    first_link: Location | None
    condition: str | None
    service: str | None
    context: str = "startup"


def startup_commands(ctx: Context, image: Image) -> list[StartCommand]:
    """The Prisma commands that run when a container of `image` starts, from the startup
    fact's paths for the services that run it (for an image no compose service builds: the
    path of its own ENTRYPOINT/CMD, or the compose paths that pull it, inferred)."""
    wanted = {(u.compose_file, u.service) for u in image.uses}
    names = {u.service for u in image.uses}
    out: list[StartCommand] = []
    for path in ctx.fact(startup_paths):
        service = path.service
        if not image.uses:
            if path.dockerfile != image.dockerfile or path.kind not in ("dockerfile", "compose"):
                continue
        elif service not in names:
            continue
        compose_file = path.compose_file
        if image.uses and compose_file is not None and (compose_file, service) not in wanted:
            continue
        first = path.links[0].location if path.links else None
        for cmd in path.commands:
            context = cmd.context or "startup"
            if context not in ("startup", "deploy") or not cmd.command:
                continue
            # lowered only when no file of the project turns the condition on
            off = cmd.opt_in_off
            condition = ", ".join(x for x in (o.label for o in off) if x) if off else None
            out.append(
                StartCommand(
                    cmd.command,
                    tuple(cmd.flags),
                    cmd.location,
                    first,
                    condition or None,
                    service,
                    context,
                )
            )
    return out


# -- KD301 generate-before-schema-copy ----------------------------------------------------------
def _schema_copy_after(image: Image, stage: Stage, line: int) -> Location | None:
    """The first COPY in `stage` after `line` that brings a Prisma schema into it."""
    for root_rel in image.schemas:
        rel = image.rel_in_context(root_rel)
        if rel is None:
            continue
        for copy in stage.copies:
            if copy.line <= line:
                continue
            if path_in_stage(image, stage, rel, copy.line + 1):
                return Location(image.dockerfile, copy.line)
    return None


def _later_generate(image: Image, df: DockerfileFile, p: PrismaCommand) -> bool:
    """A `prisma generate` with the schema present, later in the same stage or in a stage
    built FROM it."""
    for q in image.generate_commands:
        if not q.schema_present or q is p:
            continue
        if q.stage == p.stage and q.run.line > p.run.line:
            return True
        if q.stage != p.stage and p.stage in {s.index for s in df.chain(df.stages[q.stage])}:
            return True
    return False


# -- KD302 no-prisma-generate -------------------------------------------------------------------
def _uses_prisma(image: Image) -> bool:
    if not image.schemas or image.stage is None or image.file is None:
        return False
    if DATABASE_IMAGES.match(image.stage.image.lower()):
        return False
    return image.node_modules.present or any(
        c.origin == "context" for c in image.copies if c.in_final_stage
    )


# -- KD303 migrations-not-in-image --------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class _MissingMigrations:
    """An image whose start applies migrations while a migrations folder is not in it."""

    image: Image
    folder: MigrationsInImage
    commands: tuple[StartCommand, ...]
    would_copy: Location | None


def _who(case: _MissingMigrations) -> str:
    services = list(dict.fromkeys(c.service for c in case.commands if c.service))
    if services:
        names = ", ".join(repr(s) for s in services)
        return f"service{'s' if len(services) > 1 else ''} {names} ({case.image.dockerfile})"
    return f"the image from {case.image.label}"


# -- KD304 secret-in-image ----------------------------------------------------------------------
_URL_WITH_PASSWORD = lazy_compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s'\"]*:(?P<pw>[^@/\s'\"]+)@")


def _secret_kind(var: Variable) -> str | None:
    value = var.value
    if not value:
        return None
    if var.name.upper().endswith(("_FILE", "_PATH", "_DIR")):
        return None  # names a file holding the secret (Docker secrets convention)
    m = _URL_WITH_PASSWORD.search(value)
    if m and not m["pw"].startswith("$"):
        return "a database URL with a password" if "://" in value else "a URL with a password"
    if value.strip().lower() in _FLAG_VALUES:
        return None  # a switch, not a secret (`COREPACK_INTEGRITY_KEYS=0`)
    if is_secret_name(var.name) and not value.startswith("$") and value != MASK:
        return "a password" if "PASS" in var.name.upper() else "a secret"
    return None


_FLAG_VALUES = frozenset({"0", "1", "true", "false", "yes", "no", "on", "off"})


def _masked(var: Variable) -> str:
    return mask_value(var.name, var.value or "")


# -- KD305 migrate-at-build-time ----------------------------------------------------------------


# -- KD306 stale-client-volume ------------------------------------------------------------------
def _compose_services(ctx: Context) -> list[tuple[tuple[str, ...], Service]]:
    out: list[tuple[tuple[str, ...], Service]] = []
    for stack in ctx.fact(compose_stacks):
        files = stack.files + stack.pulled_in
        for svc in stack.services:
            out.append((files, svc))
    return out


def _regenerates(starts: list[StartCommand]) -> bool:
    for s in starts:
        if s.command == "generate":
            return True
        if s.command in ("migrate dev", "db push") and "--skip-generate" not in s.flags:
            return True  # Prisma 6 and older generate the client after these
    return False


# -- KD307 env-in-build-context -----------------------------------------------------------------


# -- KD308 migrations-gitignored ----------------------------------------------------------------
def _project_migrate_commands(ctx: Context, all_images: tuple[Image, ...]) -> list[Location]:
    """Where anything in the project applies migrations (startup, build, deploy or developer
    scripts)."""
    found = [
        cmd.location
        for cmd in ctx.fact(startup_paths).commands
        if cmd.command in APPLIES_MIGRATIONS
    ]
    for image in all_images:
        found += [p.location for p in image.prisma if p.command in APPLIES_MIGRATIONS]
    return list(dict.fromkeys(found))


def _migration_folders(ctx: Context) -> dict[str, tuple[str, ...]]:
    """Every migrations folder the project has or should have (beside each relational schema,
    or where prisma.config points), with the migration.sql files it holds here."""
    folders: dict[str, list[str]] = {}
    for f in ctx.files(FileKind.MIGRATION_SQL):
        folders.setdefault(posixpath.dirname(posixpath.dirname(f)), []).append(f)
    for schema in ctx.fact(NAMED_FACTS["schemas"]):  # no schema: no schema parser
        if schema.provider != "mongodb" and schema.migrations.path:
            folders.setdefault(schema.migrations.path, [])
    return {k: tuple(v) for k, v in folders.items()}


# -- the area -----------------------------------------------------------------------------------
def image_starts(ctx: Context) -> tuple[tuple[Image, list[StartCommand]], ...]:
    """Each image with the Prisma commands its containers run at start."""
    return tuple((image, startup_commands(ctx, image)) for image in ctx.fact(images))


def _tidied(
    fn: Callable[[Context], Iterable[Finding]],
) -> Callable[[Context], Iterable[Finding]]:
    return lambda ctx: [_tidy(f) for f in fn(ctx)]


def _tidy(finding: Finding) -> Finding:
    """Drop related locations that repeat the finding's own location or each other."""
    seen = {(finding.location.path, finding.location.line)}
    related: list[Related] = []
    for r in finding.related:
        key = (r.location.path, r.location.line)
        if key in seen:
            continue
        seen.add(key)
        related.append(r)
    if len(related) == len(finding.related):
        return finding
    return Finding(
        finding.rule,
        finding.severity,
        finding.message,
        finding.location,
        tuple(related),
        finding.suppressed,
        finding.key,
    )
