"""Rules of the image area (KD301-KD308): what `docker build` puts into the image.

Every rule reads the `images` fact (analysis/facts/images.py); the startup path comes from the
startup facts (`analysis.facts.startup.startup_paths`) when they exist, else from the final
stage's ENTRYPOINT/CMD followed into the scripts and package.json scripts it runs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.images import (
    Image,
    MigrationsInImage,
    PrismaCommand,
    commands_in_text,
    copy_bringing,
    find_prisma_commands,
    images,
    path_in_stage,
    read_package_info,
)
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.dockerfile import DockerfileFile, Stage, Variable
from analysis.parsers.gitignore import gitignore_matcher
from analysis.secrets import MASK, mask_url
from analysis.sources import FileKind

APPLIES_MIGRATIONS = frozenset({"migrate deploy", "migrate dev", "migrate reset"})
BUILD_TIME_MIGRATIONS = frozenset({"migrate deploy", "migrate dev", "db push", "migrate reset"})
DATABASE_IMAGES = re.compile(
    r"^(?:docker\.io/)?(?:library/)?(?:postgres|mysql|mariadb|mongo|redis|"
    r"postgis/postgis|pgvector/pgvector|timescale/timescaledb[\w-]*|bitnami/[\w-]+|"
    r"supabase/postgres|cockroachdb/cockroach|mcr\.microsoft\.com/mssql/server)(?::|@|$)"
)


def _sev(rule: str) -> Severity:
    return BY_ID[rule].severity


# -- the startup path, through the startup facts or the Dockerfile ------------------------------
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


@cache
def _startup_module() -> Any:
    try:
        from analysis.facts import startup  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return startup if hasattr(startup, "startup_paths") else None


def _name_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else None


def _startup_from_facts(ctx: Context, image: Image) -> list[StartCommand] | None:
    """Commands of the startup paths of the services that run `image`, from the startup facts;
    None when those facts do not exist (or say nothing about these services)."""
    module = _startup_module()
    if module is None:
        return None
    paths = ctx.fact(module.startup_paths)
    wanted = {(u.compose_file, u.service) for u in image.uses}
    names = {u.service for u in image.uses}
    out: list[StartCommand] = []
    matched = False
    for path in paths or ():
        service = _name_of(getattr(path, "service", None))
        if not image.uses:
            # an image no compose service builds: its own ENTRYPOINT/CMD path
            if getattr(path, "kind", None) != "dockerfile" or (
                getattr(path, "dockerfile", None) != image.dockerfile
            ):
                continue
        elif service not in names:
            continue
        compose_file = getattr(path, "compose_file", None)
        if image.uses and isinstance(compose_file, str) and (compose_file, service) not in wanted:
            continue
        matched = True
        links = getattr(path, "links", None) or getattr(path, "chain", None) or ()
        first = getattr(links[0], "location", None) if links else None
        for cmd in getattr(path, "commands", None) or getattr(path, "prisma", None) or ():
            context = str(getattr(cmd, "context", "startup") or "startup")
            if context not in ("startup", "deploy"):
                continue
            loc = getattr(cmd, "location", None)
            if not isinstance(loc, Location):
                continue
            command = getattr(cmd, "command", None) or getattr(cmd, "normalized", None)
            if not isinstance(command, str):
                continue
            condition = getattr(cmd, "condition", None)
            off = getattr(cmd, "opt_in_off", None)
            if off is not None:
                # lower only when no file of the project turns the condition on
                labels = [str(getattr(o, "label", "")) for o in off]
                condition = ", ".join(x for x in labels if x) if off else None
            out.append(
                StartCommand(
                    command,
                    tuple(getattr(cmd, "flags", ()) or ()),
                    loc,
                    first if isinstance(first, Location) else None,
                    condition if isinstance(condition, str) and condition else None,
                    service,
                    context,
                )
            )
    return out if matched else None


def _service_of(ctx: Context, compose_file: str, name: str) -> Any:
    for stack_file, svc in _compose_services(ctx):
        if svc.name == name and compose_file in stack_file:
            return svc
    return None


def _from_image(image: Image, service: str | None, only_line: int | None = None) -> list[Any]:
    return [
        StartCommand(p.command, p.flags, p.location, p.run, None, service)
        for p in image.startup
        if only_line is None or p.run.line == only_line
    ]


def startup_commands(ctx: Context, image: Image) -> list[StartCommand]:
    """The Prisma commands that run when a container of `image` starts: from the startup facts
    when they exist, else from the compose service's `entrypoint`/`command` (which replace the
    Dockerfile's) and the final stage's ENTRYPOINT/CMD, followed into scripts and
    package.json scripts."""
    from_facts = _startup_from_facts(ctx, image)
    if from_facts is not None:
        return from_facts
    if not image.uses:
        return _from_image(image, None)
    out: list[StartCommand] = []
    for use in image.uses:
        svc = _service_of(ctx, use.compose_file, use.service)
        entrypoint = getattr(svc, "entrypoint", None)
        command = getattr(svc, "command", None)
        if entrypoint is None and command is None:
            out.extend(_from_image(image, use.service))
            continue
        if entrypoint is None and image.stage is not None:
            kept = image.stage.effective_entrypoint
            if kept is not None:  # a compose `command` keeps the image's ENTRYPOINT
                out.extend(_from_image(image, use.service, kept.line))
        for part, keyword in ((entrypoint, "entrypoint"), (command, "command")):
            if part is None:
                continue
            text = " ".join(getattr(part, "argv", ())) or str(getattr(part, "text", ""))
            loc = getattr(part, "location", None)
            if not isinstance(loc, Location):
                continue
            for p in commands_in_text(ctx, image, text, loc, f"compose `{keyword}`"):
                out.append(StartCommand(p.command, p.flags, p.location, p.run, None, use.service))
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


def check_generate_before_schema(image: Image) -> Iterator[Finding]:
    df = image.file
    if df is None or not image.schemas:
        return
    for p in image.generate_commands:
        if p.implicit or p.schema_present or p.stage not in image.stages_used:
            continue
        if _later_generate(image, df, p):
            continue
        stage = df.stages[p.stage]
        later = _schema_copy_after(image, stage, p.run.line)
        related = list(p.via) or ([Related(p.run, "the RUN")] if p.location != p.run else [])
        if later is not None:
            related.append(Related(later, "the schema is copied only here"))
            tail = f"the schema is copied only later (line {later.line})"
        else:
            tail = "no COPY brings the schema into this stage"
        yield Finding(
            "KD301",
            _sev("KD301"),
            f"`{p.text}` runs in {stage.label} of {image.dockerfile} before the Prisma schema "
            f"is in the image: {tail}, so the client is generated without it (or the build "
            "fails) and nothing regenerates it afterwards",
            p.location,
            tuple(related),
        )


# -- KD302 no-prisma-generate -------------------------------------------------------------------
def _uses_prisma(image: Image) -> bool:
    if not image.schemas or image.stage is None or image.file is None:
        return False
    if DATABASE_IMAGES.match(image.stage.image.lower()):
        return False
    return image.node_modules.present or any(
        c.origin == "context" for c in image.copies if c.in_final_stage
    )


def check_no_generate(ctx: Context, image: Image, starts: list[StartCommand]) -> Iterator[Finding]:
    if not _uses_prisma(image) or image.stage is None:
        return
    if any(p.stage in image.stages_used for p in image.generate_commands):
        return
    if any(s.command == "generate" for s in starts):
        return
    if not image.schemas_in_image and not any(
        path_in_stage(image, image.file.stages[i], rel)
        for i in image.stages_used
        if image.file is not None
        for rel in (image.rel_in_context(s) for s in image.schemas)
        if rel is not None
    ):
        return
    stage = image.stage
    related = [
        Related(Location(s, 1), "the Prisma schema the client is generated from")
        for s in image.app_schemas[:2]
    ]
    if image.node_modules.location is not None:
        related.append(Related(image.node_modules.location, "node_modules is installed here"))
    yield Finding(
        "KD302",
        _sev("KD302"),
        f"{image.label} never runs `prisma generate` (neither its final {stage.label} nor the "
        "stages it is built from), nor does its startup path: the image holds no Prisma Client "
        "for its schema (or a stale one)",
        Location(image.dockerfile, stage.line),
        tuple(related),
    )


# -- KD303 migrations-not-in-image --------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class _MissingMigrations:
    """An image whose start applies migrations while a migrations folder is not in it."""

    image: Image
    folder: MigrationsInImage
    commands: tuple[StartCommand, ...]
    would_copy: Location | None


def missing_migrations(ctx: Context, image: Image, starts: list[StartCommand]) -> list[Any]:
    if image.stage is None or not image.app_migrations:
        return []
    order = {"migrate deploy": 0, "migrate dev": 1, "migrate reset": 2}
    migrating = tuple(
        sorted(
            (s for s in starts if s.command in APPLIES_MIGRATIONS),
            key=lambda s: order.get(s.command, 9),
        )
    )
    if not migrating or any(m.present for m in image.app_migrations):
        return []
    out: list[_MissingMigrations] = []
    for m in image.app_migrations:
        would: Location | None = None
        for f in ctx.files(FileKind.MIGRATION_SQL):
            rel = image.rel_in_context(f)
            if rel is not None and f.startswith(m.folder + "/"):
                copy = copy_bringing(image, rel, respect_ignore=False)
                if copy is not None:
                    would = Location(image.dockerfile, copy.line)
                break
        out.append(_MissingMigrations(image, m, migrating, would))
    return out


def _who(case: _MissingMigrations) -> str:
    services = list(dict.fromkeys(c.service for c in case.commands if c.service))
    if services:
        names = ", ".join(repr(s) for s in services)
        return f"service{'s' if len(services) > 1 else ''} {names} ({case.image.dockerfile})"
    return f"the image from {case.image.label}"


def check_migrations_not_in_image(cases: list[_MissingMigrations]) -> Iterator[Finding]:
    groups: dict[tuple[Location, str], list[_MissingMigrations]] = {}
    for case in cases:
        pattern = case.folder.ignored_by
        if pattern is not None:
            key = (pattern.location, case.folder.folder)
        else:
            assert case.image.stage is not None
            key = (Location(case.image.dockerfile, case.image.stage.line), case.folder.folder)
        groups.setdefault(key, []).append(case)
    for (location, folder), group in groups.items():
        related: list[Related] = []
        commands: list[StartCommand] = []
        for case in group:
            first = case.commands[0]
            commands.extend(case.commands)
            related.append(
                Related(first.location, f"{_who(case)}: `prisma {first.command}` at start")
            )
            if first.first_link is not None:
                related.append(Related(first.first_link, "where that startup path begins"))
            if case.would_copy is not None and case.folder.ignored_by is not None:
                related.append(Related(case.would_copy, f"this COPY would bring {folder}"))
        severity = _sev("KD303")
        condition = ""
        if all(c.condition for c in commands):
            severity = severity.lower()
            condition = f" (only when {commands[0].condition})"
        who = " and ".join(_who(c) for c in group)
        first_cmd = group[0].commands[0].command
        pattern = group[0].folder.ignored_by
        if pattern is not None:
            why = f"`{pattern.text}` in {pattern.path} excludes {folder} from the build context"
        else:
            stage = group[0].image.stage
            assert stage is not None
            why = f"no COPY brings {folder} into the final stage ({stage.label})"
        yield Finding(
            "KD303",
            severity,
            f"{who} run{'s' if len(group) == 1 else ''} `prisma {first_cmd}` at start{condition}, "
            f"but the image has no migrations: {why}; the command finds no migration to apply "
            "and the app starts on an empty or outdated database",
            location,
            tuple(related),
        )


# -- KD304 secret-in-image ----------------------------------------------------------------------
_URL_WITH_PASSWORD = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s'\"]*:(?P<pw>[^@/\s'\"]+)@")
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|(?:^|_)PASS$|SECRET|TOKEN|API_KEY|PRIVATE_KEY", re.I)


def _secret_kind(var: Variable) -> str | None:
    value = var.value
    if not value:
        return None
    if var.name.upper().endswith(("_FILE", "_PATH", "_DIR")):
        return None  # names a file holding the secret (Docker secrets convention)
    m = _URL_WITH_PASSWORD.search(value)
    if m and not m["pw"].startswith("$"):
        return "a database URL with a password" if "://" in value else "a URL with a password"
    if _SECRET_NAME.search(var.name) and not value.startswith("$") and value != MASK:
        return "a password" if "PASS" in var.name.upper() else "a secret"
    return None


def _masked(var: Variable) -> str:
    value = var.value or ""
    if _URL_WITH_PASSWORD.search(value):
        return mask_url(value)
    return MASK


def check_secrets(images_: Iterable[Image]) -> Iterator[Finding]:
    used: dict[str, set[int]] = {}
    files: dict[str, DockerfileFile] = {}
    for image in images_:
        if image.file is None:
            continue
        files[image.dockerfile] = image.file
        used.setdefault(image.dockerfile, set()).update(image.final_chain)
    for path, df in sorted(files.items()):
        reaching = used.get(path, set())
        seen: set[tuple[str, int]] = set()
        variables: list[tuple[Stage | None, Variable]] = [(None, v) for v in df.global_args]
        variables += [(st, v) for st in df.stages for v in (*st.args, *st.env)]
        for st, var in variables:
            kind = _secret_kind(var)
            if kind is None or (var.name, var.line) in seen:
                continue
            seen.add((var.name, var.line))
            severity = _sev("KD304")
            if st is None:
                where = "before the first FROM (a build argument default)"
            elif st.index in reaching:
                where = f"in {st.label} (the image's own stage)"
            else:
                where = f"in the build {st.label} (the final image is not built FROM it)"
                severity = severity.lower()
            if st is not None and st.index in reaching:
                what = (
                    "baked into the image's configuration (docker inspect shows it)"
                    if var.keyword == "ENV"
                    else "recorded in the image history"
                )
            else:
                what = "kept in the build cache"
            yield Finding(
                "KD304",
                severity,
                f"{var.keyword} {var.name} {where} holds {kind} ({var.name}={_masked(var)}): "
                f"it is {what} and committed with the Dockerfile; pass it at run time instead",
                Location(path, var.line),
            )


# -- KD305 migrate-at-build-time ----------------------------------------------------------------
def check_migrate_at_build(image: Image) -> Iterator[Finding]:
    if image.file is None:
        return
    for p in image.prisma:
        if p.command not in BUILD_TIME_MIGRATIONS or p.implicit:
            continue
        if p.stage not in image.stages_used:
            continue
        stage = image.file.stages[p.stage]
        related = list(p.via) or (
            [Related(p.run, "the RUN that starts it during `docker build`")]
            if p.location != p.run
            else []
        )
        yield Finding(
            "KD305",
            _sev("KD305"),
            f"`{p.text}` runs during `docker build` ({stage.label} of {image.dockerfile}): it "
            "reaches the build machine's database (or none), and a SQLite file made there is "
            "baked into the image; run it when the container starts, or as a release step",
            p.location,
            tuple(related),
        )


# -- KD306 stale-client-volume ------------------------------------------------------------------
def _compose_services(ctx: Context) -> list[tuple[tuple[str, ...], Any]]:
    try:
        from analysis.facts.compose import compose_stacks
    except ImportError:
        return []
    out: list[tuple[tuple[str, ...], Any]] = []
    for stack in ctx.fact(compose_stacks):
        files = tuple(getattr(stack, "files", ())) + tuple(getattr(stack, "pulled_in", ()))
        for svc in getattr(stack, "services", ()):
            out.append((files, svc))
    return out


def _regenerates(starts: list[StartCommand]) -> bool:
    for s in starts:
        if s.command == "generate":
            return True
        if s.command in ("migrate dev", "db push") and "--skip-generate" not in s.flags:
            return True  # Prisma 6 and older generate the client after these
    return False


def check_stale_client_volume(ctx: Context, all_images: tuple[Image, ...]) -> Iterator[Finding]:
    schemas = ctx.files(FileKind.PRISMA_SCHEMA)
    if not schemas:
        return
    for _stack, svc in _compose_services(ctx):
        mounts = getattr(svc, "mounts", ()) or ()
        binds = [
            m
            for m in mounts
            if str(getattr(m, "kind", "")) == "bind"
            and isinstance(getattr(m, "host_path", None), str)
        ]
        for bind in binds:
            host = bind.host_path
            if not any(host in ("", ".") or s.startswith(host + "/") for s in schemas):
                continue
            hidden = next(
                (
                    m
                    for m in mounts
                    if str(getattr(m, "kind", "")) in ("anonymous", "volume")
                    and str(getattr(m, "target", "")).endswith("/node_modules")
                    and str(m.target).startswith(bind.target.rstrip("/") + "/")
                ),
                None,
            )
            if hidden is None:
                continue
            image = next(
                (i for i in all_images for u in i.uses if u.service == svc.name),
                None,
            )
            starts = startup_commands(ctx, image) if image is not None else []
            if _regenerates(starts):
                continue
            related = [Related(bind.location, f"the source is bind-mounted at {bind.target}")]
            if image is not None:
                for g in image.generate_commands[:1]:
                    related.append(Related(g.location, "the client is generated only here"))
            what = "an anonymous volume" if str(hidden.kind) == "anonymous" else "a named volume"
            yield Finding(
                "KD306",
                _sev("KD306"),
                f"service {svc.name!r} bind-mounts the source (with the Prisma schema) at "
                f"{bind.target} and hides {hidden.target} behind {what}, and nothing runs "
                "`prisma generate` at start: after a schema edit the container keeps the old "
                "Prisma Client (the volume outlives rebuilds)",
                hidden.location,
                tuple(related),
            )
            break


# -- KD307 env-in-build-context -----------------------------------------------------------------
def check_env_in_context(image: Image) -> Iterator[Finding]:
    for env in image.env_files:
        if not env.reaches_context or env.copied_by is None:
            continue
        related = [Related(env.copied_by, "this COPY takes it into the image")]
        if env.reincluded_by is not None:
            location = env.reincluded_by.location
            why = f"`{env.reincluded_by.text}` in {env.reincluded_by.path} re-includes it"
        elif image.dockerignore is not None:
            location = env.copied_by
            why = f"{image.dockerignore_path} does not exclude it"
            related.append(
                Related(Location(image.dockerignore_path or ".dockerignore", 1), "no rule for it")
            )
        else:
            location = env.copied_by
            why = (
                f"there is no .dockerignore for {image.dockerfile} "
                f"(nor {image.dockerfile}.dockerignore)"
            )
        related.append(Related(Location(env.path, 1), "the env file"))
        if env.in_final_image:
            where = "the final image: its secrets ship with the image"
        else:
            where = (
                f"the build {env.copied_into or 'stage'}: its secrets stay in that stage's "
                "layers and the build cache, and reach the image with anything copied from it"
            )
        yield Finding(
            "KD307",
            _sev("KD307"),
            f"{env.path} reaches the build context of {image.dockerfile} ({why}) and is copied "
            f"into {where}",
            location,
            tuple(related),
        )


# -- KD308 migrations-gitignored ----------------------------------------------------------------
def _project_migrate_commands(ctx: Context, all_images: tuple[Image, ...]) -> list[Location]:
    """Where anything in the project applies migrations (startup, build, deploy or developer
    scripts)."""
    found: list[Location] = []
    module = _startup_module()
    if module is not None:
        facts = ctx.fact(module.startup_paths)
        steps = getattr(facts, "commands", None)
        if steps is None:
            steps = [c for path in facts or () for c in getattr(path, "commands", ())]
        for cmd in steps:
            loc = getattr(cmd, "location", None)
            if getattr(cmd, "command", None) in APPLIES_MIGRATIONS and isinstance(loc, Location):
                found.append(loc)
    for image in all_images:
        found += [
            p.location for p in (*image.prisma, *image.startup) if p.command in APPLIES_MIGRATIONS
        ]
    for rel in ctx.files(FileKind.PACKAGE_JSON):
        info = ctx.parse(rel, read_package_info)
        if info is None:
            continue
        for script in info.scripts:
            if any(c.command in APPLIES_MIGRATIONS for c in find_prisma_commands(script.command)):
                found.append(Location(rel, script.line))
    return list(dict.fromkeys(found))


_MONGODB = re.compile(r'provider\s*=\s*"mongodb"')


def _migration_folders(ctx: Context) -> dict[str, tuple[str, ...]]:
    """Every migrations folder the project has or should have (beside each relational schema,
    or where prisma.config points), with the migration.sql files it holds here."""
    folders: dict[str, list[str]] = {}
    for f in ctx.files(FileKind.MIGRATION_SQL):
        folders.setdefault(posixpath.dirname(posixpath.dirname(f)), []).append(f)
    try:
        from analysis.facts.schema import schemas

        for schema in ctx.fact(schemas):
            if getattr(schema, "provider", None) == "mongodb":
                continue
            path = getattr(getattr(schema, "migrations", None), "path", None)
            if isinstance(path, str) and path:
                folders.setdefault(path, [])
    except ImportError:
        for rel in ctx.files(FileKind.PRISMA_SCHEMA):
            src = ctx.source(rel)
            if src is None or _MONGODB.search(src.text) or "datasource" not in src.text:
                continue
            folders.setdefault(posixpath.join(posixpath.dirname(rel), "migrations"), [])
    return {k: tuple(v) for k, v in folders.items()}


def check_migrations_gitignored(ctx: Context, all_images: tuple[Image, ...]) -> Iterator[Finding]:
    matcher = ctx.fact(gitignore_matcher)
    if not matcher.files and matcher.exclude is None:
        return
    applies: list[Location] | None = None
    for folder, sqls in sorted(_migration_folders(ctx).items()):
        pattern = matcher.ignored(folder, is_dir=True)
        what = folder
        if pattern is None:
            probe = sqls or (f"{folder}/20240101000000_init/migration.sql",)
            hits = [p for p in (matcher.ignored(f) for f in probe) if p is not None]
            if not hits:
                continue
            pattern = hits[0]
            what = f"{folder}/*/migration.sql"
        if applies is None:
            applies = _project_migrate_commands(ctx, all_images)
        home = posixpath.dirname(posixpath.dirname(folder))
        mine = [loc for loc in applies if home in ("", ".") or loc.path.startswith(home + "/")]
        if not mine:
            continue
        state = (
            "this checkout has them, the repository and every clean build do not"
            if sqls
            else "the folder is missing here too, as in every clean clone"
        )
        yield Finding(
            "KD308",
            _sev("KD308"),
            f"`{pattern.text}` in {pattern.path} makes git ignore {what}, while the project "
            f"applies migrations: {state}, so `migrate deploy` finds no migration and the app "
            "starts on an empty database",
            pattern.location,
            tuple(Related(loc, "migrations are applied here") for loc in mine[:3]),
        )


# -- the area -----------------------------------------------------------------------------------
def image_starts(ctx: Context) -> tuple[tuple[Image, list[StartCommand]], ...]:
    """Each image with the Prisma commands its containers run at start."""
    return tuple((image, startup_commands(ctx, image)) for image in ctx.fact(images))


def _tidied(
    fn: Callable[[Context], Iterable[Finding]],
) -> Callable[[Context], Iterable[Finding]]:
    return lambda ctx: [_tidy(f) for f in fn(ctx)]


CHECKS: tuple[tuple[str, Callable[[Context], Iterable[Finding]]], ...] = (
    (
        "check_generate_before_schema",
        _tidied(lambda ctx: (f for i in ctx.fact(images) for f in check_generate_before_schema(i))),
    ),
    (
        "check_no_generate",
        _tidied(
            lambda ctx: (
                f for i, starts in ctx.fact(image_starts) for f in check_no_generate(ctx, i, starts)
            )
        ),
    ),
    (
        "check_migrations_not_in_image",
        _tidied(
            lambda ctx: check_migrations_not_in_image(
                [
                    m
                    for i, starts in ctx.fact(image_starts)
                    for m in missing_migrations(ctx, i, starts)
                ]
            )
        ),
    ),
    (
        "check_migrate_at_build",
        _tidied(lambda ctx: (f for i in ctx.fact(images) for f in check_migrate_at_build(i))),
    ),
    (
        "check_env_in_context",
        _tidied(lambda ctx: (f for i in ctx.fact(images) for f in check_env_in_context(i))),
    ),
    ("check_secrets", _tidied(lambda ctx: check_secrets(ctx.fact(images)))),
    (
        "check_stale_client_volume",
        _tidied(lambda ctx: check_stale_client_volume(ctx, ctx.fact(images))),
    ),
    (
        "check_migrations_gitignored",
        _tidied(lambda ctx: check_migrations_gitignored(ctx, ctx.fact(images))),
    ),
)
"""The area's checks, by name, in order."""


def check(ctx: Context) -> Iterator[Finding]:
    """Every check of the area in turn (the pipeline runs them one by one, each behind its
    own error boundary: see `analysis.engine`)."""
    for _name, fn in CHECKS:
        yield from fn(ctx)


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
