"""Rules of the startup area: KD111 and KD201-KD221 (what runs at start, deploy and build).

Every rule reads the startup fact (`analysis.facts.startup.paths.startup_paths`). Severity follows
RULES.md: the catalog's default for a command in the startup, deploy or build path; lower for
a developer script (a `package.json` script, Makefile target or script nothing runs); one
level lower, naming the condition, for a command behind an opt-in variable that no compose
file, Dockerfile, `.env` or platform file turns on. Each finding points at the `prisma`
command's line and names the chain's first link (the compose `command`, the Dockerfile `CMD`,
the platform setting) as a related location.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.compose import ComposeStack
from analysis.facts.databases import Database
from analysis.facts.images.records import Image
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import (
    Link,
    PrismaStep,
    RunContext,
    SeedRun,
    StartupFacts,
    StartupPath,
)
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.compose.records import Mount, MountKind, Service
from analysis.parsers.package_json.package import Dependency, parse_package_json
from analysis.parsers.prisma_cli import (
    CHANGES_SCHEMA,
    PrismaInvocation,
)
from analysis.parsers.shell.records import ShellCommand
from analysis.records import dataclass
from analysis.sources import FileKind

STARTUP_CONTEXTS = (RunContext.STARTUP, RunContext.DEPLOY)
RUNS_BY_ITSELF = (RunContext.STARTUP, RunContext.DEPLOY, RunContext.BUILD)
_APP_STOPWORDS = frozenset(
    {"exit", "echo", "printf", "true", ":", "false", "wait", "sleep", "return", "set", "trap"}
)


def _sev(rule: str) -> Severity:
    return BY_ID[rule].severity


# ---------------------------------------------------------------------------------------------
# Shared wording and severity
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Where:
    paths: dict[str, StartupPath]
    reached_by: dict[tuple[Location, str], list[str]]
    """(command location, context) -> the names of the paths that reach it, in path order."""

    @classmethod
    def of(cls, facts: StartupFacts) -> _Where:
        reached_by: dict[tuple[Location, str], list[str]] = {}
        for p in facts.paths:
            for s in p.commands:
                names = reached_by.setdefault((s.location, s.context), [])
                if p.name not in names:
                    names.append(p.name)
        return cls({p.id: p for p in facts.paths}, reached_by)

    def origin(self, step: PrismaStep) -> str:
        path = self.paths.get(step.path_id)
        name = path.name if path is not None else step.path_id
        if step.context == RunContext.STARTUP:
            return f"when {name} starts"
        if step.context == RunContext.DEPLOY:
            return f"on every deploy ({name})"
        if step.context == RunContext.BUILD:
            return f"at build/install time ({name})"
        return f"in the developer script {name}"


def _first_link(step: PrismaStep | SeedRun) -> list[Related]:
    if len(step.chain) < 2:
        return []
    first = step.chain[0]
    if first.location == step.location:
        return []
    return [Related(first.location, f"the chain starts here: {first.label[:120]}")]


_DB_URL = lazy_compile(r"^(?:postgres(?:ql)?|mysql|mariadb|sqlserver|mongodb(?:\+srv)?)://")


def database_url_given(service: Service) -> bool:
    """The compose service is given a database: a `*DATABASE_URL*` variable or a value that is
    a database URL."""
    return any(
        "DATABASE_URL" in var.name.upper() or _DB_URL.match(var.value or "") is not None
        for var in (service.container_env or service.environment)
    )


def inferred_related(chain: Iterable[Link], dockerfile: str | None = None) -> list[Related]:
    """The inferred link of a service to the Dockerfile of the image it pulls (the project's own
    published image): where it is and why keepdata followed it."""
    out: list[Related] = []
    for link in chain:
        if link.kind == "inferred-image":
            out.append(Related(link.location, link.label))
            if dockerfile:
                out.append(Related(Location(dockerfile, 1), "the image's Dockerfile (inferred)"))
            break
    return out


def _opt_in(step: PrismaStep | SeedRun, severity: Severity) -> tuple[Severity, str, list[Related]]:
    """Lower one level when an opt-in condition is not turned on by any file; name it."""
    related: list[Related] = []
    off = step.opt_in_off
    on = [o for o in step.opt_ins if o.on]
    for o in on:
        if o.set_by is not None:
            related.append(Related(o.set_by, f"{o.label}: set here ({o.source})"))
    if off:
        names = ", ".join(o.label for o in off)
        return (
            severity.lower(),
            f" (only when {names}, which no compose file, Dockerfile, .env or platform file "
            "of the project turns on: one level lower)",
            related,
        )
    if step.condition and on:
        names = ", ".join(f"{o.label} ({o.source})" for o in on)
        return severity, f" (under {step.condition}; turned on: {names})", related
    if step.condition:
        return severity, f" (under {step.condition})", related
    return severity, "", related


def _finding(
    rule: str,
    severity: Severity,
    message: str,
    step: PrismaStep | SeedRun,
    extra: Iterable[Related] = (),
) -> Finding:
    sev, note, related = _opt_in(step, severity)
    return Finding(
        rule,
        sev,
        message + note,
        step.location,
        tuple([*_first_link(step), *inferred_related(step.chain[1:]), *related, *extra]),
    )


def _unique(steps: Iterable[PrismaStep]) -> Iterator[PrismaStep]:
    """One step per (location, context): the same script reached by two services counts once."""
    seen: set[tuple[str, int, int, str]] = set()
    for s in steps:
        key = (s.location.path, s.location.line, s.location.column, str(s.context))
        if key not in seen:
            seen.add(key)
            yield s


def _origin(facts: StartupFacts, where: _Where, step: PrismaStep) -> str:
    # every path that reaches the same command in the same context
    names = where.reached_by.get((step.location, step.context), [])
    if len(names) > 1 and step.context == RunContext.STARTUP:
        return "when " + " and ".join(names) + " start"
    return where.origin(step)


# ---------------------------------------------------------------------------------------------
# KD201-KD205, KD213, KD215, KD216: what the commands do
# ---------------------------------------------------------------------------------------------


def _destructive_push(
    facts: StartupFacts,
    where: _Where,
    rule: str,
    flagged: Callable[[PrismaInvocation], bool],
    effect: str,
    prisma8_note: str = "",
) -> Iterator[Finding]:
    """`db push` with a flag that loses data: the catalog's severity, high in a developer
    script."""
    for step in _unique(facts.commands):
        if step.command != "db push" or not flagged(step.invocation):
            continue
        sev = Severity.HIGH if step.context == RunContext.DEVELOPER else _sev(rule)
        how = prisma8_note if step.invocation.prisma8 else ""
        yield _finding(
            rule, sev, f"`{step.text}`{how} runs {_origin(facts, where, step)}: {effect}", step
        )


def replace_condition(step: PrismaStep) -> PrismaStep:
    """The fallback's condition is already named in the message."""
    from dataclasses import replace

    return replace(step, condition="")


