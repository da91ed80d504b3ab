"""`package.json`: scripts, dependencies, the `prisma` key and workspaces, with lines.

`parse_package_json(source)` keeps every script with the line and column of its value, every
dependency with its section and line, `"prisma": {"schema": ..., "seed": ...}` and the
workspaces. Invalid JSON becomes a parse problem at the line and column the JSON decoder
names. `json_with_lines(text)` (shared with the platform files) returns the decoded value and
the position of every key path.

`script_calls(words, package)` says which `package.json` scripts a command runs:
`npm run x` / `npm run-script x` / `npm start|test|stop|restart`, `pnpm x` / `pnpm run x`,
`yarn x` / `yarn run x`, `bun run x`, with the `pre`/`post` lifecycle hooks npm, yarn and bun
run around them, and the script names of `run-s`/`run-p`/`npm-run-all`. `concurrently`'s
command strings come back as `commands` for the caller to parse.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from analysis.model import Location
from analysis.parsers.package_manager import MANAGERS, leading_options
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

# ---------------------------------------------------------------------------------------------
# JSON with key positions
# ---------------------------------------------------------------------------------------------

KeyPath = tuple[str | int, ...]


@dataclass(slots=True, frozen=True)
class Position:
    line: int
    column: int
    value_line: int
    value_column: int


def _line_col(starts: list[int], pos: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, pos - starts[lo] + 1


_WS = frozenset(" \t\n\r")
_STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SCALAR_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def _positions(text: str) -> dict[KeyPath, Position]:
    """The position of every key (and of every array item) by path. Assumes valid JSON."""
    starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]
    out: dict[KeyPath, Position] = {}
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in _WS:
            i += 1
        return i

    def value(i: int, path: KeyPath) -> int:
        i = skip(i)
        if i >= n:
            return i
        c = text[i]
        if c == "{":
            i = skip(i + 1)
            if i < n and text[i] == "}":
                return i + 1
            while i < n:
                i = skip(i)
                m = _STRING_RE.match(text, i)
                if not m:
                    return n
                key = json.loads(m.group(0))
                key_pos = i
                i = skip(m.end())
                i = skip(i + 1)  # the colon
                kl, kc = _line_col(starts, key_pos)
                vl, vc = _line_col(starts, i)
                out[(*path, key)] = Position(kl, kc, vl, vc)
                i = skip(value(i, (*path, key)))
                if i < n and text[i] == ",":
                    i += 1
                    continue
                return i + 1
            return i
        if c == "[":
            i = skip(i + 1)
            if i < n and text[i] == "]":
                return i + 1
            k = 0
            while i < n:
                i = skip(i)
                vl, vc = _line_col(starts, i)
                out[(*path, k)] = Position(vl, vc, vl, vc)
                i = skip(value(i, (*path, k)))
                k += 1
                if i < n and text[i] == ",":
                    i += 1
                    continue
                return i + 1
            return i
        if c == '"':
            m = _STRING_RE.match(text, i)
            return m.end() if m else n
        m = _SCALAR_RE.match(text, i)
        return m.end() if m else i + 1

    value(0, ())
    return out


@dataclass(slots=True, frozen=True)
class JsonDocument:
    """A decoded JSON file with the position of every key path (None when it is not JSON)."""

    path: str
    data: Any
    positions: dict[KeyPath, Position]
    problems: tuple[ParseProblem, ...] = ()

    def line(self, *path: str | int) -> int:
        """The line of the key at `path` (the nearest enclosing key's line when absent)."""
        p: KeyPath = tuple(path)
        while p:
            pos = self.positions.get(p)
            if pos is not None:
                return pos.line
            p = p[:-1]
        return 1

    def location(self, *path: str | int, value: bool = False) -> Location:
        p: KeyPath = tuple(path)
        while p:
            pos = self.positions.get(p)
            if pos is not None:
                if value:
                    return Location(self.path, pos.value_line, pos.value_column)
                return Location(self.path, pos.line, pos.column)
            p = p[:-1]
        return Location(self.path, 1)

    def get(self, *path: str | int) -> Any:
        cur = self.data
        for key in path:
            in_list = isinstance(key, int) and isinstance(cur, list) and 0 <= key < len(cur)
            in_dict = isinstance(key, str) and isinstance(cur, dict) and key in cur
            if in_list or in_dict:
                cur = cur[key]
            else:
                return None
        return cur


def _strip_jsonc(text: str) -> str:
    """Blank `//` and `/* */` comments and trailing commas (JSONC), keeping every offset."""
    out = list(text)
    i = 0
    n = len(text)
    last_sig = -1
    while i < n:
        c = text[i]
        if c == '"':
            m = _STRING_RE.match(text, i)
            end = m.end() if m else n
            last_sig = end - 1
            i = end
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        if c in "}]" and last_sig >= 0 and out[last_sig] == ",":
            out[last_sig] = " "
        if c not in _WS:
            last_sig = i
        i += 1
    return "".join(out)


MAX_JSON_DEPTH = 128
"""JSON values nested deeper than this are a parse problem and are left out (the rest of the
document is analyzed): Python's decoder (and the position walk above) recurse once per level,
and no package.json or platform file needs it."""

_JSON_NESTING = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[{]|[\]}]')
_NOT_NEWLINE = re.compile(r"[^\n]")


