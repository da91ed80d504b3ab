"""The typed records of a compose file: services, mounts, ports, environment, build, includes."""

from __future__ import annotations

import posixpath
from dataclasses import field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from analysis.model import Location
from analysis.parsers.compose.nodes import _INDEX_FROM, YScalar
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.parsers.compose.nodes import YMap, YNode


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


class ServiceIndexed(Protocol):
    """A record that keeps an index of its services by name (built on first use)."""

    @property
    def _by_name(self) -> dict[str, Service] | None: ...


def service_named(
    owner: ServiceIndexed, services: tuple[Service, ...], name: str
) -> Service | None:
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