# ---------------------------------------------------------------------------------------------
# KD207, KD208: is there a migration step, and anything to migrate
# ---------------------------------------------------------------------------------------------


def _migration_folders(ctx: Context) -> list[str]:
    folders: list[str] = []
    for rel in ctx.files(FileKind.MIGRATION_SQL):
        folder = rel.rsplit("/", 2)[0]
        if folder not in folders:
            folders.append(folder)
    return folders


def _under(folder: str, base: str | None) -> bool:
    if base is None:
        return False
    if base in ("", "."):
        return True
    return folder == base or folder.startswith(base.rstrip("/") + "/")


def _path_base(path: StartupPath, images: dict[str, Image]) -> str | None:
    """The project folder a path's code comes from (build context, platform file folder)."""
    if path.dockerfile is not None:
        image = images.get(path.dockerfile)
        if image is not None:
            return str(image.context or ".")
        return path.dockerfile.rsplit("/", 1)[0] if "/" in path.dockerfile else "."
    if path.kind == "platform" and path.links:
        p = path.links[0].location.path
        return p.rsplit("/", 1)[0] if "/" in p else "."
    return None


def _images_by_dockerfile(ctx: Context) -> dict[str, Image]:
    from analysis.facts.images.builds import images

    return {i.dockerfile: i for i in ctx.fact(images)}


