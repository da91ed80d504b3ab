"""Fact: the images the project builds, and what ends up in them.

For every discovered Dockerfile (built from its own folder) and every Dockerfile a compose
service's `build:` names (its context, `dockerfile` and `target`), `images(ctx)` gives an
`Image`: the build context, the effective .dockerignore, the stages and the stage the build
produces, the `COPY`/`ADD`s of the stages that make the final image, where `prisma` commands run
during the build (directly in a `RUN`, through a `package.json` script a `RUN` calls, or through
an install's lifecycle scripts), how `node_modules` gets into the final image (with or without
devDependencies), whether the migrations and the Prisma schema reach it, and which `.env` files
reach the build context.

`path_in_image(image, rel)` answers whether a file of the build context ends up in the final
image (not excluded by .dockerignore, and brought there by a `COPY`, directly or through a
`COPY --from` of an earlier stage); `image_paths(image, rel)` says where.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field, replace
from fnmatch import fnmatchcase
from functools import lru_cache
from itertools import pairwise
from typing import Any

from analysis.context import Context
from analysis.discover import classify as _classify
from analysis.model import Location, Related
from analysis.parsers.dockerfile.parser import parse_dockerfile
from analysis.parsers.dockerfile.records import Command, Copy, DockerfileFile, Run, Stage, Variable
from analysis.parsers.dockerignore import DockerIgnore, IgnorePattern, go_clean, parse_dockerignore
from analysis.records import dataclass
from analysis.sources import FileKind, SourceFile

EXAMPLE_ENV_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".schema")
_GLOB = re.compile(r"[*?\[]")


# -- records -----------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class BuildUse:
    """A compose service that builds the image."""

    compose_file: str
    service: str
    target: str | None
    location: Location
    env_files: tuple[tuple[str, Location], ...] = ()
    """The service's `env_file:` entries: (path from the project root, where it is named)."""


@dataclass(slots=True, frozen=True)
class CopyStep:
    """A `COPY`/`ADD` of a stage the final image is made from. `origin` is "context", "stage"
    (`--from` an earlier stage, `from_stage` its index), "image" (`--from` another image) or
    "heredoc"."""

    stage: int
    stage_label: str
    copy: Copy
    origin: str
    from_stage: int | None
    location: Location
    in_final_stage: bool

    @property
    def text(self) -> str:
        flag = f" --from={self.copy.from_stage}" if self.copy.from_stage else ""
        return f"{self.copy.keyword}{flag} {' '.join(self.copy.sources)} {self.copy.destination}"


@dataclass(slots=True, frozen=True)
class PrismaCommand:
    """A Prisma CLI command that runs during `docker build`. `command` is normalized across
    Prisma generations ("generate", "migrate deploy", "migrate dev", "db push", ...);
    `location` is the line of the `prisma` command itself (a package.json script line when a
    `RUN` reaches it through a script); `run` the Dockerfile `RUN`; `via` the links between."""

    command: str
    text: str
    flags: tuple[str, ...]
    location: Location
    run: Location
    stage: int
    via: tuple[Related, ...] = ()
    schema_present: bool = True
    implicit: bool = False
    in_final_image: bool = True


@dataclass(slots=True, frozen=True)
class NodeModules:
    """How `node_modules` gets into the final image. `dev_dependencies`: True when
    devDependencies are installed, False when the install omits them, None when unknown or there
    is no node_modules. `prisma_cli`: whether the `prisma` CLI package is in it (None: unknown)."""

    present: bool
    dev_dependencies: bool | None
    how: str
    location: Location | None = None
    prisma_cli: bool | None = None


@dataclass(slots=True, frozen=True)
class MigrationsInImage:
    """A Prisma migrations folder of the build context and whether the final image has it."""

    folder: str
    files: int
    in_image: int
    image_path: str | None
    ignored_by: IgnorePattern | None
    copy: Location | None
    belongs: bool = True
    """The folder belongs to the image's app (its nearest package.json is the one the image
    installs from), not to another project that happens to lie in the build context."""

    @property
    def present(self) -> bool:
        return self.in_image > 0

    @property
    def status(self) -> str:
        if self.files and self.in_image == self.files:
            return "in image"
        if self.in_image:
            return "partly in image"
        if self.ignored_by is not None:
            return "excluded by .dockerignore"
        return "not copied"


@dataclass(slots=True, frozen=True)
class EnvFileInContext:
    """A `.env` file inside the build context. `reincluded_by` is the `!` pattern that brings it
    back after an exclusion; `copied_by` the first COPY that takes it into a stage."""

    path: str
    reaches_context: bool
    excluded_by: IgnorePattern | None
    reincluded_by: IgnorePattern | None
    copied_by: Location | None
    in_final_image: bool
    copied_into: str | None = None
    named_by: str = ""
    """For a file the checkout lacks but the project names: the file that names it (the
    template `.env.example` names `.env`); it would be copied when somebody creates it."""
    named_line: int = 1
    named_as: str = ""
    """How `named_by` names it: "template", "env_file" (a compose `env_file:` of a service
    that builds the image) or "mention" (a script, Dockerfile, compose file or package.json
    spells `.env.local` / `.env.production`)."""

    @property
    def present(self) -> bool:
        return not self.named_by


@dataclass(slots=True, frozen=True)
class Image:
    """One image build: a Dockerfile with a build context (and a target)."""

    dockerfile: str
    context: str
    target: str | None
    uses: tuple[BuildUse, ...]
    file: DockerfileFile | None
    dockerignore_path: str | None
    dockerignore: DockerIgnore | None
    stage: Stage | None
    stages_used: tuple[int, ...] = ()
    copies: tuple[CopyStep, ...] = ()
    prisma: tuple[PrismaCommand, ...] = ()
    node_modules: NodeModules = field(default_factory=lambda: NodeModules(False, None, "none"))
    migrations: tuple[MigrationsInImage, ...] = ()
    schemas: tuple[str, ...] = ()
    schemas_in_image: tuple[str, ...] = ()
    app_schemas: tuple[str, ...] = ()
    env_files: tuple[EnvFileInContext, ...] = ()
    copies_context: bool = False
    context_copy: Location | None = None
    target_missing: bool = False
    startup: tuple[PrismaCommand, ...] = ()
    context_reason: str = ""
    """Why this is the build context: a compose `build:`, a `docker build` of a script or
    workflow, or (inferred) the folder where the Dockerfile's COPY/ADD sources exist."""

    @property
    def context_inferred(self) -> bool:
        """No compose file builds it and its context is not its own folder: keepdata derived
        the context (the repository root where its COPY sources are, or a `docker build` of a
        script or workflow). Good for following what the image runs; not for claiming that
        something is missing from it (KD207, KD208, KD302, KD303 stay quiet)."""
        return self.context_reason.startswith((INFERRED_ROOT, SCRIPTED_BUILD))

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self.file.stages if self.file is not None else ()

    @property
    def final_stage(self) -> Stage | None:
        return self.stage

    @property
    def final_chain(self) -> tuple[int, ...]:
        """The final stage and the stages it is built FROM (their ENV, VOLUME... are its own)."""
        if self.file is None or self.stage is None:
            return ()
        return tuple(s.index for s in self.file.chain(self.stage))

    @property
    def label(self) -> str:
        t = f" (target {self.target})" if self.target else ""
        return f"{self.dockerfile}{t}"

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(u.service for u in self.uses)

    @property
    def entrypoint(self) -> Command | None:
        """The final stage's ENTRYPOINT (inherited from the stage it is built FROM if unset)."""
        return self.stage.effective_entrypoint if self.stage is not None else None

    @property
    def cmd(self) -> Command | None:
        return self.stage.effective_cmd if self.stage is not None else None

    @property
    def env(self) -> tuple[Variable, ...]:
        """The final image's ENV (its own and its FROM-stages')."""
        return self.stage.effective_env if self.stage is not None else ()

    @property
    def volumes(self) -> tuple[str, ...]:
        """Every `VOLUME` path the final image declares (its own and its FROM-stages')."""
        if self.file is None or self.stage is None:
            return ()
        out: list[str] = []
        for st in self.file.chain(self.stage):
            for v in st.volumes:
                out.extend(p for p in v.paths if p not in out)
        return tuple(out)

    @property
    def app_migrations(self) -> tuple[MigrationsInImage, ...]:
        """The migrations folders of the image's own app."""
        return tuple(m for m in self.migrations if m.belongs)

    @property
    def generate_commands(self) -> tuple[PrismaCommand, ...]:
        return tuple(p for p in self.prisma if p.command == "generate")

    def rel_in_context(self, root_rel: str) -> str | None:
        """`root_rel` (root-relative) as a path relative to the build context, or None."""
        if self.context in ("", "."):
            return root_rel
        if root_rel == self.context:
            return "."
        if root_rel.startswith(self.context + "/"):
            return root_rel[len(self.context) + 1 :]
        return None


