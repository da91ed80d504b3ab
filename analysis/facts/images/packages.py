"""package.json scripts and dependency names, and the package-manager installs of shell text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise

from analysis.facts.images.commands import _CommandStarts
from analysis.model import Location
from analysis.records import dataclass
from analysis.sources import SourceFile


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
    """A package-manager install: `npm ci`, `pnpm install --prod`, `npm prune --omit=dev`,
    `pnpm deploy` found in shell text (`offset` where it starts), or a global Prisma CLI
    install on a startup path (`npm i -g prisma@5`: kind "global", `version` the one asked
    for, `location` and `context` where the path meets it)."""

    manager: str
    kind: str  # "install", "prune", "deploy", "global"
    dev_omitted: bool
    ignore_scripts: bool
    offset: int
    text: str
    version: str = ""
    location: Location | None = None
    context: str = ""


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