def _compose_link(path: StartupPath) -> Location | None:
    """The compose `command`/`entrypoint` a path starts from, if any."""
    for link in path.links:
        if link.kind in ("compose-command", "compose-entrypoint"):
            return link.location
    return None


def _folder_for(folders: list[str], base: str | None) -> str | None:
    """The migrations folder of the code at `base` (for an image built elsewhere: the one
    closest to the project root)."""
    if base is not None:
        inside = [f for f in folders if _under(f, base)]
        if inside:
            return min(inside, key=len)
        return None
    return min(folders, key=lambda f: (f.count("/"), f)) if folders else None


def _first_sql(ctx: Context, folder: str) -> str:
    for rel in ctx.files(FileKind.MIGRATION_SQL):
        if rel.startswith(folder + "/"):
            return rel
    return folder


def _uses_prisma(image: Image | None) -> bool:
    if image is None:
        return False
    return bool(image.schemas or image.migrations or image.prisma)


def _service_location(ctx: Context, path: StartupPath) -> Location | None:
    service = _service(ctx, path)
    return service.location if service is not None else None


def _gitignored(ctx: Context, folder: str) -> bool:
    from analysis.parsers.gitignore import gitignore_matcher

    return ctx.fact(gitignore_matcher).ignored(folder, is_dir=True) is not None


def _bind_mount(ctx: Context, path: StartupPath, folder: str) -> Mount | None:
    """The compose bind mount that brings `folder` of the project into the container at run
    time, or None."""
    service = _service(ctx, path)
    if service is None:
        return None
    for m in service.mounts:
        host = m.host_path
        if m.kind == MountKind.BIND and host is not None and _under(folder, host):
            return m
    return None


# ---------------------------------------------------------------------------------------------
# KD209-KD211, KD214: how the start behaves
# ---------------------------------------------------------------------------------------------


def failure_ignored(step: PrismaStep) -> str | None:
    """Why a failure of the step does not stop the start, or None when it does (or it is
    handled). Walks from the Prisma command out through the scripts that call it: a command
    that is its script's last one passes its status on to the caller."""
    hit = failure_ignored_at(step)
    return hit[0] if hit is not None else None


def _failure_branch(
    step: PrismaStep, k: int, cmd: ShellCommand
) -> tuple[str, Location] | bool | None:
    """An `if` that tests the command (`if ! migrate; then echo ...; fi`): why its failure
    branch lets the start go on, with the line of that branch; None when the branch stops
    the start; False when no `if` tests the command."""
    if not cmd.tested or not cmd.failure_branch:
        return False
    at = Location(cmd.location.path, cmd.failure_line or cmd.line)
    test = f"`if` that tests `{cmd.text}`"
    if cmd.failure_branch == "ignore":
        return (
            f"the {test} only logs or does nothing when it fails (line {at.line}), and the "
            "script goes on",
            at,
        )
    if cmd.failure_branch == "exit-zero" and k > 0:
        caller, script = step.levels[k - 1]
        idx = next((j for j, c in enumerate(script.commands) if c is caller), -1)
        later = [c for c in script.commands[idx + 1 :] if c.reached and not c.substitution]
        if later or caller.and_follows:
            return (
                f"the {test} exits with status 0 when it fails (line {at.line}), so "
                f"`{caller.text}` succeeds and the start goes on",
                at,
            )
    return None


