"""Platform files: the build, release and start commands a hosting platform runs, with lines.

- `vercel.json`: `buildCommand`, `installCommand` (absent `buildCommand`: Vercel runs the
  `vercel-build` script, else `build`; `default_build` says so);
- `turbo.json`: every task with its `dependsOn` (v1 `pipeline` or v2 `tasks`);
- `fly.toml`: `[deploy] release_command`, `[processes]`, `[experimental] cmd`;
- `render.yaml`: every service's `buildCommand`, `preDeployCommand`, `startCommand`;
- `Procfile`: `release:` (deploy) and every process (`web:`, `worker:`: start);
- `railway.json`/`railway.toml`: `build.buildCommand`, `deploy.preDeployCommand`,
  `deploy.startCommand`;
- `nixpacks.toml`: `[phases.*] cmds`, `[start] cmd`;
- `app.json`: `scripts.postdeploy`; `heroku.yml`: `release.command`, `run.*`;
- `wrangler.toml`: `[build] command`.

Each command comes with its role: "build" (runs while the app is built), "deploy" (runs once
per release, before the new version starts) or "start" (runs when the app starts).
TOML has no line numbers in `tomllib`: lines are found in the text by section and key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.package_json.json_lines import JsonDocument, json_with_lines
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.parsers.yaml_import import yaml


@dataclass(slots=True, frozen=True)
class PlatformCommand:
    """A command the platform runs. `key` names the setting (`buildCommand`,
    `[deploy] release_command`, `release:`), `role` is build / deploy / start."""

    platform: str
    key: str
    role: str
    command: str
    location: Location
    service: str = ""

    @property
    def line(self) -> int:
        return self.location.line


@dataclass(slots=True, frozen=True)
class TurboTask:
    name: str
    depends_on: tuple[str, ...]
    location: Location


@dataclass(slots=True, frozen=True)
class PlatformFile:
    path: str
    platform: str
    commands: tuple[PlatformCommand, ...] = ()
    default_build: bool = False
    """vercel.json without `buildCommand`: Vercel runs `vercel-build`, else `build`."""
    tasks: tuple[TurboTask, ...] = ()
    problems: tuple[ParseProblem, ...] = ()


def _problem(path: str, message: str, line: int = 1, column: int = 1) -> ParseProblem:
    return ParseProblem(ProblemKind.SYNTAX, message, Location(path, line, column))


# -- JSON platforms ---------------------------------------------------------------------------


def _json_command(
    doc: JsonDocument, platform: str, role: str, *path: str | int, key: str = ""
) -> PlatformCommand | None:
    value = doc.get(*path)
    if not isinstance(value, str) or not value.strip():
        return None
    loc = doc.location(*path, value=True)
    return PlatformCommand(
        platform,
        key or ".".join(str(p) for p in path),
        role,
        value,
        Location(doc.path, loc.line, loc.column + 1),
    )


def _vercel(source: SourceFile) -> PlatformFile:
    doc = json_with_lines(source.path, source.text)
    if doc.problems or not isinstance(doc.data, dict):
        return PlatformFile(source.path, "vercel", problems=doc.problems)
    cmds = [
        c
        for c in (
            _json_command(doc, "vercel", "build", "installCommand"),
            _json_command(doc, "vercel", "build", "buildCommand"),
        )
        if c is not None
    ]
    default = "buildCommand" not in doc.data
    return PlatformFile(source.path, "vercel", tuple(cmds), default_build=default)


def _turbo(source: SourceFile) -> PlatformFile:
    doc = json_with_lines(source.path, source.text, jsonc=True)
    if doc.problems or not isinstance(doc.data, dict):
        return PlatformFile(source.path, "turbo", problems=doc.problems)
    tasks: list[TurboTask] = []
    for section in ("tasks", "pipeline"):
        block = doc.data.get(section)
        if not isinstance(block, dict):
            continue
        for name, spec in block.items():
            deps: tuple[str, ...] = ()
            if isinstance(spec, dict) and isinstance(spec.get("dependsOn"), list):
                deps = tuple(d for d in spec["dependsOn"] if isinstance(d, str))
            tasks.append(TurboTask(name, deps, doc.location(section, name)))
    return PlatformFile(source.path, "turbo", tasks=tuple(tasks))


def _railway_json(source: SourceFile) -> PlatformFile:
    doc = json_with_lines(source.path, source.text)
    if doc.problems or not isinstance(doc.data, dict):
        return PlatformFile(source.path, "railway", problems=doc.problems)
    cmds = [
        c
        for c in (
            _json_command(doc, "railway", "build", "build", "buildCommand"),
            _json_command(doc, "railway", "deploy", "deploy", "preDeployCommand"),
            _json_command(doc, "railway", "start", "deploy", "startCommand"),
        )
        if c is not None
    ]
    pre = doc.get("deploy", "preDeployCommand")
    if isinstance(pre, list):
        for k, item in enumerate(pre):
            if isinstance(item, str):
                loc = doc.location("deploy", "preDeployCommand", k)
                cmds.append(
                    PlatformCommand(
                        "railway",
                        "deploy.preDeployCommand",
                        "deploy",
                        item,
                        Location(source.path, loc.line, loc.column + 1),
                    )
                )
    return PlatformFile(source.path, "railway", tuple(cmds))


def _app_json(source: SourceFile) -> PlatformFile:
    doc = json_with_lines(source.path, source.text)
    if doc.problems or not isinstance(doc.data, dict):
        return PlatformFile(source.path, "heroku", problems=doc.problems)
    cmds = [
        c
        for c in (_json_command(doc, "heroku", "deploy", "scripts", "postdeploy"),)
        if c is not None
    ]
    return PlatformFile(source.path, "heroku", tuple(cmds))


# -- TOML platforms ---------------------------------------------------------------------------

_SECTION_RE = lazy_compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _toml_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, key) -> line of `key = ...` (dotted keys kept as written)."""
    out: dict[tuple[str, str], int] = {}
    section = ""
    for k, line in enumerate(text.split("\n"), 1):
        m = _SECTION_RE.match(line)
        if m:
            section = m.group(1).replace('"', "").replace(" ", "")
            continue
        km = re.match(r"^\s*([A-Za-z0-9_.\"-]+)\s*=", line)
        if km:
            key = km.group(1).replace('"', "")
            out.setdefault((section, key), k)
            if "." in key:  # `deploy.startCommand = ...` at the top level
                head, _, tail = key.rpartition(".")
                full = f"{section}.{head}" if section else head
                out.setdefault((full, tail), k)
    return out


