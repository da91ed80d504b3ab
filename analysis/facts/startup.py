"""Fact: what runs when the app starts, is built or is deployed, down to each Prisma command.

`startup_paths(ctx)` returns a `StartupFacts`:

- `paths`: one `StartupPath` per compose service that builds or runs the app (every
  non-database service), per Dockerfile no compose service builds, per platform command
  (`vercel.json` `buildCommand` or Vercel's default, `fly.toml` `release_command`,
  `render.yaml`, `Procfile`, `railway.*`, `nixpacks.toml`, `app.json`, `heroku.yml`,
  `turbo.json` tasks that depend on a `db:*` script), per Dockerfile `RUN` and per
  `package.json` lifecycle script (`postinstall`, `prebuild`, `build`, `vercel-build`,
  `heroku-postbuild`, ...). A path is the chain of `Link`s from its first link (the compose
  `command`/`entrypoint`, else the Dockerfile `ENTRYPOINT`/`CMD` of the stage compose's
  `build.target` picks, else the last stage; the platform setting; the `RUN`) through the
  shell scripts (in-image paths resolved back to project files through the compose bind
  mounts, the Dockerfile's `COPY`s and `WORKDIR`), `package.json` scripts (`npm run x`,
  `pnpm x`, `yarn x`, `bun run x`, lifecycle hooks, `run-s`, `concurrently`), Makefile targets
  and program files (`node x.js`, `tsx x.ts`, `python x.py` and the commands they start) to
  every Prisma command (`PrismaStep`), plus the waits for the database found on the way
  (`WaitStep`: a retry loop, bounded or not, a wait tool, `depends_on: service_healthy`) and
  the entry scripts (whether they end with `exec`).
- `commands`: every Prisma command of the project with its context: "startup" (runs when the
  container starts), "deploy" (a platform's release step), "build" (a Dockerfile `RUN`, an
  install/build lifecycle script, a platform's build command) or "developer" (a
  `package.json` script, Makefile target or script that nothing in those paths runs).
- `docker_commands`: destructive docker commands (`docker compose down -v`, `docker volume
  rm|prune`, `docker system prune --volumes`) in scripts, Makefiles and `package.json`.

Each `PrismaStep` says under which conditions it runs (`if [ "$DATABASE_SETUP" = 1 ]`, "else of
if [ "$has_migrations" = true ]"), whether an opt-in variable that a condition needs is set
by a compose file, Dockerfile `ENV`, `.env` or platform file (`OptIn`), whether it is the
`db push` fallback of a `migrate deploy` (`fallback_kind`), and the shell commands along its
chain (`levels`) so that rules can tell whether a failure stops the start.

Nothing is executed: every file is read through `ctx.parse`.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import field, replace
from enum import StrEnum
from functools import lru_cache
from itertools import repeat
from typing import Any, NamedTuple

from analysis.context import Context, normalize
from analysis.model import Finding, Location, Severity
from analysis.parsers.dotenv_file import parse_dotenv
from analysis.parsers.makefile import Makefile, parse_makefile
from analysis.parsers.package_json import (
    PackageJson,
    matches_workspace,
    parse_package_json,
    script_calls,
    task_runner_call,
)
from analysis.parsers.platform import PlatformFile, parse_platform
from analysis.parsers.prisma_cli import (
    GlobalInstall,
    PrismaInvocation,
    global_prisma_install,
    prisma_invocation,
)
from analysis.parsers.prisma_schema import ConfigBlock, parse_prisma_schema
from analysis.parsers.programs import (
    JS_SUFFIXES,
    ProgramCommand,
    ProgramFile,
    parse_program,
    program_file,
    wrapper_command,
)
from analysis.parsers.shell import (
    Condition,
    Requirement,
    ShellCommand,
    ShellScript,
    effective_argv,
    moved_to,
    parse_shell,
    parse_shell_text,
    relocated,
    shell_script_argument,
    shell_script_file,
    small_words,
)
from analysis.records import dataclass
from analysis.secrets import MASK, is_secret_name
from analysis.sources import FileKind, SourceFile

MAX_STEPS = 1_000
"""Prisma commands followed on one path; past it the rest are a KD001 note (a script of 70,000
`prisma` commands would otherwise cost minutes and gigabytes, findings included)."""

MAX_DEPTH = 14
LIFECYCLE_BUILD_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "prebuild",
    "build",
    "postbuild",
    "vercel-build",
    "heroku-prebuild",
    "heroku-postbuild",
)
"""`package.json` scripts that an install or a build runs: build path."""


class RunContext(StrEnum):
    STARTUP = "startup"
    DEPLOY = "deploy"
    BUILD = "build"
    DEVELOPER = "developer"


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Link:
    """One step of a chain. `kind`: compose-command, compose-entrypoint, compose-service,
    dockerfile-entrypoint, dockerfile-cmd, dockerfile-run, platform, turbo-task, script,
    command (a line of a script that leads further), package-script, makefile-target, program,
    prisma, unresolved."""

    kind: str
    label: str
    location: Location
    depth: int = 0


@dataclass(slots=True, frozen=True)
class OptIn:
    """A variable a condition needs (`$DATABASE_SETUP = 1`) and where, if anywhere, the
    project sets it: `set_by` (compose, Dockerfile ENV, .env, platform file) with the value.
    `on` when it is set to a value that makes the branch run."""

    requirement: Requirement
    set_by: Location | None = None
    set_value: str | None = None
    """The value the project sets (masked when the variable's name looks secret)."""
    source: str = ""
    on: bool = False

    @classmethod
    def make(
        cls,
        requirement: Requirement,
        set_by: Location | None = None,
        value: str | None = None,
        source: str = "",
    ) -> OptIn:
        want = requirement.value
        on = (
            set_by is not None
            and value is not None
            and (value != "" if want is None else value == want)
        )
        shown = value
        if value and is_secret_name(requirement.variable):
            shown = MASK
        return cls(requirement, set_by, shown, source, on)

    @property
    def label(self) -> str:
        return str(self.requirement)


@dataclass(slots=True, frozen=True)
class PrismaStep:
    """A Prisma command found on a path.

    `command` is normalized ("migrate deploy", "db push", ...), `flags` as written plus
    normalized equivalents, `context` startup/deploy/build/developer, `location` the line of the
    `prisma` command itself, `chain` the links from the path's first link to this command,
    `condition` the branch conditions as text ("" when it always runs), `opt_ins` the
    variables those conditions need, `levels` the shell commands along the chain (call sites
    first, the Prisma command last) with their scripts, `fallback_kind` "no-migrations" (the
    seed's `if migrations exist: migrate deploy else db push`) or "on-failure"
    (`migrate deploy || db push`) for a `db push` that stands in for a `migrate deploy` at
    `fallback_for`."""

    command: str
    flags: tuple[str, ...]
    invocation: PrismaInvocation
    context: str
    location: Location
    text: str
    chain: tuple[Link, ...]
    path_id: str
    root_kind: str
    conditions: tuple[Condition, ...] = ()
    condition: str = ""
    opt_ins: tuple[OptIn, ...] = ()
    levels: tuple[tuple[ShellCommand, ShellScript], ...] = ()
    service: str | None = None
    stack: str | None = None
    fallback_for: Location | None = None
    fallback_kind: str = ""
    about_migrations: str = ""
    """For a step under a condition about the migrations folder: "exist" / "missing"."""

    @property
    def first_link(self) -> Location | None:
        return self.chain[0].location if self.chain else None

    @property
    def opt_in_off(self) -> tuple[OptIn, ...]:
        """The opt-ins that no file of the project turns on."""
        return tuple(o for o in self.opt_ins if not o.on)

    @property
    def shell(self) -> ShellCommand | None:
        return self.levels[-1][0] if self.levels else None

    @property
    def in_loop(self) -> bool:
        return any(cmd.loop is not None for cmd, _ in self.levels)

    @property
    def label(self) -> str:
        return self.invocation.label


@dataclass(slots=True, frozen=True)
class SeedRun:
    """A seed program started on a path (`tsx prisma/seed.ts`, `node seed.js`): `location` is
    the command that starts it, `program` the seed file."""

    text: str
    location: Location
    program: str
    chain: tuple[Link, ...]
    context: str
    conditions: tuple[Condition, ...] = ()
    condition: str = ""
    opt_ins: tuple[OptIn, ...] = ()

    @property
    def opt_in_off(self) -> tuple[OptIn, ...]:
        return tuple(o for o in self.opt_ins if not o.on)


@dataclass(slots=True, frozen=True)
class WaitStep:
    """A wait for the database. `kind`: "loop" (a retry loop in a script), "tool"
    (wait-for-it, dockerize, wait-on, ...), "depends_on" (`condition: service_healthy`)."""

    kind: str
    label: str
    location: Location
    bounded: bool
    bound: str = ""


@dataclass(slots=True, frozen=True)
class EntryScript:
    """A script the container runs as its main process (or a `sh -c` string): the commands
    that can run last and whether they `exec`."""

    path: str
    location: Location
    final: tuple[ShellCommand, ...]
    ends_with_exec: bool
    traps: bool
    inline: bool = False
    """A `sh -c "..."` string rather than a script file."""


@dataclass(slots=True, frozen=True)
class InstallStep:
    """`npm i -g prisma` and the like on a path."""

    install: GlobalInstall
    location: Location
    text: str
    context: str


@dataclass(slots=True, frozen=True)
class DatabaseUse:
    """What a container's Prisma commands connect to, as the project's files show it.

    `engine` is "sqlite" for a SQLite file (a `file:` URL; or, when no file of the project
    gives the URL's value, a schema whose `provider` is "sqlite"), else the URL's scheme or the
    schema's provider ("postgresql", "mysql", ...). `variable` is the URL's variable (the
    schema's `env("...")`, `DATABASE_URL` by default); `source` says where the evidence is
    ("compose environment", "compose env_file", "Dockerfile ENV", ".env", "schema provider")
    and `location` points at that line. A SQLite file has no server to wait for."""

    engine: str
    variable: str
    source: str
    location: Location

    @property
    def sqlite(self) -> bool:
        return self.engine == "sqlite"


@dataclass(slots=True, frozen=True)
class CodeMigration:
    """The app applies migrations from its own code when it starts: its package.json has a
    Prisma engine library (`@prisma/migrate`, `@prisma/internals`) in `dependencies`, so the
    start may migrate without any `prisma` command keepdata could read."""

    package: str
    location: Location


CODE_MIGRATION_PACKAGES = ("@prisma/migrate", "@prisma/internals")


@dataclass(slots=True, frozen=True)
class StartupPath:
    """One thing that starts, builds or deploys the app, and every Prisma command it reaches.

    `kind`: "compose" (a compose service), "dockerfile" (an image no compose service builds),
    "platform" (a platform file's command), "dockerfile-run" (a `RUN`), "lifecycle" (a
    `package.json` install/build script), "turbo" (a turbo task). `context` is the root's
    context; `argv` what the container runs (ENTRYPOINT + CMD after compose's overrides)."""

    id: str
    kind: str
    name: str
    context: str
    links: tuple[Link, ...]
    commands: tuple[PrismaStep, ...]
    waits: tuple[WaitStep, ...] = ()
    entry_scripts: tuple[EntryScript, ...] = ()
    installs: tuple[InstallStep, ...] = ()
    seeds: tuple[SeedRun, ...] = ()
    unresolved: tuple[Link, ...] = ()
    service: str | None = None
    stack: str | None = None
    compose_file: str | None = None
    dockerfile: str | None = None
    stage: str | None = None
    argv: tuple[str, ...] = ()
    image: str | None = None
    """The compose `image:` (a service that does not build)."""
    database: DatabaseUse | None = None
    """What the container's Prisma connects to (compose and Dockerfile paths), when known."""
    code_migration: CodeMigration | None = None
    """The app's own code migrates at start (compose and Dockerfile paths)."""

    @property
    def first_link(self) -> Location | None:
        return self.links[0].location if self.links else None

    @property
    def migrates(self) -> tuple[PrismaStep, ...]:
        """Steps that change the database schema (migrate deploy/dev/reset, db push)."""
        return tuple(c for c in self.commands if c.invocation.changes_schema)


@dataclass(slots=True, frozen=True)
class DockerCommand:
    """A destructive docker command (KD111): what it removes, where, the command text."""

    what: str
    location: Location
    text: str
    context: str
    origin: str


@dataclass(slots=True, frozen=True)
class StartupFacts:
    paths: tuple[StartupPath, ...]
    commands: tuple[PrismaStep, ...]
    docker_commands: tuple[DockerCommand, ...] = ()
    problems: tuple[Finding, ...] = ()
    """Limits the walk met (KD001, located), reported by KD001's check."""
    _by_service: dict[str, list[StartupPath]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __iter__(self) -> Iterator[StartupPath]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def for_service(self, service: str, stack: str | None = None) -> StartupPath | None:
        index = self._by_service
        if index is None:  # built on first use: one lookup per service must not cost n
            index = {}
            for p in self.paths:
                if p.service is not None:
                    index.setdefault(p.service, []).append(p)
            object.__setattr__(self, "_by_service", index)
        for p in index.get(service, ()):
            if stack is None or p.stack == stack:
                return p
        return None


# ---------------------------------------------------------------------------------------------
# Where paths resolve
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _FS:
    """Where the running process's paths resolve. In an image: `cwd` is absolute; bind mounts
    (container target -> root-relative host path) come first, then the image's COPYs.
    On the host: `cwd` is a root-relative folder."""

    cwd: str
    image: Any = None  # analysis.facts.images.Image
    mounts: tuple[tuple[str, str], ...] = ()

    @property
    def in_image(self) -> bool:
        return self.image is not None or bool(self.mounts) or self.cwd.startswith("/")

    def chdir(self, path: str) -> _FS:
        if self.in_image:
            new = posixpath.normpath(posixpath.join(self.cwd or "/", path))
        else:
            new = normalize(posixpath.join(self.cwd or ".", path)) or self.cwd
        return replace(self, cwd=new)


# ---------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------


class _At(NamedTuple):
    """Where the follower stands: the chain so far, the command's place, the file system,
    the conditions and shell commands on the way, the script's arguments."""

    chain: tuple[Link, ...]
    location: Location
    fs: _FS
    conditions: tuple[tuple[Condition, ShellScript], ...] = ()
    levels: tuple[tuple[ShellCommand, ShellScript], ...] = ()
    args: tuple[str, ...] | None = None
    depth: int = 0


@dataclass
class _PathState:
    id: str
    kind: str
    context: str
    root_kind: str
    env: dict[str, tuple[str | None, Location, str]]
    service: str | None = None
    stack: str | None = None
    steps: list[PrismaStep] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    link_set: set[Link] = field(default_factory=set)
    waits: list[WaitStep] = field(default_factory=list)
    entries: list[EntryScript] = field(default_factory=list)
    installs: list[InstallStep] = field(default_factory=list)
    seeds: list[SeedRun] = field(default_factory=list)
    unresolved: list[Link] = field(default_factory=list)
    visited: set[tuple[str, tuple[str, ...] | None]] = field(default_factory=set)
    capped: bool = False


_WAIT_TOOLS = {
    "wait-for-it": ("-t", "--timeout"),
    "wait-for-it.sh": ("-t", "--timeout"),
    "wait-for": ("-t", "--timeout"),
    "wait-for.sh": ("-t", "--timeout"),
    "dockerize": ("-timeout",),
    "wait-on": ("-t", "--timeout"),
    "wait-port": ("-t", "--timeout"),
    "pg_isready": (),
}
_EXAMPLE_ENV_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".schema")
_SCRIPT_RUNNERS = frozenset(
    {"npm", "pnpm", "yarn", "bun", "run-s", "run-p", "npm-run-all", "npm-run-all2", "concurrently"}
)
_DEFAULT_TIMEOUT = {"wait-for-it": True, "wait-for-it.sh": True, "dockerize": True}
_MIGRATION_WORD = re.compile(r"migrat", re.IGNORECASE)


class EmbeddedShell:
    """The command strings found in one file (package.json scripts, compose commands,
    Makefile recipes, platform commands, Dockerfile RUNs), parsed on demand. `ctx.parse`
    keeps one per version of the file, so a re-analysis re-parses only changed files; the
    strings' KD001 problems are reported with the file."""

    __slots__ = ("_memo", "path")

    def __init__(self, source: SourceFile) -> None:
        self.path = source.path
        self._memo: dict[object, ShellScript] = {}

    def get(
        self,
        text: str,
        line: int,
        column: int = 1,
        errexit: bool = False,
        shared: dict[object, ShellScript] | None = None,
    ) -> ShellScript:
        """The parsed string; `shared` holds this run's parses of other files' strings: the
        same string at the same place of another file (one package.json per app of a
        monorepo) is reused with its locations moved here."""
        key = (text, line, column, errexit)
        hit = self._memo.get(key)
        if hit is None:
            twin = shared.get(key) if shared is not None else None
            if twin is not None:
                hit = moved_to(twin, self.path)
            else:
                hit = parse_shell_text(text, self.path, line, column, errexit)
            self._memo[key] = hit
        if shared is not None:
            shared.setdefault(key, hit)
        return hit

    def memo(self, key: object, make: Callable[[], ShellScript]) -> ShellScript:
        hit = self._memo.get(key)
        if hit is None:
            hit = make()
            self._memo[key] = hit
        return hit

    @property
    def problems(self) -> tuple[Finding, ...]:
        seen: dict[tuple[int, int, str], Finding] = {}
        for script in self._memo.values():
            for p in script.problems:
                seen.setdefault((p.location.line, p.location.column, p.message), p)
        return tuple(seen.values())


class _Builder:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.paths: list[StartupPath] = []
        self.problems: list[Finding] = []
        self._files: dict[str, bool] = {}
        self._dirs: dict[str, bool] = {}
        self._scripts_by_digest: dict[str, ShellScript] = {}
        self._texts: dict[object, ShellScript] = {}
        self._discovered = frozenset(p for p, _ in ctx.inventory.files)
        self._listings: dict[str, frozenset[str] | None] = {}
        self._resolved: dict[tuple[int, str, tuple[tuple[str, str], ...], str], str | None] = {}
        self._in_image: dict[tuple[int, tuple[tuple[str, str], ...], str], str | None] = {}
        self._project_env: dict[str, tuple[str | None, Location, str]] | None = None
        self._packages: tuple[PackageJson, ...] | None = None
        self._active: dict[int, tuple[ShellScript, tuple[ShellCommand, ...]]] = {}

    def active_commands(self, script: ShellScript) -> tuple[ShellCommand, ...]:
        """The commands of `script` that `follow_script` may act on: `cd`, those whose words
        depend on the script's arguments, and those `follow_argv` does something for. Computed
        once per script and run, so a script followed on several paths costs its length once
        (a 100,000-command `&&` list is mostly `echo`s)."""
        hit = self._active.get(id(script))
        if hit is not None and hit[0] is script:
            return hit[1]
        active = tuple(
            cmd
            for cmd in script.commands
            if "cd" in cmd.words
            or not (
                (cmd.words and cmd.words[0] in _INERT_HEADS)
                or (not any("$" in w for w in cmd.words) and _inert(_plan(cmd.words)))
            )
        )
        self._active[id(script)] = (script, active)
        return active

    # -- files ------------------------------------------------------------------------------
    def shell_text(
        self, text: str, path: str, line: int, column: int = 1, errexit: bool = False
    ) -> ShellScript:
        """A command string of the file `path` (package.json script, compose command, RUN),
        parsed once per version of that file (cached with it across runs)."""
        embedded = self.ctx.parse(path, EmbeddedShell)
        if embedded is None:
            return parse_shell_text(text, path, line, column, errexit)
        return embedded.get(text, line, column, errexit, self._texts)

    def script(self, rel: str) -> ShellScript | None:
        """The parsed script file `rel` (parsed once per version of the file, across runs)."""
        return self.ctx.parse(rel, self.read_script)

    def read_script(self, source: SourceFile) -> ShellScript:
        """Parse a script file; a file whose text another file of this run already had (the
        same entrypoint copied into every app of a monorepo) reuses that parse."""
        twin = self._scripts_by_digest.get(source.digest)
        if twin is not None:
            return moved_to(twin, source.path)
        parsed = parse_shell(source)
        self._scripts_by_digest[source.digest] = parsed
        return parsed

    def is_file(self, rel: str) -> bool:
        hit = self._files.get(rel)
        if hit is None:
            if rel in self._discovered:
                hit = True
            elif self._absent(rel):
                hit = False
            else:
                hit = self.ctx.exists(rel) and not self.ctx.is_dir(rel)
            self._files[rel] = hit
        return hit

    def is_dir(self, rel: str) -> bool:
        hit = self._dirs.get(rel)
        if hit is None:
            hit = rel in self.ctx.inventory.dirs or (not self._absent(rel) and self.ctx.is_dir(rel))
            self._dirs[rel] = hit
        return hit

    def _absent(self, rel: str) -> bool:
        """True when `rel` certainly does not exist: its folder's listing (read once per run)
        has no such name, in any letter case. False when unsure (then the caller asks the file
        system about the path itself)."""
        folder, _, name = rel.rpartition("/")
        if folder in self._listings:
            listing = self._listings[folder]
        else:
            listing = self.ctx.names_in(folder)
            self._listings[folder] = listing
        return listing is not None and name.lower() not in listing

    def package_at(self, folder: str) -> PackageJson | None:
        rel = normalize(posixpath.join(folder or ".", "package.json"))
        if rel is None or not self.is_file(rel):
            return None
        return self.ctx.parse(rel, parse_package_json)

    def package_for(self, fs: _FS) -> tuple[PackageJson, _FS] | None:
        """The package.json npm would use from the process's working directory (the nearest
        one up the tree), with the folder its scripts run in."""
        cur = fs
        for _ in range(8):
            rel = self.resolve(cur, "package.json")
            if rel is not None:
                pkg = self.ctx.parse(rel, parse_package_json)
                return (pkg, cur) if pkg is not None else None
            if cur.cwd in ("", ".", "/"):
                return None
            cur = cur.chdir("..")
        return None

    @property
    def packages(self) -> tuple[PackageJson, ...]:
        if self._packages is None:
            out = []
            for rel in self.ctx.files(FileKind.PACKAGE_JSON):
                pkg = self.ctx.parse(rel, parse_package_json)
                if pkg is not None:
                    out.append(pkg)
            self._packages = tuple(out)
        return self._packages

    def resolve(self, fs: _FS, path: str) -> str | None:
        """The project file that `path` (as the process sees it) is, or None."""
        if not path or "$" in path:
            return None
        key = (id(fs.image), fs.cwd, fs.mounts, path)
        if key in self._resolved:
            return self._resolved[key]
        hit = self._resolve(fs, path)
        self._resolved[key] = hit
        return hit

    def _resolve(self, fs: _FS, path: str) -> str | None:
        if not fs.in_image:
            if path.startswith("/"):
                return None
            rel = normalize(posixpath.join(fs.cwd or ".", path))
            return rel if rel is not None and self.is_file(rel) else None
        abs_path = posixpath.normpath(posixpath.join(fs.cwd or "/", path))
        key = (id(fs.image), fs.mounts, abs_path)
        if key in self._in_image:
            return self._in_image[key]
        hit = self._resolve_in_image(fs, abs_path)
        self._in_image[key] = hit
        return hit

    def _resolve_in_image(self, fs: _FS, abs_path: str) -> str | None:
        for target, host in sorted(fs.mounts, key=lambda m: -len(m[0])):
            if abs_path == target or abs_path.startswith(target.rstrip("/") + "/"):
                rest = posixpath.relpath(abs_path, target)
                rel = normalize(posixpath.join(host or ".", rest))
                if rel is not None and self.is_file(rel):
                    return rel
        image = fs.image
        if image is None or getattr(image, "file", None) is None or image.stage is None:
            return None
        hit = self._reverse_copy(image, image.stage, abs_path, 0)
        if hit is not None:
            return hit
        # a file under the working directory that a `COPY . .`-like step did not name
        workdir = image.stage.workdir or "/"
        if abs_path.startswith(workdir.rstrip("/") + "/"):
            rest = posixpath.relpath(abs_path, workdir)
            rel = normalize(posixpath.join(image.context or ".", rest))
            if rel is not None and image.copies_context and self.is_file(rel):
                return rel
        return None

    def _reverse_copy(self, image: Any, stage: Any, abs_path: str, depth: int) -> str | None:
        if depth > 8:
            return None
        df = image.file
        context = image.context or "."
        for copy in reversed(stage.copies):
            if copy.heredocs:
                continue
            for src in copy.sources:
                src_is_dir = self._is_dir_src(image, copy, src)
                rel = _copy_source_for(copy, src, abs_path, src_is_dir)
                if rel is None and not src_is_dir:
                    rel = _into_folder(image, stage, copy, src, abs_path)
                if rel is None:
                    continue
                if copy.from_stage is None:
                    cand = normalize(posixpath.join(context, rel.lstrip("/")))
                    if cand is not None and self.is_file(cand):
                        return cand
                else:
                    from_stage = df.stage_by_ref(copy.from_stage)
                    if from_stage is not None:
                        src_abs = posixpath.normpath(posixpath.join(from_stage.workdir or "/", rel))
                        hit = self._reverse_copy(image, from_stage, src_abs, depth + 1)
                        if hit is not None:
                            return hit
        if stage.parent is not None:
            return self._reverse_copy(image, df.stages[stage.parent], abs_path, depth + 1)
        return None

    def _is_dir_src(self, image: Any, copy: Any, src: str) -> bool:
        if copy.from_stage is not None:
            return not posixpath.basename(src).count(".")
        clean = src.lstrip("/")
        if clean in ("", "."):
            return True
        rel = normalize(posixpath.join(image.context or ".", clean))
        return rel is not None and self.is_dir(rel)

    # -- environment (opt-in variables) ----------------------------------------------------------
    @property
    def project_env(self) -> dict[str, tuple[str | None, Location, str]]:
        """Variables that `.env` files and platform files set (name -> value, where, what)."""
        if self._project_env is not None:
            return self._project_env
        out: dict[str, tuple[str | None, Location, str]] = {}
        for rel in self.ctx.files(FileKind.ENV):
            if rel.lower().endswith(_EXAMPLE_ENV_SUFFIXES):
                continue  # `.env.example` documents variables, it sets nothing
            env = self.ctx.parse(rel, parse_dotenv)
            for entry in getattr(env, "entries", ()):
                out.setdefault(
                    entry.key, (entry.value, Location(rel, entry.line, entry.column), ".env")
                )
        for rel in self.ctx.files(FileKind.PLATFORM):
            src = self.ctx.source(rel)
            if src is None:
                continue
            for k, line in enumerate(src.text.split("\n"), 1):
                m = re.match(
                    r"""^\s*(?:-\s*key:\s*|["']?)([A-Z_][A-Z0-9_]*)["']?\s*[:=]\s*["']?([^"'#\n]*)""",
                    line,
                )
                if m:
                    value = m.group(2).strip().rstrip(",")
                    if line.lstrip().startswith("- key:"):
                        nxt = src.text.split("\n")[k : k + 2]
                        vm = next(
                            (
                                re.search(r"value:\s*[\"']?([^\"'\n]*)", n)
                                for n in nxt
                                if "value" in n
                            ),
                            None,
                        )
                        value = vm.group(1).strip() if vm else ""
                    out.setdefault(m.group(1), (value, Location(rel, k), "platform file"))
        self._project_env = out
        return out

    def lookup(self, state: _PathState, name: str) -> tuple[str | None, Location, str] | None:
        if name in state.env:
            return state.env[name]
        return self.project_env.get(name)

    # -- following -----------------------------------------------------------------------------
    def follow_argv(self, state: _PathState, words: tuple[str, ...], at: _At) -> None:
        if at.depth > MAX_DEPTH:
            return
        words = _expand_positional(words, at.args)
        if any(w.startswith("$") for w in words):  # `sh -c "$APP_DIR/start.sh"`, ENV APP_DIR
            words = tuple(_expand_env(w, state.env) for w in words)
        plan = _plan(words)
        if plan is None:
            return
        argv = plan.argv
        if plan.prisma is not None:
            self.add_step(state, plan.prisma, argv, at)
            return
        if plan.inner is not None:
            # `docker compose exec api npx prisma ...`: the command runs in a container
            self.follow_argv(state, plan.inner, at._replace(depth=at.depth + 1))
            return
        if plan.install is not None:
            state.installs.append(
                InstallStep(plan.install, at.location, " ".join(argv), state.context)
            )
        if plan.wait is not None:
            label, bounded, bound = plan.wait
            state.waits.append(WaitStep("tool", label, at.location, bounded, bound))
        if plan.nested is not None:
            # the string was parsed with the command when it came from a script; a string from
            # compose/Dockerfile/platform is parsed here
            if at.levels:
                return  # the shell parser already walked `sh -c` strings inline
            text, errexit = plan.nested
            script = self.shell_text(
                text, at.location.path, at.location.line, at.location.column, errexit
            )
            entry = at.depth <= 1 and state.kind in ("compose", "dockerfile")
            self.follow_script(state, script, at, None, entry=entry, inline=True)
            return
        if plan.script is not None:
            self.follow_script_file(state, plan.script[0], plan.script[1], at)
            return
        if plan.make:
            self.follow_make(state, argv, at)
            return
        if plan.turbo:
            self.follow_turbo(state, argv, at)
            return
        if plan.runner:
            found = self.package_for(at.fs)
            pkg = found[0] if found is not None else None
            call = script_calls(argv, pkg)
            if call is not None:
                self.follow_script_call(
                    state, call, pkg, at._replace(fs=found[1]) if found is not None else at
                )
                return
        if plan.program is not None:
            self.follow_program(state, plan.program[0], plan.program[1], at)

    def add_step(
        self, state: _PathState, inv: PrismaInvocation, argv: tuple[str, ...], at: _At
    ) -> None:
        if len(state.steps) >= MAX_STEPS:
            if not state.capped:
                state.capped = True
                self.problems.append(
                    Finding(
                        "KD001",
                        Severity.HIGH,
                        f"more than {MAX_STEPS:,} Prisma commands on one startup path: the ones "
                        "from here on are not followed (keepdata's limit)",
                        at.location,
                    )
                )
            return
        conditions = tuple(c for c, _ in at.conditions)
        decided = _decide(at.conditions, at.args)
        if decided is False:
            return
        opt_ins = self.opt_ins(state, at)
        label = "; ".join(c.label for c in conditions)
        link = Link("prisma", inv.label, at.location, len(at.chain))
        step = PrismaStep(
            command=inv.command,
            flags=inv.flags,
            invocation=inv,
            context=state.context,
            location=at.location,
            text=" ".join(argv),
            chain=(*at.chain, link),
            path_id=state.id,
            root_kind=state.root_kind,
            conditions=conditions,
            condition=label,
            opt_ins=opt_ins,
            levels=at.levels,
            service=state.service,
            stack=state.stack,
        )
        step = _with_fallback(step, at)
        state.steps.append(step)
        self.add_link(state, link)

    def start(
        self, link: Link, path_id: str, kind: str, context: str, root_kind: str
    ) -> _PathState:
        """A new path (no environment of its own) whose first link is `link`."""
        state = _PathState(id=path_id, kind=kind, context=context, root_kind=root_kind, env={})
        self.add_link(state, link)
        return state

    def add_link(self, state: _PathState, link: Link) -> None:
        if link not in state.link_set:
            state.link_set.add(link)
            state.links.append(link)

    def opt_ins(self, state: _PathState, at: _At) -> tuple[OptIn, ...]:
        out: list[OptIn] = []
        seen: set[tuple[str, str | None]] = set()
        for cond, script in at.conditions:
            for req in cond.requires:
                if req.variable.isdigit() or (req.variable, req.value) in seen:
                    continue
                seen.add((req.variable, req.value))
                own = [a for a in script.assignments if a.name == req.variable]
                if any(not a.default_only for a in own):
                    continue  # the script's own variable (e.g. has_migrations)
                defaults = [a for a in own if a.default_only]
                hit = self.lookup(state, req.variable)
                if hit is not None:
                    out.append(OptIn.make(req, hit[1], hit[0], hit[2]))
                elif defaults:
                    d = defaults[0]
                    value = re.sub(r"^\$\{[A-Za-z_]\w*:?[-=]", "", d.value).rstrip("}")
                    out.append(
                        OptIn.make(req, Location(script.path, d.line), value, "script default")
                    )
                else:
                    out.append(OptIn.make(req))
        return tuple(out)

    def follow_script_file(
        self, state: _PathState, ref: str, args: tuple[str, ...], at: _At
    ) -> None:
        rel = None
        if "/" not in ref and at.fs.in_image:
            for folder in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin"):
                rel = self.resolve(at.fs, posixpath.join(folder, ref))
                if rel is not None:
                    break
        if rel is None:
            rel = self.resolve(at.fs, ref)
        call_link = self.call_link(state, at)
        if rel is None:
            if _looks_like_script(ref) or ref.endswith((".sh", ".bash")):
                state.unresolved.append(
                    Link(
                        "unresolved",
                        f"{ref} (not found in the project)",
                        at.location,
                        len(at.chain),
                    )
                )
            if args and not at.levels:
                # an entrypoint we cannot read: assume it ends with `exec "$@"`, as the
                # official images' docker-entrypoint.sh does
                self.follow_argv(state, args, at._replace(depth=at.depth + 1))
            return
        script = self.script(rel)
        if script is None:
            return
        link = Link("script", rel, Location(rel, 1), len(at.chain) + (1 if call_link else 0))
        chain = (*at.chain, *((call_link,) if call_link else ()), link)
        entry = state.kind in ("compose", "dockerfile") and not at.levels
        self.add_link(state, link)
        self.follow_script(
            state,
            script,
            at._replace(chain=chain, depth=at.depth + 1),
            _known(args),
            entry=entry,
        )

    def call_link(self, state: _PathState, at: _At) -> Link | None:
        if not at.levels:
            return None
        cmd = at.levels[-1][0]
        link = Link("command", cmd.text, cmd.location, len(at.chain))
        self.add_link(state, link)
        return link

    def follow_script(
        self,
        state: _PathState,
        script: ShellScript,
        at: _At,
        args: tuple[str, ...] | None,
        entry: bool = False,
        inline: bool = False,
        everything: bool = False,
    ) -> None:
        """Follow every command of `script` that runs (`everything`: also those in functions
        nothing calls)."""
        first = script.commands[0] if script.commands else None
        # the text too: a script with forwarded arguments is parsed at its call site
        key = (script.path + (f"@{first.line}:{first.text}" if first else "@0"), args)
        if key in state.visited or at.depth > MAX_DEPTH:
            return
        state.visited.add(key)
        fs = at.fs
        # `_decide` over the path's conditions and each command's own (up to 64 each in a long
        # `&&` list): the path's part once per script, each condition of the script once
        outer = _decide(at.conditions, args)
        verdicts: dict[int, bool | None] = {}
        for cmd in self.active_commands(script) if outer is not False else ():
            if not cmd.reached and not everything:
                continue
            if (
                args is not None
                and "cd" not in cmd.words
                and _inert(_plan(_expand_positional(cmd.words, args)))
            ):
                continue
            if state.capped and _prisma_plan(_expand_positional(cmd.words, args)):
                continue  # past the step cap `add_step` drops it, whatever its conditions
            if args is not None and cmd.conditions and _blocked(cmd, script, args, verdicts):
                continue
            conds = (
                at.conditions + tuple(zip(cmd.conditions, repeat(script)))
                if cmd.conditions
                else at.conditions
            )
            argv = effective_argv(cmd.words) if "cd" in cmd.words else ()
            if (
                argv[:1] == ("cd",)
                and len(argv) > 1
                and not cmd.conditions
                and not cmd.substitution
            ):
                fs = fs.chdir(argv[1])
                continue
            sub = _At(
                chain=at.chain,
                location=cmd.location,
                fs=fs,
                conditions=conds,
                levels=(*at.levels, (cmd, script)),
                args=args,
                depth=at.depth + 1,
            )
            self.follow_argv(state, cmd.words, sub)
        for loop in script.loops:
            if loop.is_wait:
                state.waits.append(
                    WaitStep(
                        "loop",
                        f"{loop.kind} {loop.condition}",
                        Location(script.path, loop.line),
                        loop.bounded,
                        loop.bound,
                    )
                )
        if entry:
            state.entries.append(
                EntryScript(
                    script.path,
                    at.location if inline else Location(script.path, 1),
                    script.final,
                    script.ends_with_exec,
                    bool(script.traps),
                    inline,
                )
            )

    def follow_script_call(
        self, state: _PathState, call: Any, pkg: PackageJson | None, at: _At
    ) -> None:
        if call.folder is not None:
            found = self.package_for(at.fs.chdir(call.folder))
            pkg, fs = found if found is not None else (None, at.fs)
        else:
            fs = at.fs
        packages: list[tuple[PackageJson, _FS]] = []
        if call.workspace is not None:
            for other in self.packages:
                if call.workspace == "*" and not other.folder and len(self.packages) > 1:
                    continue  # `pnpm -r run x`: the workspace's packages, not its root
                if matches_workspace(other, call.workspace):
                    packages.append((other, replace(_FS(other.folder), mounts=())))
        elif pkg is not None:
            packages.append((pkg, fs))
        if not packages:
            return
        call_link = self.call_link(state, at)
        base_chain = (*at.chain, *((call_link,) if call_link else ()))
        for package, pfs in packages:
            for name in call.scripts:
                script = package.script(name)
                if script is None:
                    continue
                link = Link(
                    "package-script",
                    f'{package.path} "{name}": {script.command}',
                    script.location,
                    len(base_chain),
                )
                self.add_link(state, link)
                parsed = self.package_script(package, script, call.args, at)
                self.follow_script(
                    state,
                    parsed,
                    at._replace(chain=(*base_chain, link), fs=pfs, depth=at.depth + 1),
                    (),
                )
        for command in call.commands:
            parsed = self.shell_text(
                command, at.location.path, at.location.line, at.location.column
            )
            self.follow_script(state, parsed, at._replace(depth=at.depth + 1), ())

    def package_script(
        self, pkg: PackageJson, script: Any, args: tuple[str, ...], at: _At
    ) -> ShellScript:
        """A package.json script as it runs: the manager appends the forwarded arguments
        (`pnpm with-env prisma db push` runs `dotenv -e ../../.env -- prisma db push`), and
        the command is then where the arguments are written (the call site)."""
        if args:
            return self.shell_text(
                f"{script.command} {_shell_join(args)}",
                at.location.path,
                at.location.line,
                at.location.column,
            )
        return self.shell_text(
            script.command, pkg.path, script.location.line, script.location.column
        )

    def follow_program(self, state: _PathState, ref: str, args: tuple[str, ...], at: _At) -> None:
        rel = self.resolve(at.fs, ref)
        if rel is None:
            rel = self._source_twin(at.fs, ref)
        if rel is None:
            return
        prog: ProgramFile | None = self.ctx.parse(rel, parse_program)
        if prog is None:
            return
        if (
            not prog.commands
            and not prog.imported_calls
            and not posixpath.basename(rel).lower().startswith("seed")
        ):
            return
        call_link = self.call_link(state, at)
        link = Link("program", rel, Location(rel, 1), len(at.chain) + (1 if call_link else 0))
        self.add_link(state, link)
        chain = (*at.chain, *((call_link,) if call_link else ()), link)
        if (
            posixpath.basename(rel).lower().startswith("seed")
            and _decide(at.conditions, at.args) is not False
        ):
            conditions = tuple(c for c, _ in at.conditions)
            state.seeds.append(
                SeedRun(
                    " ".join((ref, *args)),
                    at.location,
                    rel,
                    chain,
                    state.context,
                    conditions,
                    "; ".join(c.label for c in conditions),
                    self.opt_ins(state, at),
                )
            )
        key = (rel, None)
        if key in state.visited:
            return
        state.visited.add(key)
        for pc in (*prog.commands, *self.imported_commands(prog)):
            sub = at._replace(chain=chain, location=pc.location, depth=at.depth + 1, args=None)
            if pc.argv is not None:
                self.follow_argv(state, pc.argv, sub)
            elif pc.command is not None:
                parsed = self.shell_text(pc.command, rel, pc.location.line, pc.location.column)
                self.follow_script(state, parsed, sub, None)

    def imported_commands(self, prog: ProgramFile) -> list[ProgramCommand]:
        """The commands that calls of relatively-imported helpers start (`import {
        executePrismaCommand } from "./executeCommand"`, whose parameter reaches `exec`)."""
        out: list[ProgramCommand] = []
        folder = posixpath.dirname(prog.path)
        for call in prog.imported_calls:
            base = normalize(posixpath.join(folder or ".", call.module))
            if base is None:
                continue
            stem = re.sub(r"\.(?:c|m)?js$", "", base)
            for cand in (
                base,
                *(stem + ext for ext in (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx")),
                *(f"{base}/index{ext}" for ext in (".ts", ".js", ".mjs")),
            ):
                if cand.endswith(JS_SUFFIXES) and self.is_file(cand):
                    helper: ProgramFile | None = self.ctx.parse(cand, parse_program)
                    wrapper = helper.wrapper(call.name) if helper is not None else None
                    if wrapper is not None:
                        pc = wrapper_command(wrapper, call.values, call.location, call.name)
                        if pc is not None:
                            out.append(pc)
                    break
        return out

    def _source_twin(self, fs: _FS, ref: str) -> str | None:
        """`dist/scripts/migrate.js` (built output, not in the project) -> `scripts/migrate.ts`
        or `src/scripts/migrate.ts` when exactly that source exists."""
        m = re.match(r"^(?:\./)?(?:dist|build|out|lib)/(.+)\.(?:c|m)?js$", ref)
        if not m:
            return None
        stem = m.group(1)
        for cand in (f"{stem}.ts", f"src/{stem}.ts", f"{stem}.mts", f"src/{stem}.js"):
            rel = self.resolve(fs, cand)
            if rel is not None:
                return rel
        return None

    def follow_make(self, state: _PathState, argv: tuple[str, ...], at: _At) -> None:
        fs = at.fs
        names: list[str] = []
        k = 1
        while k < len(argv):
            w = argv[k]
            if w in ("-C", "--directory") and k + 1 < len(argv):
                fs = fs.chdir(argv[k + 1])
                k += 2
                continue
            if w in ("-f", "--file") and k + 1 < len(argv):
                k += 2
                continue
            if not w.startswith("-") and "=" not in w:
                names.append(w)
            k += 1
        rel = None
        for name in ("Makefile", "makefile", "GNUmakefile"):
            rel = self.resolve(fs, name)
            if rel is not None:
                break
        if rel is None:
            return
        mk = self.ctx.parse(rel, parse_makefile)
        if mk is None or not mk.targets:
            return
        if not names:
            names = [mk.targets[0].name]
        call_link = self.call_link(state, at)
        base = (*at.chain, *((call_link,) if call_link else ()))
        seen: set[str] = set()
        for name in names:
            self._follow_target(state, mk, name, base, at, seen)

    def _follow_target(
        self,
        state: _PathState,
        mk: Makefile,
        name: str,
        chain: tuple[Link, ...],
        at: _At,
        seen: set[str],
    ) -> None:
        if name in seen or len(seen) > 50:
            return
        seen.add(name)
        target = mk.target(name)
        if target is None:
            return
        for pre in target.prerequisites:
            if mk.target(pre) is not None:
                self._follow_target(state, mk, pre, chain, at, seen)
        link = Link("makefile-target", f"make {name}", target.location, len(chain))
        self.add_link(state, link)
        for recipe in target.recipes:
            parsed = self.shell_text(recipe.command, mk.path, recipe.line, recipe.location.column)
            self.follow_script(
                state, parsed, at._replace(chain=(*chain, link), depth=at.depth + 1), ()
            )

    def follow_turbo(self, state: _PathState, argv: tuple[str, ...], at: _At) -> None:
        """`turbo run a b --filter=web -- x` and `nx run web:a`, `nx run-many -t a -p web`,
        `nx a web`: the package scripts of those tasks (of the filtered packages)."""
        runs = task_runner_call(argv)
        if runs is None:
            return
        for task in runs.tasks:
            while (
                runs.tool == "nx" and ":" in task and not any(p.script(task) for p in self.packages)
            ):
                task = task.rsplit(":", 1)[0]  # nx: `target:configuration`
            self.follow_turbo_task(state, task, at, set(), runs.filters, runs.args)

    def follow_turbo_task(
        self,
        state: _PathState,
        task: str,
        at: _At,
        seen: set[str],
        filters: tuple[str, ...] = (),
        args: tuple[str, ...] = (),
    ) -> None:
        if task in seen or len(seen) > 30:
            return
        seen.add(task)
        for rel in self.ctx.files(FileKind.PLATFORM):
            if posixpath.basename(rel) != "turbo.json":
                continue
            pf = self.ctx.parse(rel, parse_platform)
            for t in getattr(pf, "tasks", ()):
                name = t.name.split("#", 1)[-1]
                if name != task:
                    continue
                for dep in t.depends_on:
                    dep_name = dep.lstrip("^").split("#", 1)[-1]
                    if not dep_name.startswith("$"):
                        self.follow_turbo_task(state, dep_name, at, seen)
        for pkg in self.packages:
            script = pkg.script(task)
            if script is None:
                continue
            if filters and not any(matches_workspace(pkg, f) for f in filters):
                continue
            link = Link(
                "package-script",
                f'{pkg.path} "{task}": {script.command}',
                script.location,
                len(at.chain),
            )
            self.add_link(state, link)
            parsed = self.package_script(pkg, script, args, at)
            self.follow_script(
                state,
                parsed,
                at._replace(chain=(*at.chain, link), fs=_FS(pkg.folder), depth=at.depth + 1),
                (),
            )

    # -- finishing a path -----------------------------------------------------------------------
    def finish(self, state: _PathState, name: str, **extra: Any) -> StartupPath:
        path = StartupPath(
            id=state.id,
            kind=state.kind,
            name=name,
            context=state.context,
            links=tuple(state.links),
            commands=tuple(state.steps),
            waits=tuple(state.waits),
            entry_scripts=tuple(state.entries),
            installs=tuple(state.installs),
            seeds=tuple(state.seeds),
            unresolved=tuple(state.unresolved),
            service=state.service,
            stack=state.stack,
            **extra,
        )
        self.paths.append(path)
        return path


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _into_folder(image: Any, stage: Any, copy: Any, src: str, abs_path: str) -> str | None:
    """`COPY file /dir` (one file, no trailing slash) into a folder that exists: the file is
    at /dir/<name>."""
    if copy.from_stage is not None or copy.target_is_dir or copy.heredocs:
        return None
    src_clean = src.lstrip("/").removeprefix("./")
    if abs_path != posixpath.join(copy.target, posixpath.basename(src_clean)):
        return None
    from analysis.facts.images import folder_exists_before

    return src_clean if folder_exists_before(image, stage, copy.line, copy.target) else None


def _copy_source_for(copy: Any, src: str, abs_path: str, src_is_dir: bool) -> str | None:
    """The source path (context-relative, or absolute in a `--from` stage) that a COPY puts at
    `abs_path`, or None."""
    target = copy.target.rstrip("/") or "/"
    src_clean = src
    if copy.from_stage is None:
        src_clean = src.lstrip("/")
        if src_clean.startswith("./"):
            src_clean = src_clean[2:]
    if any(ch in src_clean for ch in "*?["):
        if posixpath.dirname(abs_path) == target and fnmatch.fnmatch(
            posixpath.basename(abs_path), posixpath.basename(src_clean)
        ):
            return posixpath.join(posixpath.dirname(src_clean), posixpath.basename(abs_path))
        return None
    if src_is_dir:
        if abs_path == target:
            return None
        if target == "/" or abs_path.startswith(target + "/"):
            rest = abs_path[len(target) :].lstrip("/")
            return posixpath.join(src_clean or ".", rest) if src_clean not in ("", ".") else rest
        return None
    if copy.target_is_dir:
        if abs_path == posixpath.join(target, posixpath.basename(src_clean)):
            return src_clean
        return None
    if abs_path == target:
        return src_clean
    return None


_DOCKER_VALUE_FLAGS = frozenset(
    {
        "-u",
        "--user",
        "-w",
        "--workdir",
        "-e",
        "--env",
        "--index",
        "--name",
        "-v",
        "--volume",
        "--entrypoint",
        "-p",
        "--publish",
        "-l",
        "--label",
        "--env-file",
        "-f",
        "--file",
        "--project-name",
        "--profile",
        "--project-directory",
        "-c",
        "--container",
        "-n",
        "--namespace",
    }
)


def _docker_inner(argv: tuple[str, ...]) -> tuple[str, ...] | None:
    """The command of `docker compose exec|run SERVICE CMD...`, `docker exec CONTAINER CMD...`,
    `kubectl exec POD -- CMD...`; None for anything else."""
    head = argv[0].rsplit("/", 1)[-1]
    rest = list(argv[1:])
    if head == "kubectl":
        if rest[:1] == ["exec"] and "--" in rest:
            return tuple(rest[rest.index("--") + 1 :]) or None
        return None
    if head == "docker" and rest[:1] == ["compose"]:
        rest = rest[1:]
    elif head == "docker" and rest[:1] == ["exec"]:
        pass
    elif head != "docker-compose":
        return None
    # global flags before the subcommand
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in _DOCKER_VALUE_FLAGS and "=" not in rest[0] else rest[1:]
    if not rest or rest[0] not in ("exec", "run"):
        return None
    rest = rest[1:]
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in _DOCKER_VALUE_FLAGS and "=" not in rest[0] else rest[1:]
    if len(rest) < 2:
        return None
    return tuple(rest[1:])


_LIBRARY_IMAGE = re.compile(r"^(?:docker\.io/)?(?:library/)?[a-z0-9._-]+(?::[^/]*)?(?:@.*)?$")


_POSITIONAL = re.compile(r"^\$\{?([0-9])\}?$")


class _Plan(NamedTuple):
    """What `follow_argv` does with a command's words: a pure function of them (memoized), in
    the order it is tried: a Prisma command; a command run in a container (`docker compose
    exec`); else a global Prisma install and a wait tool are noted, and the command leads to a
    `sh -c` string, a script file, `make`, `turbo`, a package manager's script (when the
    package.json has it) or a program file."""

    argv: tuple[str, ...]
    prisma: PrismaInvocation | None = None
    inner: tuple[str, ...] | None = None
    install: GlobalInstall | None = None
    wait: tuple[str, bool, str] | None = None
    nested: tuple[str, bool] | None = None
    script: tuple[str, tuple[str, ...]] | None = None
    make: bool = False
    turbo: bool = False
    runner: bool = False
    program: tuple[str, tuple[str, ...]] | None = None


def _plan(words: tuple[str, ...]) -> _Plan | None:
    return _plan_cached(words) if small_words(words) else _plan_of(words)


@lru_cache(maxsize=8192)
def _plan_cached(words: tuple[str, ...]) -> _Plan | None:
    return _plan_of(words)


def _plan_of(words: tuple[str, ...]) -> _Plan | None:
    argv = effective_argv(words)
    if not argv:
        return None
    inv = prisma_invocation(argv)
    if inv is not None:
        return _Plan(argv, prisma=inv)
    inner = _docker_inner(argv)
    if inner is not None:
        return _Plan(argv, inner=inner)
    found = _Plan(argv, install=global_prisma_install(argv), wait=_wait_tool(argv))
    nested = shell_script_argument(argv)
    if nested is not None:
        return found._replace(nested=nested)
    file_call = shell_script_file(argv)
    if file_call is not None:
        return found._replace(script=(file_call[0], file_call[1]))
    if _looks_like_script(argv[0]):
        return found._replace(script=(argv[0], argv[1:]))
    head = argv[0].rsplit("/", 1)[-1]
    if head in ("make", "gmake"):
        return found._replace(make=True)
    if head in ("turbo", "nx") or (
        head in ("npx", "pnpm", "yarn", "bunx") and argv[1:2] in (("turbo",), ("nx",))
    ):
        return found._replace(turbo=True)
    return found._replace(runner=head in _SCRIPT_RUNNERS, program=program_file(argv))


_INERT_HEADS = frozenset(
    {
        "echo",
        "printf",
        "true",
        "false",
        ":",
        "test",
        "[",
        "sleep",
        "set",
        "export",
        "unset",
        "shift",
        "exit",
        "return",
        "mkdir",
        "rm",
        "cp",
        "mv",
        "ls",
        "cat",
        "chmod",
        "chown",
        "touch",
        "trap",
        "wait",
        "read",
        "local",
        "umask",
    }
)
"""Commands `follow_argv` never follows whatever their arguments (a shortcut past `_plan`)."""


def _inert(plan: _Plan | None) -> bool:
    """A command `follow_argv` does nothing for (no Prisma, script, program, wait, ...)."""
    return plan is None or (
        plan.prisma is None
        and plan.inner is None
        and plan.install is None
        and plan.wait is None
        and plan.nested is None
        and plan.script is None
        and plan.program is None
        and not (plan.make or plan.turbo or plan.runner)
    )


def _wait_tool(argv: tuple[str, ...]) -> tuple[str, bool, str] | None:
    """A wait tool (`wait-for-it db:5432 -t 60`, `npx wait-on tcp:db:5432`): (the command,
    bounded, why), or None."""
    head = argv[0].rsplit("/", 1)[-1]
    if head in ("npx", "pnpx", "bunx") and len(argv) > 1:
        argv = argv[1:]
        while argv and argv[0].startswith("-"):
            argv = argv[1:]
        if not argv:
            return None
        head = argv[0].rsplit("/", 1)[-1]
    if head not in _WAIT_TOOLS or head == "pg_isready":
        return None
    flags = _WAIT_TOOLS[head]
    timeout = None
    for k, w in enumerate(argv):
        name, _, value = w.partition("=")
        if name in flags:
            timeout = value or (argv[k + 1] if k + 1 < len(argv) else "")
    if timeout is not None:
        bounded = timeout not in ("0", "")
        bound = f"timeout {timeout}" if bounded else "timeout 0 (waits forever)"
    else:
        bounded = _DEFAULT_TIMEOUT.get(head, False)
        bound = "its default timeout" if bounded else "no timeout"
    return " ".join(argv), bounded, bound


_ENV_REF = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def _expand_env(word: str, env: dict[str, tuple[str | None, Location, str]]) -> str:
    """`word` with its `$NAME`/`${NAME}` replaced by the values the path's environment gives
    (a Dockerfile ENV, compose `environment:`); unchanged when one of them has no known value."""
    if "$" not in word:
        return word
    names = [m.group("braced") or m.group("plain") for m in _ENV_REF.finditer(word)]
    values = {n: env[n][0] if n in env else None for n in names}
    if not names or any(v is None or "$" in v for v in values.values()):
        return word
    expanded = _ENV_REF.sub(lambda m: values[m.group("braced") or m.group("plain")] or "", word)
    # only a path that starts with a variable: a URL or a flag value stays as written
    return expanded if word.startswith("$") and expanded.startswith(("/", "./")) else word


def _expand_positional(words: tuple[str, ...], args: tuple[str, ...] | None) -> tuple[str, ...]:
    if args is None or not any("$" in w for w in words):
        return words
    out: list[str] = []
    for w in words:
        if w in ("$@", "$*", "${@}", "${*}"):
            out.extend(args)
            continue
        m = _POSITIONAL.match(w)
        if m:
            n = int(m.group(1))
            if n == 0:
                out.append(w)
            elif n <= len(args):
                out.append(args[n - 1])
            continue
        out.append(w)
    return tuple(out)


_PLAIN_WORD = re.compile(r"[\w@%+=:,./${}-]+")


def _shell_join(words: tuple[str, ...]) -> str:
    """Words as shell text (a variable reference stays expandable)."""
    return " ".join(w if _PLAIN_WORD.fullmatch(w) else shlex.quote(w) for w in words)


def _known(args: tuple[str, ...]) -> tuple[str, ...] | None:
    """Arguments whose values are known (None when one is an unexpanded `$@`)."""
    if any(a in ("$@", "$*", "${@}", "${*}") for a in args):
        return None
    return tuple(args)


def _looks_like_script(word: str) -> bool:
    if "$" in word or "node_modules/.bin/" in word:
        return False  # a package's bin (`./node_modules/.bin/tsx`), not a project file
    base = word.rsplit("/", 1)[-1]
    if base.endswith((".sh", ".bash")):
        return True
    return (
        "/" in word
        and (word.startswith(("./", "/", "scripts/", "bin/", "docker/")) and "." not in base[1:])
        and base
        not in ("node", "npm", "npx", "pnpm", "yarn", "bun", "python", "python3", "sh", "bash")
    )


def _matches(req: Requirement, value: str) -> bool:
    return value != "" if req.value is None else value == req.value


def _prisma_plan(words: tuple[str, ...]) -> bool:
    plan = _plan(words)
    return plan is not None and plan.prisma is not None


def _blocked(
    cmd: ShellCommand,
    script: ShellScript,
    args: tuple[str, ...],
    verdicts: dict[int, bool | None],
) -> bool:
    """Whether one of `cmd`'s own conditions rules it out for `args` (`_decide` is False):
    `verdicts` keeps each condition's verdict by identity, as the commands of one list share
    their conditions."""
    for cond in cmd.conditions:
        verdict = verdicts.get(id(cond), _UNDECIDED)
        if verdict is _UNDECIDED:
            verdict = verdicts[id(cond)] = _decide(((cond, script),), args)
        if verdict is False:
            return True
    return False


_UNDECIDED: Any = object()


def _decide(
    conditions: tuple[tuple[Condition, ShellScript], ...], args: tuple[str, ...] | None
) -> bool | None:
    """Whether the positional-argument tests (`$1 = migrate`, `case "$1" in`) let a command run,
    given the arguments the script receives: False (never on this path), True, None (unknown)."""
    if args is None:
        return None
    decided: bool | None = None
    for cond, _script in conditions:
        for req in cond.requires:
            if req.variable.isdigit():
                n = int(req.variable)
                value = args[n - 1] if 0 < n <= len(args) else ""
                if not _matches(req, value):
                    return False
                decided = True
        pos_one_of = [r for r in cond.one_of if r.variable.isdigit()]
        if pos_one_of:
            n = int(pos_one_of[0].variable)
            value = args[n - 1] if 0 < n <= len(args) else ""
            if not any(_matches(r, value) for r in pos_one_of):
                return False
            decided = True
        for req in cond.excludes:
            if req.variable.isdigit():
                n = int(req.variable)
                value = args[n - 1] if 0 < n <= len(args) else ""
                if _matches(req, value):
                    return False
    return decided


def _about_migrations(cond: Condition, script: ShellScript) -> bool:
    if _MIGRATION_WORD.search(cond.text):
        return True
    for var in cond.variables:
        if _MIGRATION_WORD.search(var):
            return True
        for a in script.assignments:
            if a.name == var and any(_MIGRATION_WORD.search(c.text) for c in a.conditions):
                return True
            if a.name == var and _MIGRATION_WORD.search(a.value):
                return True
    return False


def _with_fallback(step: PrismaStep, at: _At) -> PrismaStep:
    """Mark the seed pattern (`if migrations exist: migrate deploy else db push`) and
    `migrate deploy || db push`."""
    if not at.levels:
        return step
    cmd, script = at.levels[-1]
    about = ""
    for cond in cmd.conditions:
        if cond.kind in ("if", "elif", "else") and _about_migrations(cond, script):
            negative = cond.kind == "else" or "! " in cond.text or "-z" in cond.text
            if re.search(r"=\s*\"?false|!=\s*\"?true|-eq\s+0", cond.text):
                negative = not negative
            about = "missing" if negative else "exist"
    if about:
        step = replace(step, about_migrations=about)
    if step.command != "db push":
        return step
    for other in script.commands:
        if other is cmd:
            continue
        inv = prisma_invocation(other.words)
        if inv is None or inv.command != "migrate deploy":
            continue
        # same `if`, another arm, the test is about the migrations folder
        for mine in cmd.conditions:
            for theirs in other.conditions:
                if (
                    mine.group == theirs.group
                    and mine.arm != theirs.arm
                    and mine.kind in ("if", "elif", "else")
                    and (_about_migrations(mine, script) or _about_migrations(theirs, script))
                ):
                    return replace(step, fallback_for=other.location, fallback_kind="no-migrations")
        # `migrate deploy || db push`
        if (
            other.chain == cmd.chain
            and other.on_failure == "fallback"
            and "db push" in (other.fallback + " " + cmd.text)
        ):
            return replace(step, fallback_for=other.location, fallback_kind="on-failure")
        if (
            other.on_failure == "fallback"
            and re.search(r"\bdb\s+(push|update)\b", other.fallback)
            and other.line <= cmd.line
        ):
            return replace(step, fallback_for=other.location, fallback_kind="on-failure")
    return step


def _env_from_service(service: Any) -> dict[str, tuple[str | None, Location, str]]:
    out: dict[str, tuple[str | None, Location, str]] = {}
    for var in getattr(service, "container_env", ()) or getattr(service, "environment", ()):
        out[var.name] = (var.value, var.location, f"compose {var.source}")
    return out


def _env_from_stage(df_path: str, image: Any) -> dict[str, tuple[str | None, Location, str]]:
    out: dict[str, tuple[str | None, Location, str]] = {}
    stage = getattr(image, "stage", None)
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


def _image_env_files(image: Any) -> tuple[str, ...]:
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
        datasources.extend(getattr(parsed, "datasources", ()))
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
    b: _Builder, image: Any, service: Any, compose_file: str
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


def _command_argv(cmd: Any) -> tuple[str, ...]:
    """A Dockerfile ENTRYPOINT/CMD as Docker runs it."""
    if cmd is None:
        return ()
    return tuple(cmd.argv)


def _dockerfile_link(keyword: str, dockerfile: str, cmd: Any) -> Link:
    """The link of a Dockerfile `ENTRYPOINT`/`CMD` (`keyword`)."""
    if cmd.exec_form is not None:
        label = f"{keyword} {list(cmd.exec_form)}".replace("'", '"')
    else:
        label = f"{keyword} {cmd.shell}"
    return Link(f"dockerfile-{keyword.lower()}", label, Location(dockerfile, cmd.line))


def _compose_link(service: Any, key: str, setting: Any) -> Link:
    """The link of a compose service's `entrypoint`/`command` (`key`)."""
    return Link(
        f"compose-{key}", f'service "{service.name}" {key}: {setting.text}', setting.location
    )


# ---------------------------------------------------------------------------------------------
# The passes
# ---------------------------------------------------------------------------------------------


def _stacks(ctx: Context) -> tuple[Any, ...]:
    from analysis.facts.compose import compose_stacks

    return tuple(ctx.fact(compose_stacks))


def _database_keys(ctx: Context) -> set[tuple[str, str]]:
    from analysis.facts.databases import databases

    return {(d.stack, d.service) for d in ctx.fact(databases)}


def _images(ctx: Context) -> tuple[Any, ...]:
    from analysis.facts.images import images

    return tuple(ctx.fact(images))


def _image_for(images: tuple[Any, ...], compose_file: str, service: str) -> Any:
    for image in images:
        for use in image.uses:
            if use.service == service and use.compose_file == compose_file:
                return image
    for image in images:
        for use in image.uses:
            if use.service == service:
                return image
    return None


def _published(ctx: Context, stack: str, service: Any) -> tuple[Any, Any] | None:
    """(link, Image) when the service pulls an image the project builds (inferred)."""
    if service.build is not None or service.image is None:
        return None
    from analysis.facts.published import image_of, published_image_for

    link = published_image_for(ctx, stack, service.name)
    if link is None:
        return None
    image = image_of(ctx, link)
    return (link, image) if image is not None and image.file is not None else None


def _compose_pass(b: _Builder, images: tuple[Any, ...]) -> set[str]:
    """Every non-database service of every stack. Returns the Dockerfiles compose builds."""
    ctx = b.ctx
    db_keys = _database_keys(ctx)
    built: set[str] = set()
    # per schema set and per folder, not per service
    datasources: dict[tuple[str, ...], tuple[list[ConfigBlock], str]] = {}
    nearest: dict[str, tuple[str, ...]] = {}
    for stack in _stacks(ctx):
        db_names = {svc for st, svc in db_keys if st == stack.id}
        for service in stack.services:
            if service.name in db_names:
                continue
            compose_file = service.location.path
            image = _image_for(images, compose_file, service.name) if service.build else None
            published = _published(ctx, stack.id, service) if image is None else None
            if published is not None:  # the project's own image, pulled: its build, inferred
                image = published[1]
            if image is not None:
                built.add(image.dockerfile)
            env = _env_from_stage(image.dockerfile, image) if image is not None else {}
            env.update(_env_from_service(service))
            state = _PathState(
                id=f"compose:{stack.id}:{service.name}",
                kind="compose",
                context=RunContext.STARTUP,
                root_kind="compose",
                env=env,
                service=service.name,
                stack=stack.id,
            )
            mounts = tuple(
                (m.target, m.host_path)
                for m in service.mounts
                if getattr(m.kind, "value", m.kind) == "bind" and m.host_path is not None
            )
            stage = image.stage if image is not None else None
            workdir = (
                service.working_dir.value
                if service.working_dir is not None
                else (stage.workdir if stage is not None else "/")
            )
            fs = _FS(workdir or "/", image if image is not None and image.file else None, mounts)
            if (
                image is None
                and not mounts
                and service.image is not None
                and not _LIBRARY_IMAGE.match(service.image.value)
            ):
                # an image of this project built elsewhere (`myorg/api:1.4`): read its commands
                # against the project folder of the compose file
                fs = _FS(posixpath.dirname(compose_file))
            links: list[Link] = []
            if published is not None:
                links.append(Link("inferred-image", published[0].label, published[0].location))
            entry_cmd = stage.effective_entrypoint if stage is not None else None
            cmd_cmd = stage.effective_cmd if stage is not None else None
            if service.entrypoint is not None:
                entry_argv = tuple(service.entrypoint.argv)
                links.append(_compose_link(service, "entrypoint", service.entrypoint))
                cmd_argv = tuple(service.command.argv) if service.command is not None else ()
                if service.command is not None:
                    links.append(_compose_link(service, "command", service.command))
            else:
                entry_argv = _command_argv(entry_cmd)
                if entry_cmd is not None and image is not None:
                    links.append(_dockerfile_link("ENTRYPOINT", image.dockerfile, entry_cmd))
                shell_entry = entry_cmd is not None and entry_cmd.exec_form is None
                if service.command is not None:
                    cmd_argv = () if shell_entry else tuple(service.command.argv)
                    links.append(_compose_link(service, "command", service.command))
                else:
                    cmd_argv = () if shell_entry else _command_argv(cmd_cmd)
                    if cmd_cmd is not None and image is not None and not shell_entry:
                        links.append(_dockerfile_link("CMD", image.dockerfile, cmd_cmd))
            # the first link names where the start command comes from
            links.sort(key=lambda lk: 0 if lk.kind.startswith("compose") else 1)
            for lk in links:
                b.add_link(state, lk)
            argv = (*entry_argv, *cmd_argv)
            for dep in service.depends_on:
                if dep.service in db_names and dep.condition == "service_healthy":
                    state.waits.append(
                        WaitStep(
                            "depends_on",
                            f"depends_on {dep.service}: condition: service_healthy",
                            dep.location,
                            True,
                            "the database's healthcheck",
                        )
                    )
            if argv:
                origin = links[0].location if links else service.location
                b.follow_argv(state, argv, _At(tuple(links), origin, fs))
            if image is not None:
                database = _database_use(
                    ctx, state.env, image.app_schemas, _image_env_files(image), datasources
                )
            else:
                folder = posixpath.dirname(compose_file)
                if folder not in nearest:
                    nearest[folder] = _nearest_schemas(ctx, folder)
                database = _database_use(ctx, state.env, nearest[folder], (), datasources)
            b.finish(
                state,
                f'service "{service.name}" ({compose_file})'
                if published is None
                else f'service "{service.name}" ({compose_file}; its image inferred to be built '
                f"from {published[0].dockerfile})",
                compose_file=compose_file,
                dockerfile=image.dockerfile if image is not None else None,
                stage=(stage.name or str(stage.index)) if stage is not None else None,
                argv=argv,
                image=service.image.value
                if service.image is not None and not service.build
                else None,
                database=database,
                code_migration=_code_migration(
                    b, image, service if not service.build else None, compose_file
                ),
            )
    return built


def _dockerfile_pass(b: _Builder, images: tuple[Any, ...], built: set[str]) -> None:
    """Images no compose service builds: their final stage's ENTRYPOINT/CMD is the start."""
    for image in images:
        if image.uses or image.dockerfile in built or image.stage is None:
            continue
        stage = image.stage
        state = _PathState(
            id=f"dockerfile:{image.dockerfile}",
            kind="dockerfile",
            context=RunContext.STARTUP,
            root_kind="dockerfile",
            env=_env_from_stage(image.dockerfile, image),
        )
        links: list[Link] = []
        entry_cmd, cmd_cmd = stage.effective_entrypoint, stage.effective_cmd
        if entry_cmd is not None:
            links.append(_dockerfile_link("ENTRYPOINT", image.dockerfile, entry_cmd))
        shell_entry = entry_cmd is not None and entry_cmd.exec_form is None
        if cmd_cmd is not None and not shell_entry:
            links.append(_dockerfile_link("CMD", image.dockerfile, cmd_cmd))
        for lk in links:
            b.add_link(state, lk)
        argv = (*_command_argv(entry_cmd), *(() if shell_entry else _command_argv(cmd_cmd)))
        if argv and links:
            fs = _FS(stage.workdir or "/", image if image.file is not None else None)
            b.follow_argv(state, argv, _At(tuple(links), links[0].location, fs))
        b.finish(
            state,
            image.dockerfile,
            dockerfile=image.dockerfile,
            stage=stage.name or str(stage.index),
            argv=argv,
            database=_database_use(b.ctx, state.env, image.app_schemas, _image_env_files(image)),
            code_migration=_code_migration(b, image, None, ""),
        )


def _run_pass(b: _Builder, images: tuple[Any, ...]) -> None:
    """Every `RUN` of the stages an image is made from: build path."""
    done: set[tuple[str, int]] = set()
    for image in images:
        df = image.file
        if df is None:
            continue
        used = set(image.stages_used) or {s.index for s in df.stages}
        for stage in df.stages:
            if stage.index not in used:
                continue
            for run in stage.runs:
                if (image.dockerfile, run.line) in done:
                    continue
                done.add((image.dockerfile, run.line))
                link = Link(
                    "dockerfile-run",
                    f"RUN {run.command.strip()[:160]}",
                    Location(image.dockerfile, run.line),
                )
                state = b.start(
                    link,
                    f"run:{image.dockerfile}:{run.line}",
                    "dockerfile-run",
                    RunContext.BUILD,
                    "dockerfile-run",
                )
                script = _run_script(b, image.dockerfile, run)
                fs = _FS(run.workdir or "/", image)
                b.follow_script(state, script, _At((link,), link.location, fs), None)
                if state.steps or state.installs:
                    b.finish(
                        state,
                        f"{image.dockerfile} RUN (line {run.line})",
                        dockerfile=image.dockerfile,
                    )


def _run_script(b: _Builder, path: str, run: Any) -> ShellScript:
    """A RUN's shell text with each command at its line of the Dockerfile."""
    embedded = b.ctx.parse(path, EmbeddedShell)
    if embedded is None:
        return _remap_run(parse_shell_text(run.script, path, 1, 1), path, run)
    return embedded.memo(
        ("RUN", run.line, run.script),
        lambda: _remap_run(parse_shell_text(run.script, path, 1, 1), path, run),
    )


_NEWLINE = re.compile("\n")


def _remap_run(parsed: ShellScript, path: str, run: Any) -> ShellScript:
    text = run.script
    if not parsed.commands:
        return parsed
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def remap(loc: Location) -> Location:
        idx = min(max(loc.line - 1, 0), len(starts) - 1)
        offset = starts[idx] + loc.column - 1
        return Location(path, run.line_at(offset), 1)

    commands = tuple(relocated(c, remap(c.location)) for c in parsed.commands)
    by_id = {id(o): n for o, n in zip(parsed.commands, commands, strict=True)}
    final = tuple(by_id.get(id(c), c) for c in parsed.final)
    return replace(parsed, commands=commands, final=final)


def _platform_pass(b: _Builder) -> None:
    ctx = b.ctx
    for rel in ctx.files(FileKind.PLATFORM):
        pf: PlatformFile | None = ctx.parse(rel, parse_platform)
        if pf is None:
            continue
        folder = posixpath.dirname(rel)
        for cmd in pf.commands:
            context = {
                "build": RunContext.BUILD,
                "deploy": RunContext.DEPLOY,
                "start": RunContext.STARTUP,
            }.get(cmd.role, RunContext.DEPLOY)
            link = Link("platform", f"{rel} {cmd.key} {cmd.command}".strip(), cmd.location)
            state = b.start(
                link,
                f"platform:{rel}:{cmd.key}:{cmd.line}",
                "platform",
                context,
                f"platform-{cmd.role}",
            )
            script = b.shell_text(cmd.command, rel, cmd.location.line, cmd.location.column)
            b.follow_script(state, script, _At((link,), cmd.location, _FS(folder)), None)
            b.finish(state, f"{rel} {cmd.key}")
        if pf.platform == "vercel" and pf.default_build:
            pkg = b.package_at(folder)
            name = None
            if pkg is not None:
                name = (
                    "vercel-build"
                    if pkg.script("vercel-build")
                    else ("build" if pkg.script("build") else None)
                )
            if pkg is not None and name is not None:
                link = Link(
                    "platform",
                    f'{rel} (no buildCommand: Vercel runs the "{name}" script)',
                    Location(rel, 1),
                )
                state = b.start(
                    link,
                    f"platform:{rel}:default-build",
                    "platform",
                    RunContext.BUILD,
                    "platform-build",
                )
                b.follow_argv(state, ("npm", "run", name), _At((link,), link.location, _FS(folder)))
                b.finish(state, f"{rel} default build ({name})")
        for task in pf.tasks:
            db_deps = [d for d in task.depends_on if d.lstrip("^").split("#")[-1].startswith("db:")]
            if not db_deps:
                continue
            name = task.name.split("#", 1)[-1]
            context = (
                RunContext.BUILD
                if name in LIFECYCLE_BUILD_SCRIPTS or "build" in name
                else RunContext.DEPLOY
            )
            link = Link(
                "turbo-task",
                f'{rel} task "{task.name}" dependsOn {", ".join(db_deps)}',
                task.location,
            )
            state = b.start(
                link,
                f"turbo:{rel}:{task.name}",
                "turbo",
                context,
                "platform-build" if context == RunContext.BUILD else "platform-deploy",
            )
            at = _At((link,), task.location, _FS(folder))
            for dep in db_deps:
                b.follow_turbo_task(state, dep.lstrip("^").split("#")[-1], at, set())
            b.finish(state, f"{rel} task {task.name}")


def _developer_pass(b: _Builder) -> None:
    """package.json scripts (lifecycle ones are build path), Makefile targets, shell scripts."""
    ctx = b.ctx
    for pkg in b.packages:
        for entry in pkg.scripts:
            lifecycle = entry.name in LIFECYCLE_BUILD_SCRIPTS
            link = Link(
                "package-script", f'{pkg.path} "{entry.name}": {entry.command}', entry.location
            )
            state = b.start(
                link,
                f"package:{pkg.path}:{entry.name}",
                "lifecycle" if lifecycle else "package",
                RunContext.BUILD if lifecycle else RunContext.DEVELOPER,
                "lifecycle" if lifecycle else "developer",
            )
            parsed = b.shell_text(
                entry.command, pkg.path, entry.location.line, entry.location.column
            )
            b.follow_script(state, parsed, _At((link,), entry.location, _FS(pkg.folder)), ())
            if state.steps or state.installs:
                b.finish(state, f'{pkg.path} script "{entry.name}"')
    for rel in ctx.files(FileKind.MAKEFILE):
        mk = ctx.parse(rel, parse_makefile)
        if mk is None:
            continue
        folder = posixpath.dirname(rel)
        for target in mk.targets:
            link = Link("makefile-target", f"make {target.name}", target.location)
            state = b.start(
                link, f"make:{rel}:{target.name}", "makefile", RunContext.DEVELOPER, "developer"
            )
            for recipe in target.recipes:
                parsed = b.shell_text(recipe.command, rel, recipe.line, recipe.location.column)
                b.follow_script(state, parsed, _At((link,), recipe.location, _FS(folder)), ())
            if state.steps:
                b.finish(state, f"{rel} target {target.name}")
    for rel in ctx.files(FileKind.SHELL):
        shell = b.script(rel)
        if shell is None:
            continue
        link = Link("script", rel, Location(rel, 1))
        state = b.start(link, f"script:{rel}", "script", RunContext.DEVELOPER, "developer")
        folder = posixpath.dirname(rel)
        # every command, also in functions nothing calls and arms no argument selects
        b.follow_script(
            state, shell, _At((link,), Location(rel, 1), _FS(folder)), None, everything=True
        )
        if state.steps:
            b.finish(state, rel)


# ---------------------------------------------------------------------------------------------
# Destructive docker commands (KD111)
# ---------------------------------------------------------------------------------------------


def destructive_docker(argv: tuple[str, ...]) -> str | None:
    """What a docker command removes, or None: `docker compose down -v`, `docker volume rm`,
    `docker volume prune`, `docker system prune --volumes`."""
    argv = effective_argv(argv)
    if not argv:
        return None
    head = argv[0].rsplit("/", 1)[-1]
    rest = list(argv[1:])
    if head in ("sudo", "podman"):
        head = "docker"
    if head == "docker-compose" or (head == "docker" and rest[:1] == ["compose"]):
        if head == "docker":
            rest = rest[1:]
        pos = [w for w in rest if not w.startswith("-")]
        # skip `-f file`, `-p name` values
        skip_next = False
        words: list[str] = []
        for w in rest:
            if skip_next:
                skip_next = False
                continue
            if w in (
                "-f",
                "--file",
                "-p",
                "--project-name",
                "--env-file",
                "--profile",
                "--project-directory",
            ):
                skip_next = True
                continue
            words.append(w)
        pos = [w for w in words if not w.startswith("-")]
        if pos[:1] == ["down"]:
            flags = [w for w in words if w.startswith("-")]
            if any(
                f in ("-v", "--volumes")
                or (f.startswith("-") and not f.startswith("--") and "v" in f[1:])
                for f in flags
            ):
                return "the project's volumes (docker compose down -v)"
        if pos[:1] == ["rm"] and any(w in ("-v", "--volumes") for w in words):
            return "the services' anonymous volumes (docker compose rm -v)"
        return None
    if head != "docker":
        return None
    if rest[:1] == ["volume"] and len(rest) > 1:
        if rest[1] in ("rm", "remove"):
            return "named volumes (docker volume rm)"
        if rest[1] == "prune":
            return "every unused volume (docker volume prune)"
    if rest[:2] == ["system", "prune"] and any(w in ("--volumes",) for w in rest):
        return "every unused volume (docker system prune --volumes)"
    return None


def _docker_pass(b: _Builder) -> tuple[DockerCommand, ...]:
    ctx = b.ctx
    out: list[DockerCommand] = []

    def scan(script: ShellScript, origin: str) -> None:
        for cmd in script.commands:
            what = destructive_docker(cmd.words)
            if what is not None:
                out.append(
                    DockerCommand(what, cmd.location, cmd.text, RunContext.DEVELOPER, origin)
                )

    for rel in ctx.files(FileKind.SHELL):
        shell = b.script(rel)
        if shell is not None and any("docker" in c.text for c in shell.commands):
            scan(shell, rel)
    for rel in ctx.files(FileKind.MAKEFILE):
        mk = ctx.parse(rel, parse_makefile)
        for target in getattr(mk, "targets", ()):
            for recipe in target.recipes:
                if "docker" in recipe.command:
                    scan(
                        b.shell_text(recipe.command, rel, recipe.line, recipe.location.column),
                        f"{rel} target {target.name}",
                    )
    for pkg in b.packages:
        for entry in pkg.scripts:
            if "docker" in entry.command:
                scan(
                    b.shell_text(
                        entry.command, pkg.path, entry.location.line, entry.location.column
                    ),
                    f'{pkg.path} script "{entry.name}"',
                )
    seen: set[tuple[str, int, int]] = set()
    unique: list[DockerCommand] = []
    for d in out:
        key = (d.location.path, d.location.line, d.location.column)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return tuple(unique)


# ---------------------------------------------------------------------------------------------
# The fact
# ---------------------------------------------------------------------------------------------

_CONTEXT_ORDER = {
    RunContext.STARTUP: 0,
    RunContext.DEPLOY: 1,
    RunContext.BUILD: 2,
    RunContext.DEVELOPER: 3,
}


def _all_commands(paths: list[StartupPath]) -> tuple[PrismaStep, ...]:
    """Every Prisma command once per (location, context, root kind); developer steps only where
    no other context reaches the same command."""
    seen: set[tuple[str, int, int, str, str]] = set()
    reached: set[tuple[str, int, int]] = set()
    out: list[PrismaStep] = []
    for p in paths:
        for s in p.commands:
            if s.context != RunContext.DEVELOPER:
                reached.add((s.location.path, s.location.line, s.location.column))
    for p in paths:
        for s in p.commands:
            loc = (s.location.path, s.location.line, s.location.column)
            if s.context == RunContext.DEVELOPER and loc in reached:
                continue
            key = (*loc, s.context, s.root_kind)
            if key in seen:
                continue
            seen.add(key)
            out.append(s)
    out.sort(
        key=lambda s: (
            _CONTEXT_ORDER.get(RunContext(s.context), 9),
            s.location.path,
            s.location.line,
        )
    )
    return tuple(out)


def startup_paths(ctx: Context) -> StartupFacts:
    """Fact: the startup, deploy, build and developer paths and their Prisma commands."""
    b = _Builder(ctx)
    images = _images(ctx)
    built = _compose_pass(b, images)
    _dockerfile_pass(b, images, built)
    _platform_pass(b)
    _run_pass(b, images)
    _developer_pass(b)
    docker = _docker_pass(b)
    return StartupFacts(tuple(b.paths), _all_commands(b.paths), docker, tuple(b.problems))