def failure_ignored_at(step: PrismaStep) -> tuple[str, Location] | None:
    """`failure_ignored` with the line where the failure is ignored (the fix goes there):
    the Prisma command itself, or the call of the script that runs it, or the branch of the
    `if` that tests it."""
    for k in range(len(step.levels) - 1, -1, -1):
        cmd, script = step.levels[k]
        branch = _failure_branch(step, k, cmd)
        if branch is not False:
            return branch if isinstance(branch, tuple) else None
        if cmd.on_failure == "ignore":
            return f"`{cmd.text}` ignores its failure (`|| {cmd.fallback}`)", cmd.location
        if cmd.on_failure in ("exit", "fallback") or cmd.tested or cmd.status_checked:
            return None
        if cmd.background:
            return (
                f"`{cmd.text}` runs in the background (`&`): nothing waits for its result",
                cmd.location,
            )
        if cmd.piped and not cmd.pipefail:
            return (
                f"`{cmd.text}` is piped into another command without `set -o pipefail`: the "
                "pipeline's status is the last command's, so a failed migration goes unnoticed",
                cmd.location,
            )
        last = any(f.location == cmd.location for f in script.final)
        if cmd.and_follows:
            if last or any(f.chain == cmd.chain for f in script.final) or not script.final:
                if last:
                    continue
                return None
            app = script.final[0].text
            return (
                f"`{cmd.text}` is followed by `&&`: a failure skips only the rest of that list "
                f"(even under `set -e`) and the script goes on to `{app}`",
                cmd.location,
            )
        if cmd.errexit:
            if k == 0:
                return None
            continue  # `set -e` ends the called script with the failure: look at the caller
        if last:
            continue  # its status is the script's: look at the caller
        idx = next((j for j, c in enumerate(script.commands) if c is cmd), -1)
        later = [c for c in script.commands[idx + 1 :] if c.reached and not c.substitution]
        if not later:
            continue
        return (
            f"{script.label} has no `set -e` and does not check the exit status of `{cmd.text}`, "
            f"so it goes on (to `{later[-1].text}`) after a failed migration",
            cmd.location,
        )
    return None


# ---------------------------------------------------------------------------------------------
# KD212, KD217-KD221: compose services together
# ---------------------------------------------------------------------------------------------


def _stacks(ctx: Context) -> tuple[ComposeStack, ...]:
    from analysis.facts.compose import compose_stacks

    return tuple(ctx.fact(compose_stacks))


def _databases(ctx: Context) -> tuple[Database, ...]:
    from analysis.facts.databases import databases

    return tuple(ctx.fact(databases))


def _database_stacks(ctx: Context) -> set[str]:
    return {d.stack for d in _databases(ctx)}


def _service(ctx: Context, path: StartupPath) -> Service | None:
    if path.stack is None or path.service is None:
        return None
    for stack in _stacks(ctx):
        if stack.id == path.stack:
            return stack.service(path.service)
    return None


def _profiles_of(ctx: Context, path: StartupPath) -> tuple[str, ...]:
    """The compose profiles of the service of `path` (none: it runs in every configuration)."""
    service = _service(ctx, path)
    return tuple(service.profiles) if service is not None else ()


def _service_profiles(ctx: Context, stack_id: str, name: str | None) -> tuple[str, ...]:
    for stack in _stacks(ctx):
        if stack.id == stack_id and name is not None:
            service = stack.service(name)
            return tuple(service.profiles) if service is not None else ()
    return ()


def _active(profiles: tuple[str, ...], profile: str | None) -> bool:
    """Whether a service with `profiles` runs in the configuration of `profile` (None: the
    services without a profile; P: those plus the services of profile P)."""
    return not profiles or (profile is not None and profile in profiles)


def _configurations(*profiles: tuple[str, ...]) -> list[str | None]:
    """The configurations these services run in: no profile first, then each profile."""
    return [None, *sorted({x for v in profiles for x in v})]


def _sqlite_app(facts: StartupFacts, stack: str, service: str) -> bool:
    """A service whose Prisma uses a SQLite file: it waits for no database server."""
    path = facts.for_service(service, stack)
    return path is not None and path.database is not None and path.database.sqlite