def _load_toml(
    source: SourceFile, platform: str
) -> tuple[dict[str, Any] | None, PlatformFile | None]:
    import tomllib  # only for TOML platform files

    try:
        return tomllib.loads(source.text), None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        return None, PlatformFile(
            source.path,
            platform,
            problems=(_problem(source.path, f"{source.path} is not valid TOML: {exc}", line, col),),
        )


def _toml_cmd(
    source: SourceFile,
    lines: dict[tuple[str, str], int],
    platform: str,
    role: str,
    section: str,
    key: str,
    value: object,
    service: str = "",
) -> list[PlatformCommand]:
    out: list[PlatformCommand] = []
    line = lines.get((section, key), 1)
    label = f"[{section}] {key}" if section else key
    if isinstance(value, str) and value.strip():
        out.append(
            PlatformCommand(platform, label, role, value, Location(source.path, line), service)
        )
    elif isinstance(value, list):
        text_lines = source.text.split("\n")
        for item in value:
            if not isinstance(item, str):
                continue
            found = line
            needle = json.dumps(item)[1:-1]
            for k in range(line - 1, min(len(text_lines), line + 50)):
                if needle in text_lines[k] or item in text_lines[k]:
                    found = k + 1
                    break
            out.append(
                PlatformCommand(platform, label, role, item, Location(source.path, found), service)
            )
    return out


_TomlLines = dict[tuple[str, str], int]
_TomlPart = Callable[[SourceFile, _TomlLines, dict[str, Any]], list[PlatformCommand]]


def _toml_setting(role: str, section: str, key: str, platform: str) -> _TomlPart:
    """The command at `[section] key`, with `role`."""

    def read(source: SourceFile, lines: _TomlLines, data: dict[str, Any]) -> list[PlatformCommand]:
        table = data.get(section)
        if not isinstance(table, dict):
            return []
        return _toml_cmd(source, lines, platform, role, section, key, table.get(key))

    return read


def _toml_reader(platform: str, *parts: _TomlPart) -> Callable[[SourceFile], PlatformFile]:
    """A reader of one TOML platform file: its commands are what `parts` find, in order."""

    def read(source: SourceFile) -> PlatformFile:
        data, bad = _load_toml(source, platform)
        if data is None:
            assert bad is not None
            return bad
        lines = _toml_lines(source.text)
        cmds = [c for part in parts for c in part(source, lines, data)]
        return PlatformFile(source.path, platform, tuple(cmds))

    return read


def _fly_processes(
    source: SourceFile, lines: _TomlLines, data: dict[str, Any]
) -> list[PlatformCommand]:
    cmds: list[PlatformCommand] = []
    processes = data.get("processes")
    if isinstance(processes, dict):
        for name, cmd in processes.items():
            cmds += _toml_cmd(source, lines, "fly", "start", "processes", name, cmd, name)
    exp = data.get("experimental")
    if isinstance(exp, dict):
        for key in ("cmd", "entrypoint"):
            value = exp.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = " ".join(value)
            cmds += _toml_cmd(source, lines, "fly", "start", "experimental", key, value)
    return cmds


def _nixpacks_phases(
    source: SourceFile, lines: _TomlLines, data: dict[str, Any]
) -> list[PlatformCommand]:
    cmds: list[PlatformCommand] = []
    phases = data.get("phases")
    if isinstance(phases, dict):
        for name, phase in phases.items():
            if isinstance(phase, dict):
                cmds += _toml_cmd(
                    source,
                    lines,
                    "nixpacks",
                    "build",
                    f"phases.{name}",
                    "cmds",
                    phase.get("cmds"),
                    name,
                )
    return cmds


