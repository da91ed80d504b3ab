"""Which package.json scripts a command runs (npm, pnpm, yarn, bun, run-s/run-p, with lifecycle hooks) and task runners (turbo, nx)."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING

from analysis.parsers.package_manager import MANAGERS, leading_options
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.parsers.package_json.package import PackageJson


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
