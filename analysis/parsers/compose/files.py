"""A whole compose file: its services, volumes and includes, and the top-level checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analysis.model import Location
from analysis.parsers.compose.fields import (
    _aliases,
    _default_base,
    _problem,
    parse_build,
    parse_command,
    parse_depends_on,
    parse_env_files,
    parse_env_mapping,
    parse_healthcheck,
    parse_long_volume,
    parse_port,
    parse_short_volume,
    parse_tmpfs,
)
from analysis.parsers.compose.nodes import YMap, YScalar, YSeq, node_bool, node_int, scalar_text
from analysis.parsers.compose.records import (
    ComposeFile,
    Extends,
    Include,
    Service,
    VolumeDecl,
    _text,
)
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.parsers.compose.fields import BaseDir, Problems
    from analysis.parsers.compose.nodes import YNode
    from analysis.parsers.compose.records import Mount, Port, Text


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
    from analysis.parsers.compose.yaml_loader import load_yaml  # PyYAML: for YAML files only

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
