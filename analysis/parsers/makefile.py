"""Makefiles: targets and their recipe commands, each with its line.

Only what the analysis needs: rules (`target: prerequisites`), their recipe lines (tab-indented,
or after `.RECIPEPREFIX`), continuation lines joined, the `@`/`-`/`+` prefixes removed, and
simple variables (`DC := docker compose`, `DC = ...`, `DC ?= ...`) expanded in recipes so that
`$(DC) down -v` reads as `docker compose down -v`. `define` blocks, conditionals and functions
are skipped, not interpreted.
"""

from __future__ import annotations

import re

from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass
from analysis.sources import SourceFile


@dataclass(slots=True, frozen=True)
class Recipe:
    """One recipe command: `command` with variables expanded, `raw` as written."""

    command: str
    raw: str
    location: Location
    end_line: int
    silent: bool = False
    ignore_errors: bool = False

    @property
    def line(self) -> int:
        return self.location.line


@dataclass(slots=True, frozen=True)
class Target:
    name: str
    location: Location
    prerequisites: tuple[str, ...]
    recipes: tuple[Recipe, ...]
    phony: bool = False

    @property
    def line(self) -> int:
        return self.location.line


@dataclass(slots=True, frozen=True)
class Makefile:
    path: str
    targets: tuple[Target, ...]
    variables: tuple[tuple[str, str], ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    def target(self, name: str) -> Target | None:
        for t in self.targets:
            if t.name == name:
                return t
        return None


_ASSIGN = lazy_compile(
    r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(::?=|\?=|\+=|!=|=)\s*(.*)$"
)
_RULE = lazy_compile(r"^([^:=#\t][^:=#]*?)\s*(::?)(?!=)\s*(.*)$")
_VAR_REF = lazy_compile(r"\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]")
_DIRECTIVES = (
    "ifeq",
    "ifneq",
    "ifdef",
    "ifndef",
    "else",
    "endif",
    "include",
    "-include",
    "sinclude",
    "vpath",
    "unexport",
    "export",
)


def _join_continuations(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, last line, text) with backslash-newline continuations joined."""
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(lines):
        start = k
        text = lines[k]
        while text.endswith("\\") and not text.endswith("\\\\") and k + 1 < len(lines):
            k += 1
            nxt = lines[k]
            if nxt.startswith("\t"):
                nxt = nxt[1:]
            text = text[:-1].rstrip() + " " + nxt.lstrip()
        out.append((start + 1, k + 1, text))
        k += 1
    return out


def _expand(text: str, variables: dict[str, str], depth: int = 0) -> str:
    if depth > 5 or "$" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in variables:
            return _expand(variables[name], variables, depth + 1)
        return m.group(0)

    return _VAR_REF.sub(sub, text).replace("$$", "$")


def parse_makefile(source: SourceFile) -> Makefile:
    path = source.path
    lines = source.text.split("\n")
    variables: dict[str, str] = {}
    targets: list[Target] = []
    phony: set[str] = set()
    recipe_prefix = "\t"
    current: list[tuple[str, Location, tuple[str, ...]]] = []
    recipes: list[Recipe] = []
    in_define = False

    def close() -> None:
        nonlocal current, recipes
        for name, loc, prereqs in current:
            targets.append(Target(name, loc, prereqs, tuple(recipes)))
        current = []
        recipes = []

    for first, last, text in _join_continuations(lines):
        stripped = text.strip()
        if in_define:
            if stripped.startswith("endef"):
                in_define = False
            continue
        if text.startswith(recipe_prefix) and current:
            body = text[len(recipe_prefix) :].strip()
            if not body or body.startswith("#"):
                continue
            silent = ignore = False
            while body[:1] in ("@", "-", "+"):
                silent |= body[0] == "@"
                ignore |= body[0] == "-"
                body = body[1:].lstrip()
            col = len(text) - len(text.lstrip()) + 1
            recipes.append(
                Recipe(
                    _expand(body, variables),
                    body,
                    Location(path, first, col, last if last != first else None),
                    last,
                    silent,
                    ignore,
                )
            )
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("define ") or stripped == "define":
            in_define = True
            continue
        m = _ASSIGN.match(stripped)
        if m:
            name, op, value = m.group(1), m.group(2), m.group(3).strip()
            if name == ".RECIPEPREFIX":
                recipe_prefix = value[:1] or "\t"
                continue
            if op == "?=" and name in variables:
                continue
            if op == "+=" and name in variables:
                variables[name] = variables[name] + " " + value
            elif op != "!=":
                variables[name] = value
            continue
        if stripped.split()[0] in _DIRECTIVES:
            continue
        r = _RULE.match(text)
        if r and r.group(1).count("(") > r.group(1).count(")"):
            # the `:` is inside a make function call (`$(eval $(SERVICE):;@:)`), not a rule
            continue
        if r:
            close()
            names = r.group(1).split()
            rest = r.group(3)
            inline = None
            if ";" in rest:
                rest, inline = rest.split(";", 1)
            prereqs = tuple(rest.split("#", 1)[0].split())
            if ".PHONY" in names:
                phony.update(prereqs)
                continue
            for name in names:
                if "%" in name or name.startswith("."):
                    continue
                current.append((name, Location(path, first, 1), prereqs))
            if inline and inline.strip():
                body = inline.strip()
                recipes.append(
                    Recipe(_expand(body, variables), body, Location(path, first, 1), last)
                )
            continue
    close()
    return Makefile(
        path,
        tuple(
            Target(t.name, t.location, t.prerequisites, t.recipes, t.name in phony) for t in targets
        ),
        tuple(variables.items()),
    )
