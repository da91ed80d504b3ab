"""The startup fact's records: paths, links, Prisma steps, waits, entry scripts, seeds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field
from enum import StrEnum

from analysis.facts.images.packages import InstallStep
from analysis.model import Finding, Location
from analysis.parsers.prisma_cli import (
    PrismaInvocation,
)
from analysis.parsers.shell.records import Condition, Requirement, ShellCommand, ShellScript
from analysis.records import dataclass
from analysis.secrets import MASK, is_secret_name

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