# -- prisma command recognition -----------------------------------------------------------------
_PRISMA_WORD = re.compile(r"(?<![\w/@.$-])prisma(?:@[\w.^~<>=*+-]+)?(?=[ \t])")
_SEGMENT_END = re.compile(r"&&|\|\||[;|\n()`\"']")
_COMMANDS: dict[tuple[str, ...], str] = {
    ("generate",): "generate",
    ("contract", "emit"): "generate",
    ("migrate", "deploy"): "migrate deploy",
    ("migrate", "dev"): "migrate dev",
    ("migrate", "reset"): "migrate reset",
    ("migrate", "resolve"): "migrate resolve",
    ("migrate", "status"): "migrate status",
    ("migrate", "diff"): "migrate diff",
    ("db", "push"): "db push",
    ("db", "seed"): "db seed",
    ("db", "pull"): "db pull",
    ("db", "execute"): "db execute",
    ("db", "migrate"): "migrate deploy",  # Prisma 8
    ("db", "update"): "db push",  # Prisma 8
    ("migration", "plan"): "migrate dev",  # Prisma 8
}
MIGRATING_COMMANDS = frozenset({"migrate deploy", "migrate dev", "migrate reset", "db push"})
_VALUE_FLAGS = frozenset({"--schema", "--config", "--name", "-n", "--url", "--file"})


@dataclass(slots=True, frozen=True)
class FoundCommand:
    offset: int
    command: str
    flags: tuple[str, ...]
    text: str


_NOT_RUN = re.compile(r"^\s*(?:echo|printf|log|info|warn|:)\b")
_NON_BLANK = re.compile(r"\S")


def find_prisma_commands(text: str, script: bool = False) -> list[FoundCommand]:
    """Prisma CLI commands in shell text (`npx prisma migrate deploy`, `prisma db update`...).
    Words an `echo`/`printf` prints are not commands; with `script`, neither are comments."""
    out: list[FoundCommand] = []
    starts = _CommandStarts(text)
    # one forward pass: the matches come in order, so the line start, the line's first
    # non-blank character and the segment end are each found once, not searched back from
    # every match (a one-line list of n Prisma commands cost n * n)
    scanned = 0  # the text before this offset has been searched for newlines
    comment = False  # the current line starts with `#`
    end_m: re.Match[str] | None = None
    end_from = -1  # `end_m` is the first segment end at or after this offset
    for m in _PRISMA_WORD.finditer(text):
        if script:
            newline = text.rfind("\n", scanned, m.start())
            if newline >= 0 or not scanned:
                line_start = newline + 1
                first = _NON_BLANK.search(text, line_start, m.start())
                comment = first is not None and first.group() == "#"
            scanned = m.start()
            if comment:
                continue
        start = starts.at(m.start())
        if _NOT_RUN.match(text[start : m.start()]):
            continue
        if end_from < 0 or (end_m is not None and end_m.start() < m.end()):
            end_m = _SEGMENT_END.search(text, m.end())
            end_from = m.end()
        end = end_m.start() if end_m else len(text)
        rest = text[m.end() : end].replace("\\\n", " ")
        words = rest.split()
        plain: list[str] = []
        flags: list[str] = []
        skip = False
        for w in words:
            if skip:
                skip = False
                continue
            if w.startswith("-"):
                flags.append(w)
                if w in _VALUE_FLAGS:
                    skip = True
                continue
            plain.append(w)
            if len(plain) == 2:
                break
        command = _COMMANDS.get(tuple(plain[:2])) or _COMMANDS.get(tuple(plain[:1]))
        if command is None:
            continue
        # flags after the command words too
        for w in words:
            if w.startswith("-") and w not in flags:
                flags.append(w)
        out.append(FoundCommand(m.start(), command, tuple(flags), text[start:end].strip()))
    return out


_COMMAND_SEP = re.compile(r"&&|\|\||[;|\n(`]")


def _command_start(text: str, offset: int) -> int:
    """Where the shell command holding `offset` starts (after the previous `&&`, `;`...)."""
    return _CommandStarts(text).at(offset)