def shallow_json(text: str) -> tuple[str, int | None]:
    """`text` with every value nested deeper than `MAX_JSON_DEPTH` replaced by `0` (padded
    with spaces, newlines kept, so every other offset, line and column stays the same), and the
    offset of the first such value (None when there is none: then `text` itself comes back).

    Iterative; string contents are skipped; text with few brackets takes the fast path.
    """
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return text, None
    depth = 0
    cut: list[tuple[int, int]] = []
    start = -1
    for m in _JSON_NESTING.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth == MAX_JSON_DEPTH + 1:
                start = m.start()
        elif c == "]" or c == "}":
            if depth == MAX_JSON_DEPTH + 1:
                cut.append((start, m.end()))
            depth -= 1
    if depth > MAX_JSON_DEPTH:  # not closed: to the end
        cut.append((start, len(text)))
    if not cut:
        return text, None
    parts: list[str] = []
    last = 0
    for a, b in cut:
        parts += [text[last:a], "0", _NOT_NEWLINE.sub(" ", text[a + 1 : b])]
        last = b
    parts.append(text[last:])
    return "".join(parts), cut[0][0]


def json_with_lines(path: str, text: str, jsonc: bool = False) -> JsonDocument:
    """Decode `text`; on failure a parse problem with the decoder's line and column.

    Values nested past `MAX_JSON_DEPTH` are left out, with a parse problem at the first.
    """
    body = _strip_jsonc(text) if jsonc else text
    body, deep = shallow_json(body)
    problems: tuple[ParseProblem, ...] = ()
    if deep is not None:
        line = body.count("\n", 0, deep) + 1
        column = deep - (body.rfind("\n", 0, deep) + 1) + 1
        problems = (
            ParseProblem(
                ProblemKind.TOO_DEEP,
                f"{path} is nested more than {MAX_JSON_DEPTH} levels deep (keepdata's limit): "
                "the values below that level are not analyzed",
                Location(path, line, column),
            ),
        )
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        problem = ParseProblem(
            ProblemKind.SYNTAX,
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            Location(path, exc.lineno, exc.colno),
        )
        return JsonDocument(path, None, {}, (*problems, problem))
    except RecursionError:  # pragma: no cover - shallow_json keeps the decoder far from it
        problem = ParseProblem(
            ProblemKind.TOO_DEEP, f"{path} is nested too deeply to read", Location(path, 1)
        )
        return JsonDocument(path, None, {}, (problem,))
    return JsonDocument(path, data, _positions(body), problems)


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


# ---------------------------------------------------------------------------------------------
# Which scripts a command runs
# ---------------------------------------------------------------------------------------------

