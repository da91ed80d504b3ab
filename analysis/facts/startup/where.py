"""Where the walk stands: the file system a process sees, the position in a chain, a path's state,
and the command strings of one file parsed on demand."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import field, replace
from typing import NamedTuple

from analysis.context import normalize
from analysis.facts.images.packages import InstallStep
from analysis.facts.images.records import Image
from analysis.facts.startup.records import (
    EntryScript,
    Link,
    PrismaStep,
    SeedRun,
    WaitStep,
)
from analysis.model import Location
from analysis.parsers.problems import ParseProblem
from analysis.parsers.shell.records import Condition, ShellCommand, ShellScript
from analysis.parsers.shell.scripts import moved_to, parse_shell_text
from analysis.records import dataclass
from analysis.sources import SourceFile


@dataclass(slots=True, frozen=True)
class _FS:
    """Where the running process's paths resolve. In an image: `cwd` is absolute; bind mounts
    (container target -> root-relative host path) come first, then the image's COPYs.
    On the host: `cwd` is a root-relative folder."""

    cwd: str
    image: Image | None = None
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
    def problems(self) -> tuple[ParseProblem, ...]:
        seen: dict[tuple[int, int, str], ParseProblem] = {}
        for script in self._memo.values():
            for p in script.problems:
                seen.setdefault((p.location.line, p.location.column, p.message), p)
        return tuple(seen.values())
