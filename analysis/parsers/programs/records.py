"""The records of a program file: the commands it runs (exec, spawn, execSync, subprocess) and the calls it imports."""

from __future__ import annotations

from analysis.model import Location
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass

JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
PY_SUFFIXES = (".py",)

_STRING_APIS = frozenset(
    {"execSync", "exec", "execaCommand", "execaCommandSync", "$", "shell", "sh", "system"}
)
_ARRAY_APIS = frozenset(
    {"spawn", "spawnSync", "execFile", "execFileSync", "execa", "execaSync", "execaNode", "fork"}
)


@dataclass(slots=True, frozen=True)
class ProgramCommand:
    """One command a program starts. `argv` when it is an argument array (program first),
    else `command` is a shell string. `api` names the call (`execSync`, `spawn`, `$`...)."""

    api: str
    location: Location
    command: str | None = None
    argv: tuple[str, ...] | None = None

    @property
    def text(self) -> str:
        if self.argv is not None:
            return " ".join(self.argv)
        return self.command or ""

    @property
    def line(self) -> int:
        return self.location.line


@dataclass(slots=True, frozen=True)
class ImportedCall:
    """A call of a function imported from a relative module (`import { run } from
    "./exec"; run("npx prisma migrate deploy")`): the module as written, the name it exports,
    the argument values (a string, an array of strings, None when unknown)."""

    module: str
    name: str
    values: tuple[str | tuple[str, ...] | None, ...]
    location: Location


@dataclass(slots=True, frozen=True)
class ProgramFile:
    path: str
    language: str
    commands: tuple[ProgramCommand, ...]
    problems: tuple[ParseProblem, ...] = ()
    wrappers: tuple[tuple[str, tuple[str, int, int | None, str]], ...] = ()
    """Its functions whose parameter becomes a command (name, wrapper): another file that
    imports one starts the command it is called with."""
    imported_calls: tuple[ImportedCall, ...] = ()

    def wrapper(self, name: str) -> tuple[str, int, int | None, str] | None:
        return next((w for n, w in self.wrappers if n == name), None)