class _CommandStarts:
    """`_command_start` for offsets asked in increasing order, in time linear in the text
    (each call of `_command_start` rescans the text before it: a list of n Prisma commands
    cost n * n). One forward scan of the whole text: its matches are those of the text cut
    at an offset, but for a two-character separator the cut splits (`||` leaves `|`)."""

    __slots__ = ("_best", "_last", "_matches", "_next", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._restart()

    def _restart(self) -> None:
        self._matches = _COMMAND_SEP.finditer(self._text)
        self._next = next(self._matches, None)
        self._best = 0
        self._last = 0

    def at(self, offset: int) -> int:
        if offset < self._last:  # asked out of order: scan again from the start
            self._restart()
        self._last = offset
        m = self._next
        while m is not None and m.end() <= offset:
            self._best = m.end()
            m = next(self._matches, None)
        self._next = m
        if m is not None and m.start() < offset and m.group() == "||":
            return offset
        return self._best


# -- package.json scripts (a small reader of our own) ------------------------------------------
@dataclass(slots=True, frozen=True)
class PackageScript:
    name: str
    command: str
    line: int


@dataclass(slots=True, frozen=True)
class PackageInfo:
    path: str
    scripts: tuple[PackageScript, ...] = ()
    dependencies: tuple[str, ...] = ()
    dev_dependencies: tuple[str, ...] = ()

    def script(self, name: str) -> PackageScript | None:
        for s in self.scripts:
            if s.name == name:
                return s
        return None


def read_package_info(source: SourceFile) -> PackageInfo:
    """Scripts (with lines) and dependency names of a package.json, read by the package.json
    parser; empty when it is not JSON (the parser reports that)."""
    from analysis.parsers.package_json.package import parse_package_json

    pkg = parse_package_json(source)

    def names(*sections: str) -> tuple[str, ...]:
        return tuple(d.name for s in sections for d in pkg.dependencies if d.section == s)

    return PackageInfo(
        source.path,
        tuple(PackageScript(s.name, s.command, s.line) for s in pkg.scripts),
        names("dependencies", "optionalDependencies"),
        names("devDependencies"),
    )


# -- install commands --------------------------------------------------------------------------
_PM = re.compile(r"(?<![\w/.-])(?P<pm>npm|pnpm|yarn|bun)(?=\s|$)(?P<args>[^;&|\n]*)")
_RUN_SCRIPT = re.compile(
    r"(?<![\w/.-])(?:npm\s+(?:run|run-script)|pnpm(?:\s+run)?|yarn(?:\s+run)?|bun\s+run)"
    r"\s+(?P<name>[\w:.@/-]+)"
)
_PM_BUILTINS = frozenset(
    {
        "install",
        "i",
        "ci",
        "add",
        "remove",
        "rm",
        "update",
        "up",
        "exec",
        "dlx",
        "create",
        "init",
        "prune",
        "deploy",
        "run",
        "workspaces",
        "workspace",
        "config",
        "cache",
        "set",
        "link",
        "pack",
        "publish",
        "fetch",
        "store",
        "rebuild",
        "audit",
        "list",
        "ls",
        "outdated",
        "why",
        "global",
        "dedupe",
        "import",
        "patch",
        "version",
        "x",
    }
)


@dataclass(slots=True, frozen=True)
class InstallStep:
    manager: str
    kind: str  # "install", "prune", "deploy"
    dev_omitted: bool
    ignore_scripts: bool
    offset: int
    text: str


def find_installs(text: str, env: Mapping[str, str | None]) -> list[InstallStep]:
    out: list[InstallStep] = []
    starts = _CommandStarts(text)
    for m in _PM.finditer(text):
        pm = m["pm"]
        words = m["args"].split()
        plain = [w for w in words if not w.startswith("-")]
        first = plain[0] if plain else ""
        kind: str | None = None
        if pm == "npm" and first in ("ci", "install", "i", "clean-install", "isntall", "add"):
            kind = "install"
        elif pm == "npm" and first == "prune":
            kind = "prune"
        elif pm == "pnpm" and first in ("install", "i", "add"):
            kind = "install"
        elif pm == "pnpm" and first in ("prune", "deploy"):
            kind = first
        elif (pm == "bun" and first in ("install", "i", "add")) or (
            pm == "yarn"
            and (not plain or first in ("install", "add") or plain[:2] == ["workspaces", "focus"])
        ):
            kind = "install"
        if kind is None:
            continue
        flagset = set(words)
        prefix = text[starts.at(m.start()) : m.start()]
        node_env = env.get("NODE_ENV")
        inline_env = re.search(r"\bNODE_ENV=(\S+)", prefix)
        if inline_env:
            node_env = inline_env.group(1).strip("'\"")
        omitted = (
            "--omit=dev" in flagset
            or any(a == "--omit" and b == "dev" for a, b in pairwise(words))
            or "--only=prod" in flagset
            or "--only=production" in flagset
            or "--production" in flagset
            or "--production=true" in flagset
            or "--prod" in flagset
            or (pm == "pnpm" and "-P" in flagset)
            or (pm == "bun" and "-p" in flagset)
        )
        if (
            not omitted
            and pm in ("npm", "pnpm", "yarn")
            and node_env == "production"
            and "--include=dev" not in flagset
            and "--production=false" not in flagset
            and "--prod=false" not in flagset
        ):
            omitted = True
        out.append(
            InstallStep(
                pm,
                kind,
                omitted,
                "--ignore-scripts" in flagset,
                m.start(),
                m.group(0).strip(),
            )
        )
    return out


# -- build discovery ---------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class _Build:
    dockerfile: str
    context: str
    target: str | None
    args: tuple[tuple[str, str], ...] = ()
    """Compose `build.args` with a value: they replace the Dockerfile's ARG defaults."""


def _compose_builds(ctx: Context) -> list[tuple[_Build, BuildUse]]:
    """(build, service) pairs of every compose service that builds an image."""
    from analysis.facts.compose import compose_stacks

    out: list[tuple[_Build, BuildUse]] = []
    for stack in ctx.fact(compose_stacks):
        for svc in stack.services:
            build = svc.build
            if build is None or not build.dockerfile_path or build.context_path is None:
                continue
            target = build.target or None
            args = tuple((a.name, a.value) for a in build.args if a.value is not None)
            loc = build.location
            env_files = tuple((ref.resolved, ref.location) for ref in svc.env_files if ref.resolved)
            out.append(
                (
                    _Build(build.dockerfile_path, build.context_path or ".", target, args),
                    BuildUse(loc.path, svc.name, target, loc, env_files),
                )
            )
    return out


def images(ctx: Context) -> tuple[Image, ...]:
    """Fact: every image build of the project (see the module documentation)."""
    builds: dict[_Build, list[BuildUse]] = {}
    used_files: set[str] = set()
    for build, use in _compose_builds(ctx):
        builds.setdefault(build, []).append(use)
        used_files.add(build.dockerfile)
    reasons: dict[_Build, str] = {b: "a compose `build:`" for b in builds}
    for rel in ctx.files(FileKind.DOCKERFILE):
        if rel in used_files:
            continue
        context, reason = infer_context(ctx, rel)
        build = _Build(rel, context, None)
        builds.setdefault(build, [])
        reasons.setdefault(build, reason)
    out = [
        replace(_make_image(ctx, b, tuple(uses)), context_reason=reasons.get(b, ""))
        for b, uses in builds.items()
    ]
    out.sort(key=lambda i: (i.dockerfile, i.context, i.target or ""))
    return tuple(out)


INFERRED_ROOT = "the repository root"
SCRIPTED_BUILD = "`docker build` in"
_URL_SOURCE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def infer_context(ctx: Context, dockerfile: str) -> tuple[str, str]:
    """The build context of a Dockerfile no compose service builds, and why: the context of a
    `docker build` that builds it in a script or workflow; else its own folder when its
    COPY/ADD sources exist there; else the repository root when more of them exist there."""
    from analysis.facts.published import script_builds

    folder = posixpath.dirname(dockerfile) or "."
    for b in ctx.fact(script_builds):
        if b.dockerfile == dockerfile:
            return b.context, f"{SCRIPTED_BUILD} {b.location.path}:{b.location.line} builds it"
    if folder == "." or not _present(ctx, dockerfile, FileKind.DOCKERFILE):
        return folder, "its folder"
    df = ctx.parse(dockerfile, parse_dockerfile)
    sources: list[str] = []
    for st in df.stages if df is not None else ():
        for c in st.copies:
            if not c.from_context:
                continue
            for src in c.sources:
                clean = posixpath.normpath(src.lstrip("/")) if src else "."
                if clean in (".", "") or "$" in clean or _GLOB.search(clean):
                    continue
                if clean.startswith("..") or _URL_SOURCE.match(src):
                    continue
                if clean not in sources:
                    sources.append(clean)
    sources += [p for p in _started_context_paths(df) if p not in sources]
    if not sources:
        return folder, "its folder"
    own = sum(1 for src in sources if ctx.exists(f"{folder}/{src}"))
    if own == len(sources):
        return folder, "its folder (its COPY/ADD sources are there)"
    at_root = sum(1 for src in sources if ctx.exists(src))
    if at_root > own:
        return ".", (
            f"{INFERRED_ROOT} (inferred: {at_root} of its {len(sources)} COPY/ADD sources "
            f"exist there, {own} in its folder {folder})"
        )
    return folder, "its folder"


_ABS_PATH = re.compile(r"(?<![\w$/.-])/[\w.@+-]+(?:/[\w.@+-]+)+")


def _started_context_paths(df: DockerfileFile | None) -> list[str]:
    """Paths of the build context that the final stage's ENTRYPOINT/CMD names through a
    `COPY . <dir>` (`CMD ["/app/apps/web/entrypoint.sh"]` after `COPY . /app`)."""
    if df is None or df.final_stage is None:
        return []
    stage = df.final_stage
    roots = [
        c.target.rstrip("/") or "/"
        for st in df.chain(stage)
        for c in st.copies
        if c.from_context and any(posixpath.normpath(src) == "." for src in c.sources)
    ]
    if not roots:
        return []
    out: list[str] = []
    for cmd in (stage.effective_entrypoint, stage.effective_cmd):
        if cmd is None:
            continue
        text = " ".join(cmd.exec_form) if cmd.exec_form is not None else cmd.shell
        for m in _ABS_PATH.finditer(text or ""):
            for root in roots:
                prefix = "/" if root == "/" else root + "/"
                if m.group(0).startswith(prefix) and len(m.group(0)) > len(prefix):
                    out.append(m.group(0)[len(prefix) :])
    return out


# -- the resolver: where context files land ----------------------------------------------------
BASE_IMAGE_DIRS = frozenset(
    {"/bin", "/sbin", "/etc", "/opt", "/tmp", "/var", "/home", "/root", "/srv", "/usr"}
    | {"/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin", "/usr/local/sbin", "/usr/share"}
)
"""Folders every Linux base image has (not `scratch`): `COPY start.sh /usr/local/bin` puts the
file inside."""


class _Resolver:
    """Follows COPY/ADD through the stages of one Dockerfile for one build context."""

    def __init__(self, image_file: DockerfileFile, ignore: DockerIgnore | None) -> None:
        self.file = image_file
        self.ignore = ignore
        self._memo: dict[tuple[int, str, int | None], tuple[tuple[str, Copy], ...]] = {}
        self._excluded: dict[str, bool] = {}
        self._dirs: dict[tuple[int, int], frozenset[str]] = {}

    def dirs_before(self, stage_idx: int, line: int, depth: int = 0) -> frozenset[str]:
        """Folders that exist in stage `stage_idx` before `line`: WORKDIRs, the destinations of
        earlier COPY/ADDs into a folder (and their parents), those of the stage it is FROM."""
        key = (stage_idx, line)
        hit = self._dirs.get(key)
        if hit is not None:
            return hit
        stage = self.file.stages[stage_idx]
        out: set[str] = set() if stage.image == "scratch" else set(BASE_IMAGE_DIRS)
        if stage.parent is not None and stage.parent != stage_idx and depth < 32:
            out |= self.dirs_before(stage.parent, 1 << 30, depth + 1)
        paths = [w.effective for w in stage.workdirs if w.line < line]
        paths += [
            c.target
            for c in stage.copies
            if c.line < line and (c.target_is_dir or any(src in (".", "./") for src in c.sources))
        ]
        for path in paths:
            path = posixpath.normpath(path)
            while path not in ("/", "", "."):
                out.add(path)
                path = posixpath.dirname(path)
        self._dirs[key] = result = frozenset(out)
        return result

    def excluded(self, rel: str) -> bool:
        if self.ignore is None:
            return False
        hit = self._excluded.get(rel)
        if hit is None:
            hit = self._excluded[rel] = self.ignore.excluded(rel)
        return hit

    def landings(
        self, stage_idx: int, rel: str, before: int | None = None, depth: int = 0
    ) -> tuple[tuple[str, Copy], ...]:
        """Where the context file `rel` is in stage `stage_idx` (before line `before`): pairs
        of (absolute path, the COPY that put it there)."""
        key = (stage_idx, rel, before)
        if key in self._memo:
            return self._memo[key]
        if depth > 32 or self.excluded(rel):
            self._memo[key] = ()
            return ()
        stage = self.file.stages[stage_idx]
        found: list[tuple[str, Copy]] = []
        if stage.parent is not None and stage.parent != stage_idx:
            found.extend(self.landings(stage.parent, rel, None, depth + 1))
        for copy in stage.copies:
            if before is not None and copy.line >= before:
                break
            if copy.heredocs:
                continue
            if any(_excluded_by_copy(p, rel) for p in copy.excludes):
                continue
            if copy.from_stage is None:
                for src in copy.sources:
                    if "://" in src or src.startswith("git@"):
                        continue
                    dest = _map_source(_context_source(src), rel, copy)
                    if (
                        dest is not None
                        and dest == copy.target
                        and not copy.target_is_dir
                        and dest in self.dirs_before(stage_idx, copy.line)
                    ):  # `COPY file /dir` into a folder that exists: the file lands inside it
                        dest = posixpath.join(dest, posixpath.basename(rel))
                    if dest is not None:
                        found.append((dest, copy))
                continue
            source_stage = self.file.stage_by_ref(copy.from_stage)
            if source_stage is None or source_stage.index == stage_idx:
                continue
            for path, _ in self.landings(source_stage.index, rel, None, depth + 1):
                for src in copy.sources:
                    dest = _map_source(
                        _abs_source(src), path.lstrip("/"), copy, absolute_sources=True
                    )
                    if dest is not None:
                        found.append((dest, copy))
        result = tuple(dict.fromkeys(found))
        self._memo[key] = result
        return result


def _excluded_by_copy(pattern: str, rel: str) -> bool:
    p = go_clean(pattern).lstrip("/")
    return fnmatchcase(rel, p) or fnmatchcase(posixpath.basename(rel), p) or rel.startswith(p + "/")


_CACHED_PATH_CHARS = 512
"""The path functions below remember only paths this short (4,096 each at most): bounded in
bytes."""


def _context_source(src: str) -> str:
    return _context_source_cached(src) if len(src) <= _CACHED_PATH_CHARS else _context_of(src)


def _abs_source(src: str) -> str:
    return _abs_source_cached(src) if len(src) <= _CACHED_PATH_CHARS else _abs_of(src)


@lru_cache(maxsize=4096)
def _context_source_cached(src: str) -> str:
    return _context_of(src)


@lru_cache(maxsize=4096)
def _abs_source_cached(src: str) -> str:
    return _abs_of(src)


def _context_of(src: str) -> str:
    s = go_clean(src.replace("\\", "/"))
    s = s.lstrip("/")
    return s or "."


def _abs_of(src: str) -> str:
    s = go_clean("/" + src.replace("\\", "/").lstrip("/"))
    return s.lstrip("/") or "."


def _map_source(src: str, rel: str, copy: Copy, absolute_sources: bool = False) -> str | None:
    """Where `rel` lands when `copy` copies `src` (both relative to the same root), or None."""
    parts = rel.split("/")
    if _GLOB.search(src):
        pparts = src.split("/")
        k = len(pparts)
        if len(parts) < k or not all(fnmatchcase(parts[i], pparts[i]) for i in range(k)):
            return None
        matched = "/".join(parts[:k])
        rest = parts[k:]
    elif src == ".":
        matched = ""
        rest = parts
    elif rel == src:
        matched = src
        rest = []
    elif rel.startswith(src + "/"):
        matched = src
        rest = rel[len(src) + 1 :].split("/")
    else:
        return None
    target = copy.target
    if copy.parents and matched:
        return posixpath.normpath(posixpath.join(target, matched, *rest))
    if rest:
        return posixpath.normpath(posixpath.join(target, *rest))
    if copy.target_is_dir:
        return posixpath.normpath(posixpath.join(target, posixpath.basename(rel)))
    return target


def _stages_used(df: DockerfileFile, final: Stage) -> tuple[int, ...]:
    """The stages whose files can reach the final image: its FROM chain, and every stage a
    `COPY --from` of those names, recursively."""
    seen: list[int] = []
    todo = [final.index]
    while todo:
        idx = todo.pop()
        if idx in seen:
            continue
        seen.append(idx)
        st = df.stages[idx]
        if st.parent is not None:
            todo.append(st.parent)
        for c in st.copies:
            if c.from_stage is not None:
                src = df.stage_by_ref(c.from_stage)
                if src is not None:
                    todo.append(src.index)
    return tuple(sorted(seen))


def _env_at(df: DockerfileFile, stage: Stage, line: int) -> dict[str, str | None]:
    env: dict[str, str | None] = {}
    if stage.parent is not None:
        for v in df.stages[stage.parent].effective_env:
            env[v.name] = v.expanded
    for v in sorted((*stage.args, *stage.env), key=lambda v: v.line):
        if v.line < line and (v.keyword == "ENV" or v.name not in env or v.expanded is not None):
            env[v.name] = v.expanded
    return env


# -- building an Image -------------------------------------------------------------------------
def _dockerignore_for(
    ctx: Context, dockerfile: str, context: str
) -> tuple[str | None, DockerIgnore | None]:
    own = f"{dockerfile}.dockerignore"
    ctx_ignore = ".dockerignore" if context in ("", ".") else f"{context}/.dockerignore"
    for candidate in (own, ctx_ignore):
        if _present(ctx, candidate, FileKind.DOCKERIGNORE):
            return candidate, ctx.parse(candidate, parse_dockerignore)
    return None, None


def _files_by_kind(ctx: Context) -> dict[FileKind, frozenset[str]]:
    """The discovered files as a set per kind (fast membership tests)."""
    out: dict[FileKind, set[str]] = {}
    for path, kind in ctx.inventory.files:
        out.setdefault(kind, set()).add(path)
    return {k: frozenset(v) for k, v in out.items()}


def _present(ctx: Context, rel: str, kind: FileKind) -> bool:
    """Whether the file exists: discovered as `kind`, else (a name discovery does not know)
    on disk as a regular file."""
    sets = ctx.fact(_files_by_kind)
    if rel in sets.get(kind, ()):
        return True
    if any(rel in files for files in sets.values()):
        return False
    return ctx.exists(rel) and not ctx.is_dir(rel)


def _with_args_cache(ctx: Context) -> dict[tuple[str, tuple[tuple[str, str], ...]], Any]:
    return {}


def _parse_with_args(ctx: Context, rel: str, args: tuple[tuple[str, str], ...]) -> Any:
    """The Dockerfile parsed with compose's `build.args` (memoized for the run)."""
    if not args:
        return ctx.parse(rel, parse_dockerfile)
    cache = ctx.fact(_with_args_cache)
    key = (rel, args)
    if key not in cache:
        source = ctx.source(rel)
        cache[key] = parse_dockerfile(source, dict(args)) if source is not None else None
    return cache[key]


def _make_image(ctx: Context, build: _Build, uses: tuple[BuildUse, ...]) -> Image:
    df = (
        _parse_with_args(ctx, build.dockerfile, build.args)
        if _present(ctx, build.dockerfile, FileKind.DOCKERFILE)
        else None
    )
    ignore_path, ignore = _dockerignore_for(ctx, build.dockerfile, build.context)
    base = Image(
        dockerfile=build.dockerfile,
        context=build.context,
        target=build.target,
        uses=uses,
        file=df,
        dockerignore_path=ignore_path,
        dockerignore=ignore,
        stage=None,
    )
    if df is None or not df.stages:
        return base
    stage = df.stage(build.target)
    target_missing = stage is None
    if stage is None:
        stage = df.final_stage
    assert stage is not None
    return _Analyzer(ctx, base, df, stage, ignore).build(target_missing)


class _Analyzer:
    def __init__(
        self,
        ctx: Context,
        base: Image,
        df: DockerfileFile,
        stage: Stage,
        ignore: DockerIgnore | None,
    ) -> None:
        self.ctx = ctx
        self.base = base
        self.df = df
        self.stage = stage
        self.ignore = ignore
        self.resolver = _Resolver(df, ignore)
        self.used = _stages_used(df, stage)
        self.final_chain = tuple(s.index for s in df.chain(stage))
        self.context_files = self._context_files()
        self._packages: dict[str, PackageInfo | None] = {}
        self._pkg: object = _UNSET
        self._scripts: dict[str, list[str]] | None = None
        self._in_script: dict[str, list[tuple[int, FoundCommand]]] = {}

    # -- inputs
    def rel(self, root_rel: str) -> str | None:
        return self.base.rel_in_context(root_rel)

    def root_rel(self, context_rel: str) -> str:
        c = self.base.context
        return context_rel if c in ("", ".") else posixpath.normpath(f"{c}/{context_rel}")

    def _context_files(self) -> dict[FileKind, tuple[str, ...]]:
        out: dict[FileKind, tuple[str, ...]] = {}
        for kind in (
            FileKind.PRISMA_SCHEMA,
            FileKind.MIGRATION_SQL,
            FileKind.ENV,
            FileKind.PACKAGE_JSON,
        ):
            out[kind] = tuple(p for p in self.ctx.files(kind) if self.rel(p) not in (None, "."))
        return out

    def loc(self, line: int) -> Location:
        return Location(self.df.path, line)

    def package(self, root_rel: str) -> PackageInfo | None:
        if root_rel not in self._packages:
            self._packages[root_rel] = (
                self.ctx.parse(root_rel, read_package_info)
                if _present(self.ctx, root_rel, FileKind.PACKAGE_JSON)
                else None
            )
        return self._packages[root_rel]

    def package_at(self, stage: Stage, line: int, folder: str) -> PackageInfo | None:
        """The package.json that is at `folder/package.json` in `stage` before `line`."""
        want = posixpath.normpath(posixpath.join(folder, "package.json"))
        for root_rel in self.context_files[FileKind.PACKAGE_JSON]:
            rel = self.rel(root_rel)
            if rel is None:
                continue
            for path, _ in self.resolver.landings(stage.index, rel, line):
                if path == want:
                    return self.package(root_rel)
        return None

    def schema_present(self, stage: Stage, line: int | None) -> bool:
        for root_rel in self.context_files[FileKind.PRISMA_SCHEMA]:
            rel = self.rel(root_rel)
            if rel is not None and self.resolver.landings(stage.index, rel, line):
                return True
        return False

    # -- the record
    def build(self, target_missing: bool) -> Image:
        copies = self._copies()
        prisma = tuple(self._prisma_commands())
        context_copy = next(
            (
                c.location
                for c in copies
                if c.origin == "context" and any(_context_source(s) == "." for s in c.copy.sources)
            ),
            None,
        )
        schemas = self.context_files[FileKind.PRISMA_SCHEMA]
        schemas_in_image = tuple(s for s in schemas if self._in_final(s))
        app = self.app_paths(schemas)
        app_schemas = tuple(s for s in schemas if s in app)
        return Image(
            dockerfile=self.base.dockerfile,
            context=self.base.context,
            target=self.base.target,
            uses=self.base.uses,
            file=self.df,
            dockerignore_path=self.base.dockerignore_path,
            dockerignore=self.ignore,
            stage=self.stage,
            stages_used=self.used,
            copies=copies,
            prisma=prisma,
            node_modules=self._node_modules(self.stage, None, 0),
            migrations=self._migrations(),
            schemas=schemas,
            schemas_in_image=schemas_in_image,
            app_schemas=app_schemas,
            env_files=self._env_files(),
            copies_context=context_copy is not None,
            context_copy=context_copy,
            target_missing=target_missing,
            startup=tuple(self._startup()),
        )

    def _in_final(self, root_rel: str) -> bool:
        rel = self.rel(root_rel)
        return rel is not None and bool(self.resolver.landings(self.stage.index, rel))

    def _copies(self) -> tuple[CopyStep, ...]:
        out: list[CopyStep] = []
        for idx in self.used:
            st = self.df.stages[idx]
            for c in st.copies:
                if c.heredocs:
                    origin, from_idx = "heredoc", None
                elif c.from_stage is None:
                    origin, from_idx = "context", None
                else:
                    src = self.df.stage_by_ref(c.from_stage)
                    origin = "stage" if src is not None else "image"
                    from_idx = src.index if src is not None else None
                out.append(
                    CopyStep(
                        idx,
                        st.label,
                        c,
                        origin,
                        from_idx,
                        self.loc(c.line),
                        idx in self.final_chain,
                    )
                )
        return tuple(out)

    # -- prisma during the build
    def _prisma_commands(self) -> Iterator[PrismaCommand]:
        for st in self.df.stages:
            in_final = st.index in self.used
            for run in st.runs:
                yield from self._run_prisma(st, run, in_final)

    def _run_prisma(self, st: Stage, run: Run, in_final: bool) -> Iterator[PrismaCommand]:
        script = run.script
        run_loc = self.loc(run.line)
        present: bool | None = None

        def schema_here() -> bool:
            nonlocal present
            if present is None:
                present = self.schema_present(st, run.line)
            return present

        for found in find_prisma_commands(script):
            yield PrismaCommand(
                found.command,
                found.text,
                found.flags,
                self.loc(run.line_at(found.offset)),
                run_loc,
                st.index,
                (),
                schema_here(),
                False,
                in_final,
            )
        pkg = None
        needs_pkg = _RUN_SCRIPT.search(script) is not None or _PM.search(script) is not None
        if needs_pkg:
            pkg = self.package_at(st, run.line, run.workdir)
        if pkg is None:
            return
        for m in _RUN_SCRIPT.finditer(script):
            name = m["name"]
            if name in _PM_BUILTINS:
                continue
            link = Related(self.loc(run.line_at(m.start())), f"`{m.group(0).strip()}`")
            yield from self._script_prisma(pkg, name, st, run, in_final, (link,), 0, schema_here)
        env = _env_at(self.df, st, run.line)
        for inst in find_installs(script, env):
            if inst.kind != "install" or inst.ignore_scripts:
                continue
            link = Related(self.loc(run.line_at(inst.offset)), f"`{inst.text}`")
            for hook in ("preinstall", "install", "postinstall", "prepare"):
                if pkg.script(hook) is not None:
                    yield from self._script_prisma(
                        pkg, hook, st, run, in_final, (link,), 0, schema_here
                    )
            if "@prisma/client" in pkg.dependencies + pkg.dev_dependencies and schema_here():
                # @prisma/client's own install hook generates the client when it finds a schema
                yield PrismaCommand(
                    "generate",
                    f"{inst.text} (@prisma/client install hook)",
                    (),
                    self.loc(run.line_at(inst.offset)),
                    run_loc,
                    st.index,
                    (),
                    True,
                    True,
                    in_final,
                )

    def _script_prisma(
        self,
        pkg: PackageInfo,
        name: str,
        st: Stage,
        run: Run,
        in_final: bool,
        via: tuple[Related, ...],
        depth: int,
        schema_here: Any,
    ) -> Iterator[PrismaCommand]:
        if depth > 6:
            return
        names = [name]
        for pre in ("pre" + name, "post" + name):
            if pkg.script(pre) is not None and not name.startswith(("pre", "post")):
                names.append(pre)
        for n in names:
            script = pkg.script(n)
            if script is None:
                continue
            here = Location(pkg.path, script.line)
            chain = (*via, Related(here, f'package.json script "{n}": `{script.command}`'))
            for found in find_prisma_commands(script.command):
                yield PrismaCommand(
                    found.command,
                    found.text,
                    found.flags,
                    here,
                    self.loc(run.line),
                    st.index,
                    chain,
                    schema_here(),
                    False,
                    in_final,
                )
            for m in _RUN_SCRIPT.finditer(script.command):
                if m["name"] in _PM_BUILTINS or m["name"] == n:
                    continue
                yield from self._script_prisma(
                    pkg, m["name"], st, run, in_final, chain, depth + 1, schema_here
                )

    # -- what the final stage's ENTRYPOINT/CMD runs (the Dockerfile's share of the startup path)
    def _startup(self) -> Iterator[PrismaCommand]:
        st = self.stage
        for cmd in (st.effective_entrypoint, st.effective_cmd):
            if cmd is not None:
                yield from self.follow(cmd.text, Location(self.df.path, cmd.line), cmd.keyword)

    def follow(self, text: str, start: Location, keyword: str) -> Iterator[PrismaCommand]:
        """The Prisma commands a command line run in the final image reaches: in the text
        itself, in the scripts of the build context it runs, and in the package.json
        scripts it (or those scripts) call."""
        st = self.stage
        if self._pkg is _UNSET:
            self._pkg = self.package_at(st, 10**9, st.workdir)
        pkg = self._pkg if isinstance(self._pkg, PackageInfo) else None
        for found in find_prisma_commands(text):
            yield PrismaCommand(found.command, found.text, found.flags, start, start, st.index)
        for word in re.split(r"[\s;&|]+", text):
            word = word.strip("'\"")
            if not word or not (word.endswith((".sh", ".bash")) or word.startswith("./")):
                continue
            want = posixpath.normpath(posixpath.join(st.workdir, word))
            if self._scripts is None:
                self._scripts = self._scripts_in_image()
            for root_rel in self._scripts.get(want, ()):
                src = self.ctx.source(root_rel)
                if src is None:
                    continue
                link = (Related(start, f"{keyword} runs {word}"),)
                for line, found in self._script_commands(root_rel, src.text):
                    yield PrismaCommand(
                        found.command,
                        found.text,
                        found.flags,
                        Location(root_rel, line),
                        start,
                        st.index,
                        link,
                    )
                if pkg is not None:
                    yield from self._startup_scripts(pkg, src.text, st, start, link)
        if pkg is not None:
            yield from self._startup_scripts(pkg, text, st, start, ())

    def _script_commands(self, root_rel: str, text: str) -> list[tuple[int, FoundCommand]]:
        """The Prisma commands of a script of the build context with their lines, found once
        per script (one script copied to two places is reached twice)."""
        hit = self._in_script.get(root_rel)
        if hit is None:
            hit = []
            line, counted = 1, 0  # offsets come in order: count each newline once
            for found in find_prisma_commands(text, script=True):
                line += text.count("\n", counted, found.offset)
                counted = found.offset
                hit.append((line, found))
            self._in_script[root_rel] = hit
        return hit

    def _scripts_in_image(self) -> dict[str, list[str]]:
        """Shell scripts of the build context by where they are in the final image."""
        out: dict[str, list[str]] = {}
        for root_rel in self.ctx.files(FileKind.SHELL):
            rel = self.rel(root_rel)
            if rel in (None, "."):
                continue
            assert rel is not None
            for path in _image_paths_for(self, rel):
                out.setdefault(path, []).append(root_rel)
        return out

    def _startup_scripts(
        self, pkg: PackageInfo, text: str, st: Stage, start: Location, via: tuple[Related, ...]
    ) -> Iterator[PrismaCommand]:
        names = [m["name"] for m in _RUN_SCRIPT.finditer(text) if m["name"] not in _PM_BUILTINS]
        names += [m.group(1) for m in re.finditer(r"(?<![\w/.-])npm\s+(start|test)\b", text)]
        for name in dict.fromkeys(names):
            for found in self._script_chain(pkg, name, via, 0):
                yield PrismaCommand(
                    found[0].command,
                    found[0].text,
                    found[0].flags,
                    found[1],
                    start,
                    st.index,
                    found[2],
                )

    def _script_chain(
        self, pkg: PackageInfo, name: str, via: tuple[Related, ...], depth: int
    ) -> Iterator[tuple[FoundCommand, Location, tuple[Related, ...]]]:
        if depth > 6:
            return
        names = [name]
        if not name.startswith(("pre", "post")):
            names += [n for n in ("pre" + name, "post" + name) if pkg.script(n) is not None]
        for n in names:
            script = pkg.script(n)
            if script is None:
                continue
            here = Location(pkg.path, script.line)
            chain = (*via, Related(here, f'package.json script "{n}": `{script.command}`'))
            for found in find_prisma_commands(script.command):
                yield found, here, chain
            for m in _RUN_SCRIPT.finditer(script.command):
                if m["name"] not in _PM_BUILTINS and m["name"] != n:
                    yield from self._script_chain(pkg, m["name"], chain, depth + 1)

    # -- node_modules
    def _node_modules(self, stage: Stage, before: int | None, depth: int) -> NodeModules:
        state = NodeModules(False, None, "none")
        if depth > 16:
            return state
        if stage.parent is not None:
            state = self._node_modules(self.df.stages[stage.parent], None, depth + 1)
        events: list[tuple[int, Any]] = [(r.line, r) for r in stage.runs]
        events += [(c.line, c) for c in stage.copies]
        events.sort(key=lambda e: e[0])
        for line, item in events:
            if before is not None and line >= before:
                break
            if isinstance(item, Run):
                env = _env_at(self.df, stage, item.line)
                for inst in find_installs(item.script, env):
                    if inst.kind == "deploy":
                        continue
                    loc = self.loc(item.line_at(inst.offset))
                    if inst.kind == "prune":
                        if inst.dev_omitted and state.present:
                            pkg = self.package_at(stage, item.line, item.workdir)
                            state = NodeModules(True, False, inst.text, loc, _cli(pkg, False))
                        continue
                    pkg = self.package_at(stage, item.line, item.workdir)
                    dev = not inst.dev_omitted
                    state = NodeModules(True, dev, inst.text, loc, _cli(pkg, dev))
            else:
                state = self._copied_node_modules(stage, item, state, depth)
        return state

    def _copied_node_modules(
        self, stage: Stage, copy: Copy, state: NodeModules, depth: int
    ) -> NodeModules:
        loc = self.loc(copy.line)
        if copy.from_stage is not None:
            src_stage = self.df.stage_by_ref(copy.from_stage)
            for src in copy.sources:
                s = "/" + _abs_source(src).lstrip("/")
                direct = s.endswith("/node_modules")
                if not direct and "/node_modules/" in s:
                    # single packages (`/app/node_modules/prisma`): the rest is unknown
                    origin = src_stage.label if src_stage is not None else copy.from_stage
                    cli = True if s.endswith("/node_modules/prisma") else state.prisma_cli
                    return NodeModules(
                        True,
                        state.dev_dependencies,
                        f"{src} copied from {origin}",
                        loc,
                        cli,
                    )
                if src_stage is None:
                    if direct:
                        return NodeModules(True, None, f"copied from image {copy.from_stage}", loc)
                    continue
                if not direct and not _holds_node_modules(src_stage, s):
                    continue
                nm = self._node_modules(src_stage, None, depth + 1)
                if nm.present:
                    what = "node_modules" if direct else f"{src} (with its node_modules)"
                    return NodeModules(
                        True,
                        nm.dev_dependencies,
                        f"{what} copied from {src_stage.label} ({nm.how})",
                        loc,
                        nm.prisma_cli,
                    )
            return state
        # from the build context: the host's node_modules, when it is there and not ignored
        for src in copy.sources:
            s = _context_source(src)
            nm_rel = "node_modules" if s == "." else (s if s.endswith("node_modules") else None)
            if nm_rel is None:
                continue
            if self.ctx.is_dir(self.root_rel(nm_rel)) and not (
                self.ignore is not None and self.ignore.excluded(nm_rel)
            ):
                pkg = self.package(self.root_rel("package.json"))
                return NodeModules(
                    True,
                    True,
                    "the host's node_modules, copied from the build context",
                    loc,
                    _cli(pkg, True),
                )
        return state

    # -- migrations, env files
    def _migrations(self) -> tuple[MigrationsInImage, ...]:
        folders: dict[str, list[str]] = {}
        for root_rel in self.context_files[FileKind.MIGRATION_SQL]:
            folder = posixpath.dirname(posixpath.dirname(root_rel))
            folders.setdefault(folder, []).append(root_rel)
        out: list[MigrationsInImage] = []
        for folder, files in sorted(folders.items()):
            in_image = 0
            image_path: str | None = None
            ignored_by: IgnorePattern | None = None
            copy_loc: Location | None = None
            for root_rel in files:
                rel = self.rel(root_rel)
                if rel is None:
                    continue
                if self.ignore is not None:
                    excluded, pat = self.ignore.decide(rel)
                    if excluded:
                        ignored_by = ignored_by or pat
                        continue
                lands = self.resolver.landings(self.stage.index, rel)
                if lands:
                    in_image += 1
                    if image_path is None:
                        path, copy = lands[0]
                        image_path = posixpath.dirname(posixpath.dirname(path))
                        copy_loc = self.loc(copy.line)
            out.append(
                MigrationsInImage(folder, len(files), in_image, image_path, ignored_by, copy_loc)
            )
        return self._mark_belonging(out)

    def _nearest_package(self, folder: str) -> str | None:
        packages = set(self.context_files[FileKind.PACKAGE_JSON])
        top = self.base.context if self.base.context not in ("", ".") else ""
        cur = folder
        while True:
            candidate = f"{cur}/package.json" if cur else "package.json"
            if candidate in packages:
                return candidate
            if cur in ("", ".", top):
                return None
            cur = posixpath.dirname(cur)

    def app_paths(self, paths: Iterable[str]) -> set[str]:
        """Of `paths` (folders or files), those of the image's own app: whose nearest
        package.json is the one the final stage installs from, else the shallowest."""
        items = list(paths)
        if len(items) < 2:
            return set(items)
        st = self.stage
        if self._pkg is _UNSET:
            self._pkg = self.package_at(st, 10**9, st.workdir)
        app = self._pkg if isinstance(self._pkg, PackageInfo) else None
        nearest = {p: self._nearest_package(posixpath.dirname(p)) for p in items}
        if app is not None and any(n == app.path for n in nearest.values()):
            kept = {p for p, n in nearest.items() if n == app.path}
            # Prisma's default place beside that package.json wins over other schemas below it
            home = posixpath.dirname(app.path)
            prefix = f"{home}/prisma/" if home else "prisma/"
            default = {p for p in kept if p.startswith(prefix)}
            return default or kept
        depth = min(p.count("/") for p in items)
        return {p for p in items if p.count("/") == depth}

    def _mark_belonging(self, found: list[MigrationsInImage]) -> tuple[MigrationsInImage, ...]:
        keep = self.app_paths(m.folder + "/x" for m in found)
        return tuple(m if m.folder + "/x" in keep else replace(m, belongs=False) for m in found)

    def _absent_named(self, present: set[str]) -> list[tuple[str, Location, str]]:
        """Env files the checkout lacks but the project names, with where and how: templates
        (`.env.example` -> `.env`), compose `env_file:` of the services that build this image,
        and `.env.local` / `.env.production` where a file of the project spells them."""
        found: list[tuple[str, Location, str]] = []

        def add(root_rel: str | None, at: Location, how: str) -> None:
            if root_rel is None or root_rel in present or self.rel(root_rel) in (None, "."):
                return
            present.add(root_rel)
            found.append((root_rel, at, how))

        for root_rel in self.context_files[FileKind.ENV]:
            # a template names the file developers create from it (`.env.example` -> `.env`)
            base = posixpath.basename(root_rel)
            for suffix in EXAMPLE_ENV_SUFFIXES:
                if base.lower().endswith(suffix) and base.lower() != suffix:
                    twin = posixpath.join(posixpath.dirname(root_rel), base[: -len(suffix)])
                    if posixpath.basename(twin).startswith(".env"):
                        add(twin, Location(root_rel, 1), "template")
                    break
        for use in self.base.uses:
            for root_rel, at in use.env_files:
                if _classify(root_rel) == FileKind.ENV:
                    add(posixpath.normpath(root_rel), at, "env_file")
        top = self.base.context if self.base.context not in ("", ".") else ""
        for name, at, kind in self.ctx.fact(env_file_mentions):
            # where the mention means: a Dockerfile's paths are in its build context (only this
            # image's own counts), compose and package.json paths beside the file, a script's at
            # the project root (where scripts are usually run from; its own folder is a guess)
            if kind == FileKind.DOCKERFILE:
                folders = [top] if at.path == self.df.path else []
            else:
                folders = [""] if kind == FileKind.SHELL else [posixpath.dirname(at.path)]
            for folder in dict.fromkeys(folders):
                where = posixpath.normpath(posixpath.join(folder, name))
                if not where.startswith("../"):
                    add(where, at, "mention")
        return found

    def _env_files(self) -> tuple[EnvFileInContext, ...]:
        out: list[EnvFileInContext] = []
        present = set(self.context_files[FileKind.ENV])
        named: list[tuple[str, Location | None, str]] = [
            (r, None, "") for r in self.context_files[FileKind.ENV]
        ]
        named += self._absent_named(present)
        for root_rel, named_at, named_as in named:
            name = posixpath.basename(root_rel).lower()
            if name.endswith(EXAMPLE_ENV_SUFFIXES):
                continue
            rel = self.rel(root_rel)
            if rel is None:
                continue
            excluded_by: IgnorePattern | None = None
            reincluded_by: IgnorePattern | None = None
            reaches = True
            if self.ignore is not None:
                excluded, pat = self.ignore.decide(rel)
                if excluded:
                    reaches = False
                    excluded_by = pat
                elif pat is not None and pat.negated:
                    reincluded_by = pat
            copied_by: Location | None = None
            copied_into: str | None = None
            in_final = False
            if reaches:
                for idx in self.used:
                    lands = self.resolver.landings(idx, rel)
                    if lands and (copied_by is None or idx == self.stage.index):
                        copied_by = self.loc(lands[0][1].line)
                        copied_into = self.df.stages[idx].label
                    if lands and idx == self.stage.index:
                        in_final = True
            out.append(
                EnvFileInContext(
                    root_rel,
                    reaches,
                    excluded_by,
                    reincluded_by,
                    copied_by,
                    in_final,
                    copied_into,
                    named_at.path if named_at is not None else "",
                    named_at.line if named_at is not None else 1,
                    named_as,
                )
            )
        return tuple(out)


_MENTIONED_ENV = re.compile(
    r"(?<![\w./$}-])((?:\.{1,2}/|[\w-][\w.-]*/)*\.env\.(?:local|production))(?![\w.-])"
)
"""`.env.local` / `.env.production`, with the relative folder it is written with
(`../../.env.local`, `apps/web/.env.local`), not after a variable (`$DIR/.env.local`)."""


def env_file_mentions(ctx: Context) -> tuple[tuple[str, Location, FileKind], ...]:
    """Fact: where a script, Dockerfile, compose file or package.json of the project spells
    `.env.local` or `.env.production` (the name, and the line that spells it). A convention
    alone names nothing: only these mentions make an absent one worth a finding."""
    out: list[tuple[str, Location, FileKind]] = []
    for kind in (FileKind.SHELL, FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.PACKAGE_JSON):
        for rel in ctx.files(kind):
            out += _mentions_in(ctx, rel, kind)
    # a compose `env_file:` names the file for its own service only (see BuildUse.env_files)
    from analysis.facts.compose import compose_stacks

    env_file_lines = {
        (ref.location.path, ref.location.line)
        for stack in ctx.fact(compose_stacks)
        for svc in stack.services
        for ref in svc.env_files
    }
    return tuple(m for m in out if (m[1].path, m[1].line) not in env_file_lines)


def _mentions_in(ctx: Context, rel: str, kind: FileKind) -> list[tuple[str, Location, FileKind]]:
    out: list[tuple[str, Location, FileKind]] = []
    source = ctx.source(rel)
    if source is not None and ".env." in source.text:
        seen: set[str] = set()
        for number, line in enumerate(source.lines, 1):
            for match in _MENTIONED_ENV.finditer(line):
                # a file that spells the name again (`echo ".env.local found"`) names the same
                # file: its first spelling, with its folder, says which
                if posixpath.basename(match.group(1)) not in seen:
                    seen.add(posixpath.basename(match.group(1)))
                    out.append((match.group(1), Location(rel, number), kind))
    return out


def _cli(pkg: PackageInfo | None, dev_installed: bool | None) -> bool | None:
    """Whether node_modules installed from `pkg` holds the `prisma` CLI package."""
    if pkg is None:
        return None
    if "prisma" in pkg.dependencies:
        return True
    if "prisma" in pkg.dev_dependencies:
        return dev_installed
    return False


def _holds_node_modules(stage: Stage, folder: str) -> bool:
    """Whether `folder` of `stage` holds its node_modules (the install ran in it or below)."""
    folder = folder.rstrip("/") or "/"
    for run in stage.runs:
        if _PM.search(run.script):
            wd = run.workdir
            if folder == "/" or wd == folder or wd.startswith(folder + "/"):
                return True
    return any(
        c.target == folder + "/node_modules" or c.target.startswith(folder + "/node_modules")
        for c in stage.copies
    )


def _image_paths_for(analyzer: _Analyzer, rel: str) -> tuple[str, ...]:
    return tuple(p for p, _ in analyzer.resolver.landings(analyzer.stage.index, rel))


_UNSET = object()


def commands_in_text(
    ctx: Context, image: Image, text: str, start: Location, keyword: str
) -> tuple[PrismaCommand, ...]:
    """The Prisma commands that `text`, run in a container of `image` (a compose `command:` or
    `entrypoint:`), reaches: in the text, the scripts of the image it runs, package.json
    scripts."""
    if image.file is None or image.stage is None:
        return tuple(
            PrismaCommand(f.command, f.text, f.flags, start, start, -1)
            for f in find_prisma_commands(text)
        )
    analyzer = _Analyzer(ctx, image, image.file, image.stage, image.dockerignore)
    return tuple(analyzer.follow(text, start, keyword))


# -- public helpers ----------------------------------------------------------------------------
def image_paths(image: Image, rel: str) -> tuple[str, ...]:
    """Where the build-context file `rel` ends up in the final image (absolute paths)."""
    if image.file is None or image.stage is None:
        return ()
    resolver = _resolver_for(image)
    return tuple(dict.fromkeys(p for p, _ in resolver.landings(image.stage.index, _clean(rel))))


def path_in_image(image: Image, rel_path_in_context: str) -> bool:
    """Whether the build-context file `rel_path_in_context` reaches the final image."""
    return bool(image_paths(image, rel_path_in_context))


def copy_bringing(image: Image, rel: str, respect_ignore: bool = True) -> Copy | None:
    """The COPY/ADD that brings the build-context file `rel` into the final image; with
    `respect_ignore=False`, the one that would if .dockerignore did not exclude it."""
    if image.file is None or image.stage is None:
        return None
    resolver = _resolver_for(image) if respect_ignore else _Resolver(image.file, None)
    lands = resolver.landings(image.stage.index, _clean(rel))
    return lands[0][1] if lands else None


def path_in_stage(image: Image, stage: Stage, rel: str, before_line: int | None = None) -> bool:
    """Whether the build-context file `rel` is in `stage` (before `before_line`)."""
    if image.file is None:
        return False
    return bool(_resolver_for(image).landings(stage.index, _clean(rel), before_line))


_RESOLVERS: dict[int, tuple[Image, _Resolver]] = {}


def folder_exists_before(image: Image, stage: Stage, line: int, path: str) -> bool:
    """Whether `path` is a folder of `stage` before `line` (a WORKDIR, an earlier COPY into a
    folder, a folder every base image has): `COPY file <path>` then puts the file inside."""
    if image.file is None:
        return False
    return posixpath.normpath(path) in _resolver_for(image).dirs_before(stage.index, line)


def _resolver_for(image: Image) -> _Resolver:
    hit = _RESOLVERS.get(id(image))
    if hit is not None and hit[0] is image:
        return hit[1]
    assert image.file is not None
    resolver = _Resolver(image.file, image.dockerignore)
    if len(_RESOLVERS) > 256:
        _RESOLVERS.clear()
    _RESOLVERS[id(image)] = (image, resolver)
    return resolver


def _clean(rel: str) -> str:
    return _context_source(rel)


def copies_unknown_tree(ctx: Context, image: Image) -> bool:
    """A `COPY --from=<stage> <dir> <workdir>` of the final image (the whole app tree) whose
    source folder is not a folder of the build context that stage copied in (a RUN made it:
    `turbo prune --docker` writes out/full): keepdata cannot tell what it holds, so it cannot
    say the migrations are missing."""
    df = image.file
    final = image.stage
    if df is None or final is None:
        return False
    tree = final.workdir.rstrip("/") or "/"
    for step in image.copies:
        if step.origin != "stage" or step.from_stage is None or not step.in_final_stage:
            continue
        if (step.copy.target.rstrip("/") or "/") != tree:
            continue  # `COPY --from=build /app/dist ./dist`: not the whole app tree
        source = df.stages[step.from_stage]
        for src in step.copy.sources:
            path = posixpath.normpath(posixpath.join(source.workdir or "/", src))
            if not _filled_by_copy(ctx, image, df.chain(source), path):
                return True
    return False


def _filled_by_copy(ctx: Context, image: Image, chain: Any, path: str) -> bool:
    for st in chain:
        for c in st.copies:
            target = c.target.rstrip("/") or "/"
            if path == target or target.startswith(path.rstrip("/") + "/"):
                return True
            if not path.startswith(target.rstrip("/") + "/"):
                continue
            if not c.from_context:
                return True  # from another stage: taken as filled
            rest = path[len(target.rstrip("/")) + 1 :]
            for src in c.sources:
                base = posixpath.normpath(src.lstrip("/")) if src.strip("/.") else ""
                rel = posixpath.normpath(posixpath.join(image.context or ".", base, rest))
                if ctx.exists(rel):
                    return True
    return False
