"""Reading one service key at a time: volumes, tmpfs, ports, environment, command, healthcheck, build, depends_on, env_file."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING

from analysis.model import Location
from analysis.parsers.compose.nodes import (
    MAX_PROBLEMS,
    YMap,
    YScalar,
    YSeq,
    node_bool,
    node_int,
    scalar_text,
)
from analysis.parsers.compose.records import (
    Build,
    Command,
    Dependency,
    EnvFileRef,
    EnvVar,
    Healthcheck,
    Mount,
    MountKind,
    Port,
    normalize_target,
)
from analysis.parsers.interpolate import interpolate
from analysis.parsers.problems import ParseProblem, ProblemKind

if TYPE_CHECKING:
    from analysis.parsers.compose.nodes import YNode


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
