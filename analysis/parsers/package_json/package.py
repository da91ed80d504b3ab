"""The package.json reader: scripts, dependencies, the `prisma` key and workspaces, with their locations."""

from __future__ import annotations

import re
from typing import Any

from analysis.model import Location
from analysis.parsers.package_json.json_lines import json_with_lines
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

# ---------------------------------------------------------------------------------------------
# package.json
# ---------------------------------------------------------------------------------------------

DEPENDENCY_SECTIONS = (
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
)
PRISMA_ADAPTERS_PREFIX = "@prisma/adapter-"


@dataclass(slots=True, frozen=True)
class PackageScript:
    """One `scripts` entry. `line`/`column`: where the command string starts."""

    name: str
    command: str
    location: Location

    @property
    def line(self) -> int:
        return self.location.line


@dataclass(slots=True, frozen=True)
class Dependency:
    name: str
    version: str
    section: str
    location: Location

    @property
    def dev(self) -> bool:
        return self.section == "devDependencies"

    @property
    def major(self) -> int | None:
        return version_major(self.version)


def version_major(spec: str) -> int | None:
    """`6.4.1`, `^6.4.1`, `~6`, `>=6 <7`, `6.x` -> 6; `latest`, `*`, a URL -> None."""
    m = re.match(r"^\s*(?:npm:(?:@?[^@]+)@)?[\^~=v>]*\s*(\d+)", spec)
    if not m:
        return None
    return int(m.group(1))


@dataclass(slots=True, frozen=True)
class PrismaKey:
    """`"prisma": {"schema": ..., "seed": ...}` in package.json (Prisma 4-6)."""

    schema: str | None
    schema_location: Location | None
    seed: str | None
    seed_location: Location | None


@dataclass(slots=True, frozen=True)
class PackageJson:
    path: str
    name: str | None
    scripts: tuple[PackageScript, ...]
    dependencies: tuple[Dependency, ...]
    prisma: PrismaKey | None
    workspaces: tuple[str, ...]
    package_manager: str | None
    problems: tuple[ParseProblem, ...] = ()

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    def script(self, name: str) -> PackageScript | None:
        for s in self.scripts:
            if s.name == name:
                return s
        return None

    def dependency(self, name: str) -> Dependency | None:
        for d in self.dependencies:
            if d.name == name and d.section != "peerDependencies":
                return d
        for d in self.dependencies:
            if d.name == name:
                return d
        return None

    @property
    def prisma_cli(self) -> Dependency | None:
        return self.dependency("prisma")

    @property
    def prisma_client(self) -> Dependency | None:
        return self.dependency("@prisma/client")

    @property
    def adapters(self) -> tuple[Dependency, ...]:
        return tuple(d for d in self.dependencies if d.name.startswith(PRISMA_ADAPTERS_PREFIX))

    @property
    def uses_prisma(self) -> bool:
        return self.prisma_cli is not None or self.prisma_client is not None


def parse_package_json(source: SourceFile) -> PackageJson:
    doc = json_with_lines(source.path, source.text)
    path = source.path
    if not isinstance(doc.data, dict):
        problems = doc.problems
        if doc.data is not None:
            problems = (
                ParseProblem(
                    ProblemKind.INVALID,
                    f"{path}: the top level is not a JSON object",
                    Location(path, 1),
                ),
            )
        return PackageJson(path, None, (), (), None, (), None, problems)
    data: dict[str, Any] = doc.data
    scripts: list[PackageScript] = []
    raw_scripts = data.get("scripts")
    if isinstance(raw_scripts, dict):
        for name, command in raw_scripts.items():
            if isinstance(command, str):
                loc = doc.location("scripts", name, value=True)
                # the command starts after the opening quote of the value
                scripts.append(
                    PackageScript(name, command, Location(path, loc.line, loc.column + 1))
                )
    deps: list[Dependency] = []
    for section in DEPENDENCY_SECTIONS:
        block = data.get(section)
        if isinstance(block, dict):
            for name, version in block.items():
                deps.append(
                    Dependency(
                        name,
                        version if isinstance(version, str) else str(version),
                        section,
                        doc.location(section, name),
                    )
                )
    prisma: PrismaKey | None = None
    raw_prisma = data.get("prisma")
    if isinstance(raw_prisma, dict):
        schema = raw_prisma.get("schema")
        seed = raw_prisma.get("seed")
        prisma = PrismaKey(
            schema if isinstance(schema, str) else None,
            doc.location("prisma", "schema") if isinstance(schema, str) else None,
            seed if isinstance(seed, str) else None,
            doc.location("prisma", "seed", value=True) if isinstance(seed, str) else None,
        )
    workspaces: list[str] = []
    raw_ws = data.get("workspaces")
    if isinstance(raw_ws, dict):
        raw_ws = raw_ws.get("packages")
    if isinstance(raw_ws, list):
        workspaces = [w for w in raw_ws if isinstance(w, str)]
    name = data.get("name") if isinstance(data.get("name"), str) else None
    manager = data.get("packageManager")
    return PackageJson(
        path,
        name,
        tuple(scripts),
        tuple(deps),
        prisma,
        tuple(workspaces),
        manager if isinstance(manager, str) else None,
        doc.problems,
    )