_NPM_BUILTIN_SCRIPTS = {"start": "start", "test": "test", "t": "test", "tst": "test"}
_NPM_BUILTIN_SCRIPTS.update({"stop": "stop", "restart": "restart"})
_PNPM_COMMANDS = frozenset(
    {
        "add",
        "audit",
        "bin",
        "config",
        "create",
        "deploy",
        "dlx",
        "env",
        "exec",
        "fetch",
        "i",
        "import",
        "init",
        "install",
        "install-test",
        "it",
        "link",
        "list",
        "ls",
        "outdated",
        "pack",
        "patch",
        "prune",
        "publish",
        "rb",
        "rebuild",
        "remove",
        "rm",
        "root",
        "server",
        "setup",
        "store",
        "un",
        "uninstall",
        "unlink",
        "up",
        "update",
        "why",
        "ci",
    }
)
_YARN_COMMANDS = frozenset(
    {
        "add",
        "audit",
        "autoclean",
        "bin",
        "cache",
        "check",
        "config",
        "constraints",
        "create",
        "dlx",
        "exec",
        "generate-lock-entry",
        "global",
        "help",
        "import",
        "info",
        "init",
        "install",
        "licenses",
        "link",
        "list",
        "login",
        "logout",
        "node",
        "npm",
        "outdated",
        "owner",
        "pack",
        "plugin",
        "policies",
        "publish",
        "rebuild",
        "remove",
        "set",
        "tag",
        "team",
        "unlink",
        "unplug",
        "up",
        "upgrade",
        "upgrade-interactive",
        "version",
        "versions",
        "why",
        "workspace",
        "workspaces",
    }
)
_BUN_COMMANDS = frozenset(
    {
        "x",
        "exec",
        "install",
        "i",
        "add",
        "a",
        "remove",
        "rm",
        "update",
        "build",
        "test",
        "init",
        "create",
        "upgrade",
        "pm",
        "link",
        "unlink",
        "publish",
        "outdated",
        "patch",
        "repl",
    }
)
LIFECYCLE_HOOK_MANAGERS = frozenset({"npm", "yarn", "bun", "pnpm"})
"""Managers that run `pre<name>`/`post<name>` around `run <name>` (pnpm 6 to 8 did not by
default: `enable-pre-post-scripts` is true since pnpm 9, pnpm/pnpm#7634)."""
INSTALL_LIFECYCLE = ("preinstall", "install", "postinstall", "prepare")


@dataclass(slots=True, frozen=True)
class ScriptCall:
    """A command that runs `package.json` scripts: `manager` (npm/pnpm/yarn/bun/run-s...),
    the script names it runs in order (with the lifecycle hooks), the folder it runs in
    (`--prefix`, `-C`, `--dir`, `--cwd`; None: the current one), a workspace filter, the
    extra arguments, and for `concurrently` the command strings it starts."""

    manager: str
    scripts: tuple[str, ...]
    folder: str | None = None
    workspace: str | None = None
    args: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    missing_ok: bool = False
    """`npm start` without a `start` script runs `node server.js`; `--if-present`."""


def _take_dir_flags(rest: list[str], names: tuple[str, ...]) -> tuple[list[str], str | None]:
    folder: str | None = None
    out: list[str] = []
    i = 0
    while i < len(rest):
        w = rest[i]
        if w in names and i + 1 < len(rest):
            folder = rest[i + 1]
            i += 2
            continue
        matched = next((n for n in names if w.startswith(n + "=")), None)
        if matched:
            folder = w.split("=", 1)[1]
            i += 1
            continue
        out.append(w)
        i += 1
    return out, folder


def _take_workspace(rest: list[str], names: tuple[str, ...]) -> tuple[list[str], str | None]:
    return _take_dir_flags(rest, names)


def _with_hooks(manager: str, name: str, package: PackageJson | None) -> tuple[str, ...]:
    if manager not in LIFECYCLE_HOOK_MANAGERS or package is None:
        return (name,)
    if manager == "pnpm":
        pinned = re.match(r"pnpm@\^?(\d+)\.", package.package_manager or "")
        if pinned is not None and 6 <= int(pinned.group(1)) < 9:
            return (name,)
    out = []
    if package.script("pre" + name):
        out.append("pre" + name)
    out.append(name)
    if package.script("post" + name):
        out.append("post" + name)
    return tuple(out)