_URL_RE = lazy_compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _db_target(service: Service | None) -> tuple[str, str, str] | None:
    """(host, database, schema) of a service's DATABASE_URL, or None when unknown."""
    if service is None:
        return None
    return _url_target(service.env_value("DATABASE_URL"))


@lru_cache(maxsize=256)
def _url_target(value: str | None) -> tuple[str, str, str] | None:
    if not value or not _URL_RE.match(value) or "${" in value:
        return None
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        port = str(parts.port or "")
    except ValueError:
        return None
    db = parts.path.lstrip("/")
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    return (f"{host}:{port}", db, schema)


def _same_database(a: Service | None, b: Service | None, single_db: bool) -> bool:
    ta, tb = _db_target(a), _db_target(b)
    if ta is not None and tb is not None:
        return ta == tb
    return single_db


def _migrators(path: StartupPath) -> list[PrismaStep]:
    return [
        s
        for s in path.commands
        if s.context == RunContext.STARTUP and s.command in CHANGES_SCHEMA and not s.opt_in_off
    ]


_ONE_SHOT_NAME = lazy_compile(r"migrat|prisma|db[-_]?init|init[-_]?db|db[-_]?setup|schema", re.I)


_MIGRATE_WORD = lazy_compile(r"migrat", re.I)


def _named_migrator(path: StartupPath) -> bool:
    """A service whose name and command both say migrate (`migrate: node
    dist/apply-migrations.js`): a migration job even when keepdata cannot read the program."""
    return bool(
        path.service
        and _MIGRATE_WORD.search(path.service)
        and any(_MIGRATE_WORD.search(w) for w in path.argv)
    )


def _job_command(path: StartupPath) -> Location | None:
    """Where a migration job's migration runs: its first Prisma command, else its command."""
    steps = _migrators(path)
    if steps:
        return steps[0].location
    return path.links[0].location if path.links else None


def _one_shot(path: StartupPath) -> bool:
    if not _migrators(path):
        return _named_migrator(path)
    if path.service and _ONE_SHOT_NAME.search(path.service):
        return True
    # the container's own command is the migration (no app starts after it)
    for entry in path.entry_scripts:
        if entry.final and all(
            c.argv and any(w == "prisma" or w.endswith("/prisma") for w in c.argv[:3])
            for c in entry.final
        ):
            return True
    return any(w == "prisma" or w.startswith("prisma@") for w in path.argv[:4])


_FLOATING_TAGS = frozenset({"latest", "main", "master", "edge", "nightly", "dev", "develop"})


def _project_prisma_major(ctx: Context, step_path: str) -> tuple[int | None, Location | None]:
    """The major version of the `prisma` package the nearest package.json pins."""
    folder = step_path.rsplit("/", 1)[0] if "/" in step_path else ""
    dep = project_prisma(ctx, folder)
    return (dep.major, dep.location) if dep is not None else (None, None)


def project_prisma(ctx: Context, folder: str) -> Dependency | None:
    """The `prisma` dependency of the package.json nearest above `folder` that has one."""
    candidates = sorted(ctx.files(FileKind.PACKAGE_JSON), key=lambda rel: -len(rel))
    for rel in candidates:
        base = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if base and not (folder == base or folder.startswith(base + "/")):
            continue
        pkg = ctx.parse(rel, parse_package_json)
        dep = pkg.prisma_cli if pkg is not None else None
        if dep is not None:
            return dep
    return None


def _same_code(a: Service, b: Service) -> bool:
    """Two services that run the same code (same build or same image): same schema."""
    if a.build is not None and b.build is not None:
        return (a.build.context_path, a.build.dockerfile_path, a.build.target) == (
            b.build.context_path,
            b.build.dockerfile_path,
            b.build.target,
        )
    if a.image is not None and b.image is not None and a.build is None and b.build is None:
        return bool(a.image.value == b.image.value)
    return False


# ---------------------------------------------------------------------------------------------
# KD111: destructive docker commands
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------


def _where(ctx: Context) -> _Where:
    return _Where.of(ctx.fact(startup_paths))
