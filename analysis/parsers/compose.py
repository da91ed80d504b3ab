"""Parse one Docker Compose file into position-aware records.

Two layers:

1. A YAML tree (`YMap`, `YSeq`, `YScalar`) where every node keeps its `Location` (file, line,
   column). It is built from PyYAML's node graph (`yaml.compose_all`, libyaml when present),
   so it is exact about positions, and it is safe on hostile input: duplicate keys are reported
   (a parse problem: Compose rejects the file) and the last value is kept; YAML merge keys (`<<`) are
   applied; aliases share the node they point at instead of being copied, and a document whose
   aliases would expand past `MAX_EXPANDED_NODES` (a "billion laughs" bomb) is refused with a
   parse problem; a recursive alias is refused too.
2. Typed records (`Service`, `Mount`, `Port`, `EnvVar`, `Command`, `Build`, ...) built from a
   tree by `build_service`/`build_compose`. The compose facts reuse the same builders on the
   merged and interpolated tree of a whole stack (`analysis.facts.compose`).

`merge_trees` implements the Compose merge rules (mappings merged key by key, `command`,
`entrypoint`, `healthcheck.test` replaced, `volumes` unique by target, `ports` unique,
`environment`/`labels`/`build.args`/`depends_on` merged by key, `!reset` and `!override`).
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable, Iterator
from dataclasses import field, replace
from enum import StrEnum
from typing import Any

import yaml

from analysis.model import Location
from analysis.parsers.interpolate import interpolate
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

MAX_EXPANDED_NODES = 250_000
"""A document whose tree, with every alias expanded, has more nodes than this is refused."""
MAX_PROBLEMS = 50

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "str",
    "tag:yaml.org,2002:merge": "merge",
    "tag:yaml.org,2002:value": "str",
    "tag:yaml.org,2002:binary": "str",
    "tag:yaml.org,2002:map": "map",
    "tag:yaml.org,2002:seq": "seq",
    "tag:yaml.org,2002:omap": "seq",
    "tag:yaml.org,2002:pairs": "seq",
    "tag:yaml.org,2002:set": "map",
}


# -- the YAML tree ------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class YScalar:
    """A scalar: `text` is its value as a string (after interpolation, in a stack's tree), `raw`
    the text as written, `tag` one of str/int/float/bool/null or a custom tag (`!reset`)."""

    text: str
    location: Location
    tag: str = "str"
    raw: str = ""

    @property
    def is_null(self) -> bool:
        return self.tag == "null"

    @property
    def value(self) -> str | None:
        return None if self.tag == "null" else self.text


@dataclass(slots=True, frozen=True)
class YSeq:
    items: tuple[YNode, ...]
    location: Location
    tag: str = "seq"


_INDEX_FROM = 16
"""Mappings with more entries than this are looked up through a dict built on first use (a
compose file of 20,000 services made every lookup, and so the analysis, quadratic)."""


@dataclass(slots=True, frozen=True)
class YMap:
    entries: tuple[tuple[YScalar, YNode], ...]
    location: Location
    tag: str = "map"
    _index: dict[str, tuple[YScalar, YNode]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _entry(self, key: object) -> tuple[YScalar, YNode] | None:
        entries = self.entries
        if len(entries) <= _INDEX_FROM:
            for entry in entries:
                if entry[0].text == key:
                    return entry
            return None
        index = self._index
        if index is None:
            index = {}
            for entry in entries:
                index.setdefault(entry[0].text, entry)  # the first of duplicate keys wins
            object.__setattr__(self, "_index", index)
        return index.get(key) if isinstance(key, str) else None

    def get(self, key: str) -> YNode | None:
        entry = self._entry(key)
        return entry[1] if entry is not None else None

    def key(self, key: str) -> YScalar | None:
        entry = self._entry(key)
        return entry[0] if entry is not None else None

    def keys(self) -> tuple[str, ...]:
        return tuple(k.text for k, _ in self.entries)

    def __contains__(self, key: object) -> bool:
        return self._entry(key) is not None


YNode = YScalar | YSeq | YMap


def scalar_text(node: YNode | None) -> str | None:
    """The text of a non-null scalar, else None."""
    if isinstance(node, YScalar) and node.tag != "null":
        return node.text
    return None


def node_bool(node: YNode | None) -> bool | None:
    text = scalar_text(node)
    if text is None:
        return None
    low = text.strip().lower()
    if low in ("true", "yes", "on", "1"):
        return True
    if low in ("false", "no", "off", "0", ""):
        return False
    return None


def node_int(node: YNode | None) -> int | None:
    text = scalar_text(node)
    if text is None:
        return None
    try:
        return int(text.strip().replace("_", ""))
    except ValueError:
        return None


class _Refused(Exception):
    """The document is not turned into a tree (alias bomb, recursion)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _TreeBuilder:
    """PyYAML node graph -> YNode tree. Aliased nodes are converted once and shared."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ParseProblem] = []
        self._done: dict[int, YNode] = {}
        self._size: dict[int, int] = {}
        self._active: set[int] = set()

    def problem(
        self, message: str, line: int, column: int = 1, kind: ProblemKind = ProblemKind.SYNTAX
    ) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ParseProblem(kind, message, Location(self.path, line, column)))

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        end = node.end_mark
        end_line = end.line + 1 if end is not None else None
        if end is not None and end.column == 0 and end.line > mark.line:
            end_line = end.line
        return Location(self.path, mark.line + 1, mark.column + 1, end_line)

    def size(self, node: yaml.Node) -> int:
        """Node count of the expanded tree (memoized on the shared graph; O(graph))."""
        key = id(node)
        cached = self._size.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            mark = node.start_mark
            raise _Refused(
                "a YAML alias refers to a node that contains it (a recursive alias); "
                "Compose cannot read this file",
                mark.line + 1,
                mark.column + 1,
            )
        self._active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += self.size(item)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += self.size(k) + self.size(v)
        self._active.discard(key)
        if total > MAX_EXPANDED_NODES:
            mark = node.start_mark
            raise _Refused(
                f"YAML aliases expand this document to more than {MAX_EXPANDED_NODES:,} nodes "
                "(an alias bomb?); not read",
                mark.line + 1,
                mark.column + 1,
            )
        self._size[key] = total
        return total

    def convert(self, node: yaml.Node) -> YNode:
        key = id(node)
        done = self._done.get(key)
        if done is not None:
            return done
        tag = _TAGS.get(node.tag, node.tag)
        out: YNode
        if isinstance(node, yaml.ScalarNode):
            text = str(node.value)
            out = YScalar(text, self.loc(node), "str" if tag in ("map", "seq") else tag, text)
        elif isinstance(node, yaml.SequenceNode):
            out = YSeq(tuple(self.convert(i) for i in node.value), self.loc(node), tag)
        else:
            assert isinstance(node, yaml.MappingNode)
            out = self.mapping(node, tag)
        self._done[key] = out
        return out

    def mapping(self, node: yaml.MappingNode, tag: str) -> YMap:
        merged: dict[str, tuple[YScalar, YNode]] = {}
        explicit: dict[str, tuple[YScalar, YNode]] = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                mark = k_node.start_mark
                self.problem(
                    "a mapping key is itself a list or mapping; Compose cannot read it",
                    mark.line + 1,
                    mark.column + 1,
                )
                continue
            if _TAGS.get(k_node.tag) == "merge":
                self.merge_into(merged, v_node)
                continue
            k = self.convert(k_node)
            assert isinstance(k, YScalar)
            v = self.convert(v_node)
            prev = explicit.get(k.text)
            if prev is not None:
                self.problem(
                    f"duplicate key {k.text!r} in a mapping (first at line {prev[0].location.line});"
                    " Compose rejects the file; keepdata uses the last value",
                    k.location.line,
                    k.location.column,
                    ProblemKind.DUPLICATE,
                )
                del explicit[k.text]
            explicit[k.text] = (k, v)
        if merged:
            for name, entry in explicit.items():
                merged.pop(name, None)
                merged[name] = entry
            entries = tuple(merged.values())
        else:
            entries = tuple(explicit.values())
        return YMap(entries, self.loc(node), tag)

    def merge_into(self, merged: dict[str, tuple[YScalar, YNode]], value: yaml.Node) -> None:
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        # Earlier mappings in a `<<: [*a, *b]` list win over later ones.
        for src in reversed(sources):
            conv = self.convert(src)
            if not isinstance(conv, YMap):
                self.problem(
                    "a YAML merge key (`<<`) must name a mapping",
                    src.start_mark.line + 1,
                    src.start_mark.column + 1,
                )
                continue
            for k, v in conv.entries:
                merged.pop(k.text, None)
                merged[k.text] = (k, v)


def load_yaml(text: str, path: str) -> tuple[YNode | None, tuple[ParseProblem, ...]]:
    """The first document of `text` as a YNode tree (several documents: merged in order as
    Compose does), with its parse problems. Never raises."""
    builder = _TreeBuilder(path)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        builder.problem(f"invalid YAML: {what} (line {line}, column {column})", line, column)
        return None, tuple(builder.problems)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        builder.problem(f"invalid YAML: {exc}", 1)
        return None, tuple(builder.problems)
    trees: list[YNode] = []
    try:
        for node in nodes:
            if node is None:
                continue
            builder.size(node)
            trees.append(builder.convert(node))
    except _Refused as exc:
        builder.problem(exc.message, exc.line, exc.column, ProblemKind.LIMIT)
        return None, tuple(builder.problems)
    except RecursionError:
        builder.problem("the YAML nests too deeply to be read", 1, 1, ProblemKind.TOO_DEEP)
        return None, tuple(builder.problems)
    if not trees:
        return None, tuple(builder.problems)
    tree = trees[0]
    for other in trees[1:]:
        if isinstance(tree, YMap) and isinstance(other, YMap):
            tree = merge_trees(tree, other)
    return tree, tuple(builder.problems)


# -- typed records ------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class Text:
    """A string value with the place that set it. `raw` is the text as written (before
    interpolation); `value` what Compose uses."""

    value: str
    location: Location
    raw: str = ""

    @property
    def interpolated(self) -> bool:
        return "$" in self.raw


def _text(node: YNode | None) -> Text | None:
    if isinstance(node, YScalar) and not node.is_null:
        return Text(node.text, node.location, node.raw or node.text)
    return None


class MountKind(StrEnum):
    VOLUME = "volume"
    """A named volume (`pgdata:/var/lib/postgresql/data`)."""
    BIND = "bind"
    """A host path (`./data:/var/lib/mysql`)."""
    ANONYMOUS = "anonymous"
    """A volume with no name (`/app/node_modules`): a new one on every `down`/`up`."""
    TMPFS = "tmpfs"
    OTHER = "other"
    """npipe, cluster, image mounts."""


@dataclass(slots=True, frozen=True)
class Mount:
    """One entry of a service's `volumes:` (or `tmpfs:`). `target` is the normalized container
    path; `source` the volume name or the host path as written (interpolated); `host_path` the
    root-relative host path of a bind mount inside the project (None when outside or unknown)."""

    kind: MountKind
    target: str
    source: str | None
    read_only: bool
    location: Location
    text: str
    syntax: str
    subpath: str | None = None
    host_path: str | None = None

    @property
    def persistent(self) -> bool:
        """Survives `docker compose down` + `up`: a named volume or a bind mount."""
        return self.kind in (MountKind.VOLUME, MountKind.BIND)

    def covers(self, path: str) -> bool:
        return covers(self.target, path)

    @property
    def label(self) -> str:
        if self.kind is MountKind.VOLUME:
            return f"named volume {self.source!r} at {self.target}"
        if self.kind is MountKind.BIND:
            return f"bind mount {self.source} at {self.target}"
        if self.kind is MountKind.ANONYMOUS:
            return f"anonymous volume at {self.target}"
        if self.kind is MountKind.TMPFS:
            return f"tmpfs at {self.target}"
        return f"{self.text} at {self.target}"


def covers(mount_target: str, path: str) -> bool:
    """True when `path` is `mount_target` or lies under it (both absolute, normalized)."""
    if not mount_target:
        return False
    if mount_target == "/":
        return True
    return path == mount_target or path.startswith(mount_target + "/")


def normalize_target(path: str) -> str:
    path = path.strip()
    if not path:
        return ""
    norm = posixpath.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    return norm


@dataclass(slots=True, frozen=True)
class Port:
    """A `ports:` entry. `published` None: Docker picks a host port. `host_ip` None: every
    interface."""

    target: str
    published: str | None
    host_ip: str | None
    protocol: str
    location: Location
    text: str

    @property
    def all_interfaces(self) -> bool:
        ip = (self.host_ip or "").strip("[]")
        return ip in ("", "0.0.0.0", "::")

    @property
    def loopback(self) -> bool:
        ip = (self.host_ip or "").strip("[]")
        return ip.startswith("127.") or ip in ("::1", "localhost")

    def exposes(self, port: int) -> bool:
        """True when the container port `port` is in `target`."""
        return _in_range(self.target, port)


def _in_range(spec: str, port: int) -> bool:
    spec = spec.strip()
    if "-" in spec:
        lo, _, hi = spec.partition("-")
        try:
            return int(lo) <= port <= int(hi)
        except ValueError:
            return False
    try:
        return int(spec) == port
    except ValueError:
        return False


@dataclass(slots=True, frozen=True)
class EnvVar:
    """One environment entry. `value` None: passed through from the shell (`- KEY`).
    `source` is "environment", "env_file" or "dockerfile"; `raw` the value as written."""

    name: str
    value: str | None
    location: Location
    raw: str | None = None
    source: str = "environment"

    @property
    def interpolated(self) -> bool:
        return self.raw is not None and "$" in self.raw


@dataclass(slots=True, frozen=True)
class EnvFileRef:
    path: str
    resolved: str | None
    required: bool
    location: Location


@dataclass(slots=True, frozen=True)
class Dependency:
    service: str
    condition: str
    required: bool
    location: Location


@dataclass(slots=True, frozen=True)
class Command:
    """`command`/`entrypoint`/`healthcheck.test`: `form` is "exec" (a list) or "shell" (a
    string, which Compose splits into words); `argv` the words; `items` each word's place."""

    argv: tuple[str, ...]
    text: str
    form: str
    location: Location
    items: tuple[Location, ...] = ()


@dataclass(slots=True, frozen=True)
class Healthcheck:
    test: Command | None
    disabled: bool
    interval: str | None
    timeout: str | None
    retries: int | None
    start_period: str | None
    location: Location


@dataclass(slots=True, frozen=True)
class Build:
    """`build:`: `context` as written; `context_path` root-relative (None: a URL or outside the
    root); `dockerfile_path` root-relative path of the Dockerfile (None when inline/unknown)."""

    context: str
    context_path: str | None
    dockerfile: str | None
    dockerfile_path: str | None
    dockerfile_inline: str | None
    target: str | None
    args: tuple[EnvVar, ...]
    location: Location


@dataclass(slots=True, frozen=True)
class Extends:
    service: str
    file: str | None
    location: Location


@dataclass(slots=True, frozen=True)
class Service:
    """One compose service. `environment` is what `environment:` declares; `container_env` (set
    by the stack facts) adds the `env_file`s beneath it: what the container really gets."""

    name: str
    location: Location
    image: Text | None
    build: Build | None
    command: Command | None
    entrypoint: Command | None
    environment: tuple[EnvVar, ...]
    env_files: tuple[EnvFileRef, ...]
    ports: tuple[Port, ...]
    mounts: tuple[Mount, ...]
    depends_on: tuple[Dependency, ...]
    healthcheck: Healthcheck | None
    profiles: tuple[str, ...]
    replicas: int | None
    replicas_location: Location | None
    scale: int | None
    pull_policy: Text | None
    working_dir: Text | None
    container_name: Text | None
    hostname: Text | None
    network_mode: Text | None
    aliases: tuple[str, ...]
    extends: Extends | None
    node: YMap
    container_env: tuple[EnvVar, ...] = ()

    def env(self, name: str) -> EnvVar | None:
        """The container's value for `name` (env_file beneath environment)."""
        for var in reversed(self.container_env or self.environment):
            if var.name == name:
                return var
        return None

    def env_value(self, name: str) -> str | None:
        var = self.env(name)
        return var.value if var is not None else None

    @property
    def instances(self) -> int:
        if self.replicas is not None:
            return self.replicas
        if self.scale is not None:
            return self.scale
        return 1


@dataclass(slots=True, frozen=True)
class VolumeDecl:
    """A top-level `volumes:` entry. `explicit_name` is its `name:` (or the external name)."""

    name: str
    location: Location
    driver: str | None
    external: bool
    explicit_name: str | None
    driver_opts: tuple[tuple[str, str], ...] = ()

    @property
    def local(self) -> bool:
        return self.driver in (None, "", "local") and not self.external

    @property
    def bind_device(self) -> str | None:
        """`driver_opts: {type: none, o: bind, device: /path}`: the host folder it binds."""
        opts = dict(self.driver_opts)
        if "bind" in opts.get("o", "") and opts.get("device"):
            return opts["device"]
        return None


@dataclass(slots=True, frozen=True)
class Include:
    paths: tuple[Text, ...]
    project_directory: Text | None
    env_files: tuple[Text, ...]
    location: Location


@dataclass(slots=True, frozen=True)
class ComposeFile:
    """One parsed compose file. `root` None: not YAML, or not a mapping at the top level."""

    path: str
    root: YMap | None
    name: Text | None
    services: tuple[Service, ...]
    volumes: tuple[VolumeDecl, ...]
    includes: tuple[Include, ...]
    problems: tuple[ParseProblem, ...] = ()
    _by_name: dict[str, Service] | None = field(default=None, init=False, repr=False, compare=False)

    def service(self, name: str) -> Service | None:
        return service_named(self, self.services, name)


def service_named(owner: Any, services: tuple[Service, ...], name: str) -> Service | None:
    """The first of `services` named `name`, through a dict kept in `owner._by_name` (built
    on first use) when there are many: linear in the services, not in their square."""
    if len(services) <= _INDEX_FROM:
        for s in services:
            if s.name == name:
                return s
        return None
    index: dict[str, Service] | None = owner._by_name
    if index is None:
        index = {}
        for s in services:
            index.setdefault(s.name, s)
        object.__setattr__(owner, "_by_name", index)
    return index.get(name)


# -- builders -------------------------------------------------------------------------------------
Problems = list[ParseProblem]
BaseDir = Callable[[str], str]
"""For a file path, the folder its relative paths resolve against."""


def _default_base(path: str) -> str:
    return posixpath.dirname(path)


def _problem(
    problems: Problems, message: str, loc: Location, kind: ProblemKind = ProblemKind.INVALID
) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(ParseProblem(kind, message, loc))


def resolve_host_path(base_dir: str, path: str) -> str | None:
    """A host path relative to `base_dir` as a root-relative path, or None when it is absolute,
    in the home folder or leaves the root."""
    path = path.strip()
    if not path or path.startswith(("/", "~", "\\")) or (len(path) > 1 and path[1] == ":"):
        return None
    joined = posixpath.normpath(posixpath.join(base_dir or ".", path))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def is_host_path(source: str) -> bool:
    """Compose's rule (compose-go `isFilePath`): a short-syntax source is a host path when it
    starts with `.`, `/`, `~`, `\\\\` or a drive letter."""
    if not source:
        return False
    if source[0] in "./~":
        return True
    if source.startswith("\\\\"):
        return True
    return len(source) > 2 and source[0].isalpha() and source[1] == ":" and source[2] in "\\/"


def split_volume_spec(spec: str) -> list[str]:
    """Split a short volume spec on `:` (not inside `${...}`, not after a drive letter)."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    i = 0
    n = len(spec)
    while i < n:
        ch = spec[i]
        if ch == "$" and i + 1 < n and spec[i + 1] == "{":
            depth += 1
            buf.append("${")
            i += 2
            continue
        if ch == "}" and depth:
            depth -= 1
        elif ch == ":" and depth == 0:
            if not parts and len(buf) == 1 and buf[0].isalpha() and spec[i + 1 : i + 2] in "\\/":
                buf.append(ch)
                i += 1
                continue
            parts.append("".join(buf))
            buf = []
            i += 1
            continue
        buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def parse_short_volume(
    text: str, location: Location, base_dir: str, problems: Problems | None = None
) -> Mount | None:
    """`[source:]target[:mode]` as compose-go reads it."""
    parts = split_volume_spec(text.strip())
    probs = problems if problems is not None else []
    if any(p == "" for p in parts) or len(parts) > 3:
        _problem(probs, f"invalid volume {text!r}: expected [source:]target[:mode]", location)
        return None
    options: list[str] = []
    if len(parts) == 1:
        source, target = None, parts[0]
    else:
        source, target = parts[0], parts[1]
        if len(parts) == 3:
            options = parts[2].split(",")
    read_only = "ro" in options
    if "$" not in target and not target.startswith("/") and not _windows_abs(target):
        _problem(
            probs,
            f"invalid volume {text!r}: the container path {target!r} is not absolute",
            location,
        )
    if source is None:
        kind = MountKind.ANONYMOUS
    elif is_host_path(source if "$" not in source else interpolate(source, {}).value):
        kind = MountKind.BIND
    else:
        kind = MountKind.VOLUME
    host = (
        resolve_host_path(base_dir, source)
        if kind is MountKind.BIND and source and "$" not in source
        else None
    )
    return Mount(
        kind, normalize_target(target), source, read_only, location, text, "short", None, host
    )


def _windows_abs(path: str) -> bool:
    return len(path) > 2 and path[0].isalpha() and path[1] == ":"


def parse_long_volume(node: YMap, base_dir: str, problems: Problems) -> Mount | None:
    vtype = (scalar_text(node.get("type")) or "volume").strip()
    source = scalar_text(node.get("source"))
    target = scalar_text(node.get("target"))
    if target is None:
        _problem(problems, "a long-syntax volume without `target`", node.location)
        return None
    read_only = bool(node_bool(node.get("read_only")))
    sub = node.get("volume")
    subpath = scalar_text(sub.get("subpath")) if isinstance(sub, YMap) else None
    if vtype == "volume":
        kind = MountKind.VOLUME if source else MountKind.ANONYMOUS
    elif vtype == "bind":
        kind = MountKind.BIND
    elif vtype == "tmpfs":
        kind = MountKind.TMPFS
    else:
        kind = MountKind.OTHER
    host = resolve_host_path(base_dir, source) if kind is MountKind.BIND and source else None
    text = f"type={vtype}" + (f",source={source}" if source else "") + f",target={target}"
    return Mount(
        kind,
        normalize_target(target),
        source or None,
        read_only,
        node.location,
        text,
        "long",
        subpath,
        host,
    )


def parse_tmpfs(node: YNode | None) -> list[Mount]:
    items: list[YNode] = []
    if isinstance(node, YScalar):
        items = [node]
    elif isinstance(node, YSeq):
        items = list(node.items)
    out = []
    for item in items:
        text = scalar_text(item)
        if text is None:
            continue
        assert isinstance(item, YScalar)
        target = text.split(":", 1)[0]
        out.append(
            Mount(
                MountKind.TMPFS,
                normalize_target(target),
                None,
                False,
                item.location,
                text,
                "tmpfs",
            )
        )
    return out


def mount_target_of(node: YNode) -> str | None:
    """The container path of a `volumes:` entry (for merging by target)."""
    if isinstance(node, YScalar):
        parts = split_volume_spec(node.text.strip())
        target = parts[0] if len(parts) == 1 else parts[1]
        return normalize_target(target)
    if isinstance(node, YMap):
        t = scalar_text(node.get("target"))
        return normalize_target(t) if t is not None else None
    return None


def parse_port(node: YNode, problems: Problems) -> Port | None:
    if isinstance(node, YMap):
        target = scalar_text(node.get("target"))
        if target is None:
            _problem(problems, "a long-syntax port without `target`", node.location)
            return None
        published = scalar_text(node.get("published"))
        host_ip = scalar_text(node.get("host_ip"))
        protocol: str = scalar_text(node.get("protocol")) or "tcp"
        shown = (
            (f"{host_ip}:" if host_ip else "")
            + (f"{published}:" if published else "")
            + f"{target}/{protocol}"
        )
        return Port(target, published or None, host_ip or None, protocol, node.location, shown)
    text = scalar_text(node)
    if text is None:
        return None
    assert isinstance(node, YScalar)
    return parse_short_port(text, node.location, problems)


def parse_short_port(text: str, location: Location, problems: Problems) -> Port | None:
    spec = text.strip()
    protocol: str = "tcp"
    if "/" in spec:
        spec, _, protocol = spec.rpartition("/")
    host_ip: str | None = None
    if spec.startswith("["):
        end = spec.find("]")
        if end < 0:
            _problem(problems, f"invalid port {text!r}", location)
            return None
        host_ip = spec[: end + 1]
        spec = spec[end + 1 :].lstrip(":")
        parts = spec.split(":")
    else:
        parts = _split_outside_braces(spec)
        if len(parts) > 3:
            host_ip = ":".join(parts[:-2])
            parts = parts[-2:]
        elif len(parts) == 3:
            host_ip = parts[0]
            parts = parts[1:]
    if len(parts) == 1:
        published, target = None, parts[0]
    else:
        published, target = parts[0] or None, parts[1]
    if not target:
        _problem(problems, f"invalid port {text!r}: no container port", location)
        return None
    return Port(target, published, host_ip or None, protocol or "tcp", location, text)


def _split_outside_braces(text: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{" and i and text[i - 1] == "$":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif ch == ":" and depth == 0:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_env_mapping(node: YNode | None, source: str = "environment") -> list[EnvVar]:
    """`environment:` (or `build.args:`) as a list (`KEY=value`, `KEY`) or a mapping."""
    out: list[EnvVar] = []
    if isinstance(node, YMap):
        for k, v in node.entries:
            if isinstance(v, YScalar):
                value = v.value
                raw = (v.raw or v.text) if not v.is_null else None
                out.append(EnvVar(k.text, value, k.location, raw, source))
            else:
                out.append(EnvVar(k.text, None, k.location, None, source))
    elif isinstance(node, YSeq):
        for item in node.items:
            if not isinstance(item, YScalar) or item.is_null:
                continue
            text = item.text
            raw = item.raw or item.text
            if "=" in text:
                name, _, value = text.partition("=")
                raw_value = raw.partition("=")[2] if "=" in raw else value
                out.append(EnvVar(name.strip(), value, item.location, raw_value, source))
            else:
                out.append(EnvVar(text.strip(), None, item.location, None, source))
    return out


def parse_command(node: YNode | None) -> Command | None:
    if isinstance(node, YSeq):
        words: list[str] = []
        locs: list[Location] = []
        for item in node.items:
            t = scalar_text(item)
            if t is not None:
                assert isinstance(item, YScalar)
                words.append(t)
                locs.append(item.location)
        return Command(tuple(words), " ".join(words), "exec", node.location, tuple(locs))
    text = scalar_text(node)
    if text is None:
        return None
    assert isinstance(node, YScalar)
    try:
        argv = tuple(shlex.split(text, posix=True))
    except ValueError:
        argv = tuple(text.split())
    return Command(argv, text, "shell", node.location, ())


def parse_healthcheck(node: YNode | None) -> Healthcheck | None:
    if not isinstance(node, YMap):
        return None
    test = parse_command(node.get("test"))
    disabled = bool(node_bool(node.get("disable")))
    if test is not None and test.argv[:1] == ("NONE",):
        disabled = True
    return Healthcheck(
        test,
        disabled,
        scalar_text(node.get("interval")),
        scalar_text(node.get("timeout")),
        node_int(node.get("retries")),
        scalar_text(node.get("start_period")),
        node.location,
    )


def _is_url(context: str) -> bool:
    low = context.lower()
    return "://" in low or low.startswith(("git@", "github.com/"))


def parse_build(node: YNode | None, base_dir: str) -> Build | None:
    if node is None:
        return None
    if isinstance(node, YScalar):
        if node.is_null:
            return None
        context = node.text
        ctx_path = None if _is_url(context) else resolve_host_path(base_dir, context or ".")
        df_path = (
            posixpath.normpath(posixpath.join(ctx_path, "Dockerfile"))
            if ctx_path is not None
            else None
        )
        return Build(context, ctx_path, None, df_path, None, None, (), node.location)
    if not isinstance(node, YMap):
        return None
    context = scalar_text(node.get("context")) or "."
    ctx_path = None if _is_url(context) else resolve_host_path(base_dir, context)
    dockerfile = scalar_text(node.get("dockerfile"))
    inline = scalar_text(node.get("dockerfile_inline"))
    dockerfile_path: str | None = None
    if inline is None and ctx_path is not None:
        name = dockerfile or "Dockerfile"
        dockerfile_path = resolve_host_path(ctx_path, name)
    args = tuple(parse_env_mapping(node.get("args"), "build.args"))
    return Build(
        context,
        ctx_path,
        dockerfile,
        dockerfile_path,
        inline,
        scalar_text(node.get("target")),
        args,
        node.location,
    )


def parse_depends_on(node: YNode | None) -> list[Dependency]:
    out: list[Dependency] = []
    if isinstance(node, YSeq):
        for item in node.items:
            t = scalar_text(item)
            if t is not None:
                assert isinstance(item, YScalar)
                out.append(Dependency(t, "service_started", True, item.location))
    elif isinstance(node, YMap):
        for k, v in node.entries:
            condition = "service_started"
            required = True
            if isinstance(v, YMap):
                condition = scalar_text(v.get("condition")) or condition
                req = node_bool(v.get("required"))
                required = True if req is None else req
            out.append(Dependency(k.text, condition, required, k.location))
    return out


def parse_env_files(node: YNode | None, base_dir: str) -> list[EnvFileRef]:
    items: list[YNode] = []
    if isinstance(node, YScalar):
        items = [node]
    elif isinstance(node, YSeq):
        items = list(node.items)
    out: list[EnvFileRef] = []
    for item in items:
        if isinstance(item, YMap):
            path = scalar_text(item.get("path"))
            req = node_bool(item.get("required"))
            if path is not None:
                out.append(
                    EnvFileRef(
                        path,
                        resolve_host_path(base_dir, path),
                        True if req is None else req,
                        item.location,
                    )
                )
        else:
            path = scalar_text(item)
            if path is not None:
                assert isinstance(item, YScalar)
                out.append(EnvFileRef(path, resolve_host_path(base_dir, path), True, item.location))
    return out


def _aliases(node: YMap) -> tuple[str, ...]:
    out: list[str] = []
    networks = node.get("networks")
    if isinstance(networks, YMap):
        for _, v in networks.entries:
            if isinstance(v, YMap):
                al = v.get("aliases")
                if isinstance(al, YSeq):
                    out.extend(t for t in (scalar_text(i) for i in al.items) if t)
    links = node.get("links")
    if isinstance(links, YSeq):
        for item in links.items:
            t = scalar_text(item)
            if t:
                out.append(t.split(":")[-1])
    extra = node.get("extra_hosts")
    if isinstance(extra, YSeq):
        for item in extra.items:
            t = scalar_text(item)
            if t:
                out.append(t.split(":", 1)[0].split("=", 1)[0])
    elif isinstance(extra, YMap):
        out.extend(extra.keys())
    return tuple(out)


def build_service(
    key: YScalar,
    node: YMap,
    base_dir: BaseDir = _default_base,
    problems: Problems | None = None,
) -> Service:
    """The typed record of one service mapping. Relative paths resolve against
    `base_dir(<the file of the node that holds them>)`."""
    probs = problems if problems is not None else []
    mounts: list[Mount] = []
    volumes = node.get("volumes")
    if isinstance(volumes, YSeq):
        for item in volumes.items:
            mount: Mount | None = None
            if isinstance(item, YScalar) and not item.is_null:
                mount = parse_short_volume(
                    item.text, item.location, base_dir(item.location.path), probs
                )
            elif isinstance(item, YMap):
                mount = parse_long_volume(item, base_dir(item.location.path), probs)
            if mount is not None:
                mounts.append(mount)
    elif volumes is not None and not (isinstance(volumes, YScalar) and volumes.is_null):
        _problem(probs, f"service {key.text!r}: `volumes` must be a list", volumes.location)
    mounts.extend(parse_tmpfs(node.get("tmpfs")))
    ports: list[Port] = []
    ports_node = node.get("ports")
    if isinstance(ports_node, YSeq):
        for item in ports_node.items:
            port = parse_port(item, probs)
            if port is not None:
                ports.append(port)
    elif ports_node is not None and not (isinstance(ports_node, YScalar) and ports_node.is_null):
        _problem(probs, f"service {key.text!r}: `ports` must be a list", ports_node.location)
    build_node = node.get("build")
    build = parse_build(
        build_node, base_dir(build_node.location.path) if build_node is not None else ""
    )
    env_file_node = node.get("env_file")
    env_files = parse_env_files(
        env_file_node, base_dir(env_file_node.location.path) if env_file_node else ""
    )
    deploy = node.get("deploy")
    replicas_node = deploy.get("replicas") if isinstance(deploy, YMap) else None
    extends_node = node.get("extends")
    extends: Extends | None = None
    if isinstance(extends_node, YScalar) and not extends_node.is_null:
        extends = Extends(extends_node.text, None, extends_node.location)
    elif isinstance(extends_node, YMap):
        svc = scalar_text(extends_node.get("service"))
        if svc is not None:
            extends = Extends(svc, scalar_text(extends_node.get("file")), extends_node.location)
    profiles_node = node.get("profiles")
    profiles: tuple[str, ...] = ()
    if isinstance(profiles_node, YSeq):
        profiles = tuple(t for t in (scalar_text(i) for i in profiles_node.items) if t)
    return Service(
        name=key.text,
        location=key.location,
        image=_text(node.get("image")),
        build=build,
        command=parse_command(node.get("command")),
        entrypoint=parse_command(node.get("entrypoint")),
        environment=tuple(parse_env_mapping(node.get("environment"))),
        env_files=tuple(env_files),
        ports=tuple(ports),
        mounts=tuple(mounts),
        depends_on=tuple(parse_depends_on(node.get("depends_on"))),
        healthcheck=parse_healthcheck(node.get("healthcheck")),
        profiles=profiles,
        replicas=node_int(replicas_node),
        replicas_location=replicas_node.location if replicas_node is not None else None,
        scale=node_int(node.get("scale")),
        pull_policy=_text(node.get("pull_policy")),
        working_dir=_text(node.get("working_dir")),
        container_name=_text(node.get("container_name")),
        hostname=_text(node.get("hostname")),
        network_mode=_text(node.get("network_mode")),
        aliases=_aliases(node),
        extends=extends,
        node=node,
    )


def build_volumes(node: YNode | None) -> list[VolumeDecl]:
    out: list[VolumeDecl] = []
    if not isinstance(node, YMap):
        return out
    for k, v in node.entries:
        driver = None
        external = False
        explicit = None
        opts: list[tuple[str, str]] = []
        if isinstance(v, YMap):
            driver = scalar_text(v.get("driver"))
            ext = v.get("external")
            if isinstance(ext, YMap):
                external = True
                explicit = scalar_text(ext.get("name"))
            else:
                external = bool(node_bool(ext))
            explicit = scalar_text(v.get("name")) or explicit
            dopts = v.get("driver_opts")
            if isinstance(dopts, YMap):
                opts = [(dk.text, scalar_text(dv) or "") for dk, dv in dopts.entries]
        out.append(VolumeDecl(k.text, k.location, driver, external, explicit, tuple(opts)))
    return out


def build_includes(node: YNode | None) -> list[Include]:
    out: list[Include] = []
    if not isinstance(node, YSeq):
        return out
    for item in node.items:
        if isinstance(item, YScalar) and not item.is_null:
            t = _text(item)
            assert t is not None
            out.append(Include((t,), None, (), item.location))
        elif isinstance(item, YMap):
            path_node = item.get("path")
            paths: list[Text] = []
            if isinstance(path_node, YSeq):
                paths = [t for t in (_text(i) for i in path_node.items) if t is not None]
            else:
                t = _text(path_node)
                if t is not None:
                    paths = [t]
            envs_node = item.get("env_file")
            envs: list[Text] = []
            if isinstance(envs_node, YSeq):
                envs = [t for t in (_text(i) for i in envs_node.items) if t is not None]
            else:
                t = _text(envs_node)
                if t is not None:
                    envs = [t]
            out.append(
                Include(
                    tuple(paths),
                    _text(item.get("project_directory")),
                    tuple(envs),
                    item.location,
                )
            )
    return out


def service_nodes(root: YMap | None) -> Iterator[tuple[YScalar, YMap]]:
    services = root.get("services") if root is not None else None
    if isinstance(services, YMap):
        for k, v in services.entries:
            if isinstance(v, YMap):
                yield k, v


def build_compose(
    path: str,
    root: YMap | None,
    base_dir: BaseDir = _default_base,
    problems: Problems | None = None,
) -> ComposeFile:
    probs = problems if problems is not None else []
    services = [build_service(k, v, base_dir, probs) for k, v in service_nodes(root)]
    return ComposeFile(
        path=path,
        root=root,
        name=_text(root.get("name")) if root is not None else None,
        services=tuple(services),
        volumes=tuple(build_volumes(root.get("volumes") if root is not None else None)),
        includes=tuple(build_includes(root.get("include") if root is not None else None)),
        problems=tuple(probs),
    )


def _check_structure(root: YMap, problems: Problems) -> None:
    services = root.get("services")
    if services is not None and not isinstance(services, YMap):
        if not (isinstance(services, YScalar) and services.is_null):
            _problem(problems, "`services` must be a mapping of service names", services.location)
    elif isinstance(services, YMap):
        for k, v in services.entries:
            if not isinstance(v, YMap):
                _problem(
                    problems,
                    f"service {k.text!r} must be a mapping (it is "
                    f"{'empty' if isinstance(v, YScalar) and v.is_null else 'not'}"
                    " a mapping)",
                    k.location,
                )
    volumes = root.get("volumes")
    if volumes is not None and not isinstance(volumes, YMap | YScalar):
        _problem(problems, "top-level `volumes` must be a mapping", volumes.location)


def parse_compose(source: SourceFile) -> ComposeFile:
    return parse_compose_text(source.text, source.path)


def parse_compose_text(text: str, path: str = "compose.yaml") -> ComposeFile:
    tree, yaml_problems = load_yaml(text, path)
    problems: Problems = list(yaml_problems)
    root: YMap | None = None
    if isinstance(tree, YMap):
        root = tree
        _check_structure(root, problems)
    elif tree is not None:
        kind = "a list" if isinstance(tree, YSeq) else "a single value"
        _problem(
            problems,
            f"the top level of a compose file must be a mapping (`services:` ...), not {kind}",
            tree.location,
        )
    elif not yaml_problems and text.strip() and not _only_comments(text):
        _problem(problems, "the compose file holds no YAML document", Location(path, 1))
    return build_compose(path, root, _default_base, problems)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


# -- Compose merge rules ------------------------------------------------------------------------
_REPLACE_KEYS = frozenset({"command", "entrypoint"})
_KEYED_LISTS = frozenset({"environment", "labels", "args", "sysctls", "extra_hosts"})
"""Lists Compose turns into mappings before merging (`KEY=value` items)."""


def _to_keyed_map(node: YNode, sep: str = "=") -> YMap:
    if isinstance(node, YMap):
        return node
    entries: list[tuple[YScalar, YNode]] = []
    if isinstance(node, YSeq):
        index: dict[str, int] = {}
        for item in node.items:
            if not isinstance(item, YScalar) or item.is_null:
                continue
            text = item.text
            raw = item.raw or text
            if sep in text:
                name, _, value = text.partition(sep)
                raw_value = raw.partition(sep)[2] if sep in raw else value
                val: YScalar = YScalar(value, item.location, "str", raw_value)
            else:
                name = text
                val = YScalar("", item.location, "null", "")
            k = YScalar(name.strip(), item.location, "str", name.strip())
            if k.text in index:
                entries[index[k.text]] = (k, val)
            else:
                index[k.text] = len(entries)
                entries.append((k, val))
    return YMap(tuple(entries), node.location)


def _depends_map(node: YNode) -> YMap:
    if isinstance(node, YMap):
        return node
    entries: list[tuple[YScalar, YNode]] = []
    if isinstance(node, YSeq):
        for item in node.items:
            if isinstance(item, YScalar) and not item.is_null:
                cond = YScalar("service_started", item.location, "str", "service_started")
                ckey = YScalar("condition", item.location, "str", "condition")
                entries.append((item, YMap(((ckey, cond),), item.location)))
    return YMap(tuple(entries), node.location)


def _port_key(node: YNode) -> tuple[str, ...]:
    port = parse_port(node, [])
    if port is None:
        return ("?", repr(node))
    return (port.host_ip or "", port.target, port.published or "", port.protocol)


def _merge_unique(base: YSeq, over: YSeq, key: Callable[[YNode], object]) -> YSeq:
    items = list(base.items)
    index = {key(item): i for i, item in enumerate(items)}
    for item in over.items:
        k = key(item)
        if k is not None and k in index:
            items[index[k]] = item
        else:
            index[k] = len(items)
            items.append(item)
    return YSeq(tuple(items), over.location, base.tag if base.tag not in _CUSTOM else "seq")


_CUSTOM = frozenset({"!reset", "!override"})


def _as_list(node: YNode) -> YSeq:
    if isinstance(node, YSeq):
        return node
    return YSeq((node,), node.location)


def merge_trees(base: YNode, over: YNode, path: tuple[str, ...] = ()) -> YNode:
    """Merge `over` into `base` with Compose's rules for the key path `path`."""
    if over.tag == "!override":
        return _retag(over)
    if over.tag == "!reset":
        return over
    depth = len(path)
    last = path[-1] if path else ""
    in_service = depth >= 2 and path[0] == "services"
    if in_service and depth == 3:
        if last in _REPLACE_KEYS:
            return over
        if last == "volumes" and isinstance(base, YSeq) and isinstance(over, YSeq):
            return _merge_unique(base, over, mount_target_of)
        if last == "ports" and isinstance(base, YSeq) and isinstance(over, YSeq):
            return _merge_unique(base, over, _port_key)
        if last in ("environment", "labels", "sysctls", "extra_hosts"):
            sep = ":" if last == "extra_hosts" else "="
            return _merge_maps(_to_keyed_map(base, sep), _to_keyed_map(over, sep), path)
        if last == "depends_on":
            return _merge_maps(_depends_map(base), _depends_map(over), path)
        if last == "build":
            return _merge_build(base, over, path)
        if last in ("env_file", "tmpfs", "dns", "dns_search"):
            return _merge_unique(_as_list(base), _as_list(over), _scalar_key)
    if in_service and depth == 4 and path[2] == "healthcheck" and last == "test":
        return over
    if in_service and depth == 4 and path[2] == "build" and last == "args":
        return _merge_maps(_to_keyed_map(base), _to_keyed_map(over), path)
    if isinstance(base, YMap) and isinstance(over, YMap):
        return _merge_maps(base, over, path)
    if isinstance(base, YSeq) and isinstance(over, YSeq):
        return YSeq(base.items + over.items, over.location, "seq")
    return over


def _scalar_key(node: YNode) -> object:
    if isinstance(node, YScalar):
        return node.text
    if isinstance(node, YMap):
        return scalar_text(node.get("path"))
    return None


def _merge_build(base: YNode, over: YNode, path: tuple[str, ...]) -> YNode:
    def as_map(node: YNode) -> YNode:
        if isinstance(node, YScalar) and not node.is_null:
            key = YScalar("context", node.location, "str", "context")
            return YMap(((key, node),), node.location)
        return node

    b, o = as_map(base), as_map(over)
    if isinstance(b, YMap) and isinstance(o, YMap):
        return _merge_maps(b, o, path)
    return over


def _merge_maps(base: YMap, over: YMap, path: tuple[str, ...]) -> YMap:
    entries: dict[str, tuple[YScalar, YNode]] = {k.text: (k, v) for k, v in base.entries}
    for k, v in over.entries:
        prev = entries.get(k.text)
        if v.tag == "!reset":
            entries.pop(k.text, None)
            continue
        if prev is None:
            entries[k.text] = (k, _retag(v) if v.tag == "!override" else v)
        else:
            merged = merge_trees(prev[1], v, (*path, k.text))
            # A replaced value is set by the override: its key says where.
            entries[k.text] = (k if isinstance(merged, YScalar) else prev[0], merged)
    return YMap(tuple(entries.values()), base.location, "map")


def _retag(node: YNode) -> YNode:
    if node.tag not in _CUSTOM:
        return node
    if isinstance(node, YMap):
        return replace(node, tag="map")
    if isinstance(node, YSeq):
        return replace(node, tag="seq")
    return replace(node, tag="str")


def strip_reset(node: YNode) -> YNode:
    """Drop `!reset` entries left in a tree that was not merged with anything."""
    if isinstance(node, YMap):
        if not any(v.tag in _CUSTOM or isinstance(v, YMap | YSeq) for _, v in node.entries):
            return node
        return YMap(
            tuple((k, strip_reset(v)) for k, v in node.entries if v.tag != "!reset"),
            node.location,
            node.tag,
        )
    if node.tag == "!override":
        return _retag(node)
    return node


def map_scalars(node: YNode, fn: Callable[[YScalar], YScalar]) -> YNode:
    """A copy of the tree with every scalar value (not keys) replaced by `fn(scalar)`;
    subtrees where nothing changed are shared."""
    if isinstance(node, YScalar):
        return fn(node)
    if isinstance(node, YSeq):
        items = tuple(map_scalars(i, fn) for i in node.items)
        if all(a is b for a, b in zip(items, node.items, strict=True)):
            return node
        return YSeq(items, node.location, node.tag)
    entries = tuple((k, map_scalars(v, fn)) for k, v in node.entries)
    if all(a[1] is b[1] for a, b in zip(entries, node.entries, strict=True)):
        return node
    return YMap(entries, node.location, node.tag)


def with_entry(node: YMap, key: str, value: YNode | None) -> YMap:
    """A copy of `node` with `key` set to `value` (None: removed)."""
    entries = [(k, v) for k, v in node.entries if k.text != key]
    if value is not None:
        existing = node.key(key)
        k = existing or YScalar(key, value.location, "str", key)
        entries.append((k, value))
    return YMap(tuple(entries), node.location, node.tag)


__all__ = [
    "Build",
    "Command",
    "ComposeFile",
    "Dependency",
    "EnvFileRef",
    "EnvVar",
    "Extends",
    "Healthcheck",
    "Include",
    "Mount",
    "MountKind",
    "Port",
    "Service",
    "Text",
    "VolumeDecl",
    "YMap",
    "YNode",
    "YScalar",
    "YSeq",
    "build_compose",
    "build_service",
    "load_yaml",
    "merge_trees",
    "parse_compose",
    "parse_compose_text",
]