def _forwarded(words: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The arguments a manager appends to the script: as written, without a leading `--`."""
    out = tuple(words)
    return out[1:] if out[:1] == ("--",) else out


def script_calls(words: tuple[str, ...], package: PackageJson | None) -> ScriptCall | None:
    """The scripts of `package` these command words run (see the module docstring)."""
    if not words:
        return None
    head = words[0].rsplit("/", 1)[-1]
    if head in MANAGERS:
        lead = leading_options(head, tuple(words[1:]))
        rest = list(lead.rest)
        lead_folder, lead_ws = lead.folder, lead.workspace
    else:
        rest = list(words[1:])
        lead_folder = lead_ws = None
    if head == "npm":
        cut = rest.index("--") if "--" in rest else len(rest)
        after = tuple(rest[cut + 1 :])
        rest, folder = _take_dir_flags(rest[:cut], ("--prefix", "-C"))
        rest, ws = _take_workspace(rest, ("-w", "--workspace"))
        folder, ws = folder or lead_folder, ws or lead_ws
        flags = [w for w in rest if w.startswith("-")]
        pos = [w for w in rest if not w.startswith("-")]
        if not pos:
            return None
        if pos[0] in ("run", "run-script", "rum", "urn") and len(pos) > 1:
            name = pos[1]
            args = (*pos[2:], *after)
        elif pos[0] in _NPM_BUILTIN_SCRIPTS:
            name = _NPM_BUILTIN_SCRIPTS[pos[0]]
            args = (*pos[1:], *after)
        elif pos[0] in ("ci", "install", "i", "isntall", "add") and len(pos) == 1:
            if "--ignore-scripts" in flags:
                return None
            return ScriptCall("npm install", INSTALL_LIFECYCLE, folder, ws, (), (), missing_ok=True)
        else:
            return None
        missing_ok = "--if-present" in flags or name in ("start", "restart", "stop")
        return ScriptCall(
            "npm", _with_hooks("npm", name, package), folder, ws, args, (), missing_ok
        )
    if head == "pnpm":
        folder, ws = lead_folder, lead_ws
        flags = [w for w in rest if w.startswith("-")]
        pos = [w for w in rest if not w.startswith("-")]
        if not pos:
            return None
        sub = rest.index(pos[0])
        if pos[0] in ("install", "i", "add") and len(pos) == 1:
            if "--ignore-scripts" in flags:
                return None
            return ScriptCall("pnpm install", INSTALL_LIFECYCLE, folder, ws, (), (), True)
        if pos[0] in ("run", "run-script") and len(pos) > 1:
            name = pos[1]
            args = _forwarded(rest[rest.index(name, sub + 1) + 1 :])
        elif pos[0] in ("start", "test", "t"):
            name = "test" if pos[0] == "t" else pos[0]
            args = _forwarded(rest[sub + 1 :])
        elif pos[0] in _PNPM_COMMANDS:
            return None
        else:
            name = pos[0]
            args = _forwarded(rest[sub + 1 :])
            if ws is None and package is not None and package.script(name) is None:
                return None  # `pnpm prisma ...` runs the bin, not a script (with --filter: the
                # script of the filtered package, not of the one in the working directory)
        return ScriptCall(
            "pnpm",
            _with_hooks("pnpm", name, package),
            folder,
            ws,
            args,
            (),
            "--if-present" in flags,
        )
    if head == "yarn":
        folder = lead_folder
        yarn_ws: str | None = lead_ws
        if rest[:1] == ["workspace"] and len(rest) > 2:
            yarn_ws = rest[1]
            rest = rest[2:]
        pos = [w for w in rest if not w.startswith("-")]
        if not pos:
            if not rest:
                return ScriptCall("yarn install", INSTALL_LIFECYCLE, folder, yarn_ws, (), (), True)
            return None
        sub = rest.index(pos[0])
        if pos[0] == "install" and len(pos) == 1:
            return ScriptCall("yarn install", INSTALL_LIFECYCLE, folder, yarn_ws, (), (), True)
        if pos[0] == "run" and len(pos) > 1:
            name = pos[1]
            args = _forwarded(rest[rest.index(name, sub + 1) + 1 :])
        elif pos[0] in _YARN_COMMANDS:
            return None
        else:
            name = pos[0]
            args = _forwarded(rest[sub + 1 :])
            if package is not None and yarn_ws is None and package.script(name) is None:
                return None
        return ScriptCall("yarn", _with_hooks("yarn", name, package), folder, yarn_ws, args)
    if head == "bun":
        folder = lead_folder
        pos = [w for w in rest if not w.startswith("-")]
        if not pos:
            return None
        sub = rest.index(pos[0])
        if pos[0] in ("install", "i") and len(pos) == 1:
            return ScriptCall("bun install", INSTALL_LIFECYCLE, folder, lead_ws, (), (), True)
        if pos[0] == "run" and len(pos) > 1:
            name = pos[1]
            args = _forwarded(rest[rest.index(name, sub + 1) + 1 :])
        elif pos[0] in _BUN_COMMANDS:
            return None
        else:
            name = pos[0]  # `bun migrate:deploy` runs the script of that name
            args = _forwarded(rest[sub + 1 :])
            if package is None:
                return None
        if package is not None and lead_ws is None and package.script(name) is None:
            return None  # `bun run file.ts` / a bin
        return ScriptCall("bun", _with_hooks("bun", name, package), folder, lead_ws, args)
    if head in ("run-s", "run-p", "npm-run-all", "npm-run-all2"):
        names: list[str] = []
        commands: list[str] = []
        for w in rest:
            if w.startswith("-"):
                continue
            names.extend(_expand_pattern(w, package))
        return ScriptCall(head, tuple(names), None, None, (), tuple(commands))
    if head == "concurrently":
        names = []
        commands = []
        i = 0
        while i < len(rest):
            w = rest[i]
            if w.startswith("-"):
                if w in ("-n", "--names", "-c", "--prefix-colors", "-p", "--prefix", "-k"):
                    i += 1 if w == "-k" else 2
                    continue
                i += 1
                continue
            if w.startswith("npm:") or w.startswith("pnpm:") or w.startswith("yarn:"):
                names.extend(_expand_pattern(w.split(":", 1)[1], package))
            else:
                commands.append(w)
            i += 1
        return ScriptCall("concurrently", tuple(names), None, None, (), tuple(commands))
    return None


def _expand_pattern(pattern: str, package: PackageJson | None) -> list[str]:
    """`db:*` -> every script it matches (npm-run-all's glob: `*` stops at `:`)."""
    if not any(ch in pattern for ch in "*?[") or package is None:
        return [pattern]
    regex = re.compile(
        "^"
        + "".join(
            "[^:]*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern
        ).replace("[^:]*[^:]*", ".*")
        + "$"
    )
    hits = [s.name for s in package.scripts if regex.match(s.name)]
    return hits or [pattern]


def matches_workspace(package: PackageJson, pattern: str) -> bool:
    """Does `pattern` (a `--filter`/`-w` value) name this package (by name or folder)?"""
    if package.name and fnmatch.fnmatch(package.name, pattern):
        return True
    folder = package.folder
    pat = pattern.lstrip("./").rstrip("/")
    return bool(folder) and (folder == pat or folder.endswith("/" + pat))


@dataclass(slots=True, frozen=True)
class TaskRun:
    """What a task runner (`turbo`, `nx`) runs: the task names (package scripts of the same
    name), the packages they are limited to (`--filter`, `-p`, `nx run web:build`; none: every
    package that has the script) and the arguments forwarded after `--`."""

    tasks: tuple[str, ...]
    filters: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    tool: str = "turbo"


_TURBO_VALUE_FLAGS = frozenset(
    {
        "--filter",
        "-F",
        "--concurrency",
        "--cache-dir",
        "--output-logs",
        "--env-mode",
        "--log-order",
        "--log-prefix",
        "--graph",
        "--profile",
        "--cache",
        "--team",
        "--token",
        "--api",
        "--scope",
        "--ignore",
        "--global-deps",
        "--summarize",
    }
)
_NX_VALUE_FLAGS = frozenset(
    {"-t", "--target", "--targets", "-p", "--projects", "-c", "--configuration", "--exclude"}
)
_NX_COMMANDS = frozenset(
    {
        "affected",
        "graph",
        "format",
        "format:write",
        "format:check",
        "migrate",
        "help",
        "report",
        "list",
        "reset",
        "init",
        "generate",
        "g",
        "workspace-generator",
        "daemon",
        "show",
        "watch",
        "release",
        "exec",
        "sync",
    }
)


def _flag_values(
    words: list[str], value_flags: frozenset[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Positional words and the values of `value_flags` (`--x v`, `--x=v`), up to `--`."""
    pos: list[str] = []
    values: dict[str, list[str]] = {}
    i = 0
    while i < len(words):
        w = words[i]
        if w == "--":
            break
        name, eq, value = w.partition("=")
        if name in value_flags:
            if not eq:
                value = words[i + 1] if i + 1 < len(words) else ""
                i += 1
            values.setdefault(name, []).append(value)
        elif not w.startswith("-"):
            pos.append(w)
        i += 1
    return pos, values


def task_runner_call(words: tuple[str, ...]) -> TaskRun | None:
    """`turbo run build --filter=web -- --x`, `turbo db:migrate`, `nx run web:build`,
    `nx run-many -t build,test -p web`, `nx build web` (also behind npx/pnpm/yarn/bunx)."""
    argv = list(words)
    k = next((i for i, w in enumerate(argv) if w.rsplit("/", 1)[-1] in ("turbo", "nx")), None)
    if k is None:
        return None
    tool = argv[k].rsplit("/", 1)[-1]
    rest = argv[k + 1 :]
    args = _forwarded(rest[rest.index("--") :]) if "--" in rest else ()
    if tool == "turbo":
        pos, values = _flag_values(rest, _TURBO_VALUE_FLAGS)
        if pos[:1] == ["run"]:
            pos = pos[1:]
        filters = tuple(
            values.get("--filter", []) + values.get("-F", []) + values.get("--scope", [])
        )
        # `web...`, `...web`, `{apps/web}...`, `./apps/web`: the package itself (its
        # dependencies' tasks come from turbo.json's dependsOn)
        filters = tuple(
            f.removesuffix("...").removeprefix("...").removeprefix("^").strip("{}") for f in filters
        )
        return TaskRun(tuple(pos), tuple(f for f in filters if f), args)
    pos, values = _flag_values(rest, _NX_VALUE_FLAGS)
    if not pos:
        return None
    projects = [
        p for v in values.get("-p", []) + values.get("--projects", []) for p in v.split(",") if p
    ]
    if pos[0] == "run" and len(pos) > 1:
        project, _, target = pos[1].partition(":")
        # `web:migrate:deploy`: the target `migrate:deploy`, else `migrate` in configuration
        # `deploy` (the follower tries the shorter name when no package has the longer one)
        return TaskRun((target,), (project,), args, "nx") if target else None
    if pos[0] in ("run-many", "affected"):
        targets = [
            t
            for v in values.get("-t", []) + values.get("--target", []) + values.get("--targets", [])
            for t in v.split(",")
            if t
        ]
        return TaskRun(tuple(targets), tuple(projects), args, "nx") if targets else None
    if pos[0] in _NX_COMMANDS:
        return None
    # `nx build web` / `nx web:build`
    if ":" in pos[0] and len(pos) == 1:
        project, _, target = pos[0].partition(":")
        return TaskRun((target,), (project,), args, "nx")
    return TaskRun((pos[0],), tuple(pos[1:2]) or tuple(projects), args, "nx")