_fly = _toml_reader(
    "fly", _toml_setting("deploy", "deploy", "release_command", "fly"), _fly_processes
)
_railway_toml = _toml_reader(
    "railway",
    _toml_setting("build", "build", "buildCommand", "railway"),
    _toml_setting("deploy", "deploy", "preDeployCommand", "railway"),
    _toml_setting("start", "deploy", "startCommand", "railway"),
)
_nixpacks = _toml_reader(
    "nixpacks", _nixpacks_phases, _toml_setting("start", "start", "cmd", "nixpacks")
)
_wrangler = _toml_reader("wrangler", _toml_setting("build", "build", "command", "wrangler"))


# -- YAML and Procfile ------------------------------------------------------------------------


def _yaml_scalars(
    node: yaml.Node, path: tuple[str | int, ...] = ()
) -> dict[tuple[str | int, ...], tuple[str, int, int]]:
    from analysis.parsers.yaml_import import yaml

    out: dict[tuple[str | int, ...], tuple[str, int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                out.update(_yaml_scalars(v, (*path, str(k.value))))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_yaml_scalars(v, (*path, i)))
    elif isinstance(node, yaml.ScalarNode):
        out[path] = (str(node.value), node.start_mark.line + 1, node.start_mark.column + 1)
    return out


def _render(source: SourceFile) -> PlatformFile:
    from analysis.parsers.yaml_import import yaml

    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        return PlatformFile(
            source.path,
            "render",
            problems=(_problem(source.path, f"{source.path} is not valid YAML: {exc}", line, col),),
        )
    if root is None:
        return PlatformFile(source.path, "render")
    scalars = _yaml_scalars(root)
    cmds: list[PlatformCommand] = []
    roles = {"buildCommand": "build", "preDeployCommand": "deploy", "startCommand": "start"}
    for path, (value, line, col) in sorted(scalars.items(), key=lambda kv: kv[1][1]):
        if len(path) >= 3 and path[0] == "services" and path[-1] in roles and value.strip():
            name = scalars.get((*path[:-1], "name"), ("", 0, 0))[0]
            cmds.append(
                PlatformCommand(
                    "render",
                    str(path[-1]),
                    roles[str(path[-1])],
                    value,
                    Location(source.path, line, col),
                    name,
                )
            )
    return PlatformFile(source.path, "render", tuple(cmds))


def _heroku_yml(source: SourceFile) -> PlatformFile:
    from analysis.parsers.yaml_import import yaml

    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return PlatformFile(
            source.path,
            "heroku",
            problems=(_problem(source.path, f"{source.path} is not valid YAML: {exc}", line),),
        )
    if root is None:
        return PlatformFile(source.path, "heroku")
    scalars = _yaml_scalars(root)
    cmds: list[PlatformCommand] = []
    for path, (value, line, col) in sorted(scalars.items(), key=lambda kv: kv[1][1]):
        if path[:2] == ("release", "command") and value.strip():
            cmds.append(
                PlatformCommand(
                    "heroku", "release.command", "deploy", value, Location(source.path, line, col)
                )
            )
        elif len(path) >= 2 and path[0] == "run" and value.strip():
            cmds.append(
                PlatformCommand(
                    "heroku",
                    f"run.{path[1]}",
                    "start",
                    value,
                    Location(source.path, line, col),
                    str(path[1]),
                )
            )
    return PlatformFile(source.path, "heroku", tuple(cmds))


_PROC_RE = lazy_compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.*)$")


def _procfile(source: SourceFile) -> PlatformFile:
    cmds: list[PlatformCommand] = []
    for k, line in enumerate(source.text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _PROC_RE.match(line)
        if not m or not m.group(2).strip():
            continue
        name = m.group(1)
        role = "deploy" if name == "release" else "start"
        cmds.append(
            PlatformCommand(
                "procfile",
                f"{name}:",
                role,
                m.group(2).strip(),
                Location(source.path, k, m.start(2) + 1),
                name,
            )
        )
    return PlatformFile(source.path, "procfile", tuple(cmds))


_BY_NAME = {
    "vercel.json": _vercel,
    "turbo.json": _turbo,
    "fly.toml": _fly,
    "render.yaml": _render,
    "render.yml": _render,
    "Procfile": _procfile,
    "railway.json": _railway_json,
    "railway.toml": _railway_toml,
    "nixpacks.toml": _nixpacks,
    "app.json": _app_json,
    "heroku.yml": _heroku_yml,
    "wrangler.toml": _wrangler,
}


def parse_platform(source: SourceFile) -> PlatformFile:
    """Read one platform file (by its name); unknown names give an empty record."""
    name = source.path.rsplit("/", 1)[-1]
    reader = _BY_NAME.get(name)
    if reader is None:
        return PlatformFile(source.path, name)
    return reader(source)
