"""Fact: the database services of every compose stack, and where their data really lands.

A service is a database (RULES.md, KD1xx) when its image is a known database image (postgres,
postgis/postgis, pgvector/pgvector, timescale/timescaledb*, bitnami/postgresql,
supabase/postgres, mysql, mariadb, bitnami/mysql, mongo, bitnami/mongodb,
mcr.microsoft.com/mssql/server, cockroachdb/cockroach, redis with persistence turned on), a
known derivative or a repository whose name ends in postgres/postgresql/postgis, when it is built
from a Dockerfile whose final (or `build.target`) stage comes `FROM` one of those, or when it
sets `PGDATA`. `POSTGRES_PASSWORD`/`POSTGRES_DB` alone do not make a database.

For each: engine, image, tag, major version (or why it is unknown), the data directory the
image really uses (PGDATA and friends honoured), the image's declared `VOLUME` paths (Docker
puts an anonymous volume on each one no mount targets), the mount that holds the data and the
verdict: persisted or not, and which of KD101-KD105 applies (at most one, the most specific).
"""

from __future__ import annotations

import posixpath
from enum import StrEnum

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks, is_file
from analysis.facts.databases_base import base_major_versions
from analysis.facts.databases_images import (
    ENGINE_PORTS,
    PG_PRE18,
    Engine,
    ImageRef,
    Layout,
    classify_image,
    parse_image,
    pg18,
)
from analysis.model import Location
from analysis.parsers.compose import (
    Mount,
    MountKind,
    Service,
    covers,
    normalize_target,
)
from analysis.parsers.dockerfile import (
    DockerfileFile,
    expand,
    parse_dockerfile,
)
from analysis.parsers.interpolate import variables
from analysis.records import dataclass


# -- records --------------------------------------------------------------------------------------
class DataState(StrEnum):
    PERSISTED = "persisted"
    """A named volume or bind mount holds the data directory."""
    NOT_PERSISTED = "not-persisted"
    """KD101: no mount meant for the data (an image VOLUME's anonymous volume or the container
    layer holds it)."""
    WRONG_PATH = "wrong-path"
    """KD102: a mount meant for the data misses the directory the image really uses."""
    PG18_PATH = "postgres-18-path"
    """KD103: postgres 18+ with the pre-18 mount at /var/lib/postgresql/data."""
    ANONYMOUS = "anonymous"
    """KD104: an explicit anonymous volume holds it."""
    TMPFS = "tmpfs"
    """KD105: tmpfs at the data directory."""
    DEPENDS_ON_VERSION = "depends-on-version"
    """The major version is unknown and the mounts are right for one layout only."""


@dataclass(slots=True, frozen=True)
class Storage:
    """Where the data directory lands under one layout."""

    layout: Layout
    data_dir: str
    state: DataState
    holder: Mount | None
    image_volume: str | None
    meant: tuple[Mount, ...]
    reason: str

    @property
    def persisted(self) -> bool:
        return self.state is DataState.PERSISTED


@dataclass(slots=True, frozen=True)
class Database:
    """A database service of a stack and the fate of its data.

    `storage` is the evaluation under the layout that applies (for an unknown major: the
    first layout whose verdict is reported); `alternatives` the other layouts considered.
    `persisted` is None when it depends on the unknown major version.
    """

    stack: str
    service: str
    location: Location
    engine: str
    family: str
    image: str | None
    image_location: Location | None
    tag: str | None
    major: int | None
    version: str
    version_known: bool
    floating: bool
    detected_by: str
    detected_location: Location | None
    data_dir: str
    data_dir_source: str
    data_dir_location: Location | None
    declared_volumes: tuple[str, ...]
    mounts: tuple[Mount, ...]
    storage: Storage
    alternatives: tuple[Storage, ...]
    persisted: bool | None
    dockerfile: str | None = None

    @property
    def state(self) -> DataState:
        return self.storage.state

    @property
    def holder(self) -> Mount | None:
        return self.storage.holder

    @property
    def port(self) -> int:
        return ENGINE_PORTS.get(self.engine, 0)

    @property
    def reason(self) -> str:
        return self.storage.reason


# -- evaluation ---------------------------------------------------------------------------------
_FILE_SUFFIXES = (
    ".conf",
    ".cnf",
    ".sql",
    ".sh",
    ".json",
    ".yml",
    ".yaml",
    ".ini",
    ".txt",
    ".key",
    ".pem",
    ".crt",
    ".gz",
    ".js",
    ".env",
    ".csv",
    ".pgpass",
)


def _is_file_mount(m: Mount) -> bool:
    base = posixpath.basename(m.target)
    return base.endswith(_FILE_SUFFIXES) or base in ("pg_hba.conf", "postgresql.conf", "my.cnf")


def _meant_for_data(m: Mount, roots: tuple[str, ...], data_dir: str) -> bool:
    if m.kind is MountKind.OTHER or _is_file_mount(m) or not m.target:
        return False
    if m.target.startswith("/docker-entrypoint"):
        return False
    if any(m.target.startswith(r) for r in roots):
        return True
    parent = posixpath.dirname(data_dir)
    return parent not in ("/", "") and covers(parent, m.target)


def evaluate(
    layout: Layout,
    data_dir: str,
    declared: tuple[str, ...],
    mounts: tuple[Mount, ...],
    pgdata: bool,
) -> Storage:
    """Which of the mounts (or image volumes) holds `data_dir`, and what that means."""
    targeted = {m.target for m in mounts}
    best_len = -1
    holder: Mount | None = None
    image_volume: str | None = None
    for m in mounts:
        if (
            m.kind is not MountKind.OTHER
            and covers(m.target, data_dir)
            and (
                len(m.target) > best_len
                # a tmpfs and a volume on the same target: the tmpfs is mounted over the volume
                or (len(m.target) == best_len and m.kind is MountKind.TMPFS)
            )
        ):
            best_len, holder, image_volume = len(m.target), m, None
    for v in declared:
        if v not in targeted and covers(v, data_dir) and len(v) > best_len:
            best_len, holder, image_volume = len(v), None, v
    meant = tuple(m for m in mounts if _meant_for_data(m, layout.roots, data_dir))
    if holder is not None:
        if holder.kind is MountKind.TMPFS:
            return Storage(
                layout,
                data_dir,
                DataState.TMPFS,
                holder,
                None,
                meant,
                f"a tmpfs at {holder.target} holds {data_dir}: the data lives in memory and is "
                "gone when the container stops",
            )
        if holder.kind is MountKind.ANONYMOUS:
            return Storage(
                layout,
                data_dir,
                DataState.ANONYMOUS,
                holder,
                None,
                meant,
                f"an anonymous volume at {holder.target} holds {data_dir}: `docker compose down`"
                " then `up` starts a new, empty one and orphans the old",
            )
        what = (
            f"named volume {holder.source!r}"
            if holder.kind is MountKind.VOLUME
            else f"bind mount {holder.source}"
        )
        return Storage(
            layout,
            data_dir,
            DataState.PERSISTED,
            holder,
            None,
            meant,
            f"{what} at {holder.target} holds {data_dir}",
        )
    lands = (
        f"the image's VOLUME {image_volume} puts it on an anonymous volume, which a "
        "`down`/`up` cycle leaves behind (the new container starts empty)"
        if image_volume is not None
        else "it stays in the container's writable layer, lost when the container is removed"
    )
    if meant:
        old = next((m for m in meant if m.target == "/var/lib/postgresql/data"), None)
        if layout.label == "postgres 18+" and old is not None:
            return Storage(
                layout,
                data_dir,
                DataState.PG18_PATH,
                None,
                image_volume,
                meant,
                f"postgres 18+ keeps its data in {data_dir} (VOLUME /var/lib/postgresql), not in "
                f"the mount at /var/lib/postgresql/data: {lands}; an existing pre-18 data mount "
                "makes the server refuse to start",
            )
        targets = ", ".join(sorted({m.target for m in meant}))
        why = (
            f"PGDATA={data_dir} lies outside it"
            if pgdata
            else f"the image keeps its data in {data_dir}"
        )
        return Storage(
            layout,
            data_dir,
            DataState.WRONG_PATH,
            None,
            image_volume,
            meant,
            f"a mount at {targets} is meant for the data, but {why}: {lands}",
        )
    return Storage(
        layout,
        data_dir,
        DataState.NOT_PERSISTED,
        None,
        image_volume,
        (),
        f"no volume or bind mount covers {data_dir}: {lands}",
    )


# -- detection ----------------------------------------------------------------------------------
def _image_version_unknown(service: Service) -> str | None:
    """Why the image's tag is unknown (a variable with no value and no default), or None."""
    image = service.image
    if image is None or "$" not in image.raw:
        return None
    raw_tag = image.raw.rsplit(":", 1)[-1] if ":" in image.raw.rsplit("/", 1)[-1] else ""
    if not raw_tag or "$" not in raw_tag:
        return None
    ref = parse_image(image.value)
    if ref.tag:
        return None
    names = [u.name for u in variables(raw_tag)]
    var = names[0] if names else "a variable"
    return f"${{{var}}} has no value or default"


def _dockerfile_base(
    ctx: Context, service: Service
) -> tuple[str, Location, tuple[str, ...], dict[str, tuple[str, int]], str] | None:
    """(base image, FROM location, VOLUME paths, ENV of the stage, dockerfile path) of the stage a
    service builds, following `FROM <stage>` to the external image."""
    build = service.build
    if build is None or build.dockerfile_path is None:
        return None
    path = build.dockerfile_path
    if not is_file(ctx, path):
        return None
    parsed: DockerfileFile | None = ctx.parse(path, parse_dockerfile)
    if parsed is None:
        return None
    stage = parsed.stage(build.target)
    if stage is None:
        return None
    chain = parsed.chain(stage)
    root = chain[0]
    args: dict[str, str | None] = {a.name: a.expanded for a in parsed.global_args}
    for a in build.args:
        if a.value is not None:
            args[a.name] = a.value
    image = expand(root.image_raw, args) if "$" in root.image_raw else root.image
    volumes: list[str] = []
    env: dict[str, tuple[str, int]] = {}
    for st in chain:
        for vol in st.volumes:
            volumes.extend(normalize_target(p) for p in vol.paths)
        for var in st.env:
            if var.expanded is not None:
                env[var.name] = (var.expanded, var.line)
    return image, Location(path, root.line), tuple(volumes), env, path


def _command_value(argv: tuple[str, ...], flag: str) -> str | None:
    for i, w in enumerate(argv):
        if w == flag and i + 1 < len(argv):
            return argv[i + 1]
        if w.startswith(flag + "="):
            return w.split("=", 1)[1]
    return None


def detect(ctx: Context, stack: ComposeStack, service: Service) -> Database | None:
    argv = service.command.argv if service.command is not None else ()
    base = _dockerfile_base(ctx, service) if service.build is not None else None
    detected_location: Location | None = None
    dockerfile: str | None = None
    docker_env: dict[str, tuple[str, int]] = {}
    extra_volumes: tuple[str, ...] = ()
    engine: Engine | None = None
    detected_by = ""
    image_text: str | None = None
    image_location: Location | None = None
    ref: ImageRef | None = None
    if base is not None:
        image_text, detected_location, extra_volumes, docker_env, dockerfile = base
        ref = parse_image(image_text)
        unknown = None
        if not ref.tag and "$" in image_text:
            unknown = "the Dockerfile's FROM uses a variable with no value"
        engine = classify_image(ref, unknown, argv)
        image_location = detected_location
        detected_by = f"built from {dockerfile}, FROM {image_text}"
    if engine is None and service.image is not None and service.image.value:
        ref = parse_image(service.image.value)
        engine = classify_image(ref, _image_version_unknown(service), argv)
        image_text = service.image.value
        image_location = service.image.location
        detected_location = service.image.location
        detected_by = f"image {image_text}"
        dockerfile = None
    pgdata = service.env("PGDATA")
    if engine is None:
        if pgdata is None or not pgdata.value:
            return None
        engine = Engine(
            "postgres",
            "postgres",
            None,
            "unknown (image not known)",
            False,
            False,
            (PG_PRE18, pg18(None)),
        )
        detected_by = "sets PGDATA"
        detected_location = pgdata.location
        if service.image is not None:
            image_text = service.image.value
            image_location = service.image.location
            ref = parse_image(image_text)
    # Where the data goes.
    data_dir_source = "image default"
    data_dir_location: Location | None = None
    override: str | None = None
    if engine.engine == "postgres":
        if pgdata is not None and pgdata.value:
            override = pgdata.value
            data_dir_source = "PGDATA"
            data_dir_location = pgdata.location
        elif "PGDATA" in docker_env and dockerfile is not None:
            override, line = docker_env["PGDATA"]
            data_dir_source = "PGDATA (Dockerfile ENV)"
            data_dir_location = Location(dockerfile, line)
        bitnami = service.env("POSTGRESQL_DATA_DIR")
        if override is None and bitnami is not None and bitnami.value:
            override = bitnami.value
            data_dir_source = "POSTGRESQL_DATA_DIR"
            data_dir_location = bitnami.location
    elif engine.engine in ("mysql", "mariadb"):
        override = _command_value(argv, "--datadir")
        data_dir_source = "--datadir" if override else data_dir_source
    elif engine.engine == "mongo":
        override = _command_value(argv, "--dbpath")
        data_dir_source = "--dbpath" if override else data_dir_source
    elif engine.engine == "redis":
        override = _command_value(argv, "--dir")
        data_dir_source = "--dir" if override else data_dir_source
    if override is not None and override.startswith("/"):
        override = normalize_target(override)
    else:
        override = None
        if data_dir_source not in ("image default",):
            data_dir_source = "image default"
            data_dir_location = None
    if data_dir_location is None and override is not None:
        data_dir_location = service.command.location if service.command is not None else None
    mounts = service.mounts
    storages: list[Storage] = []
    for layout in engine.layouts:
        data_dir = override or layout.data_dir
        declared = tuple(dict.fromkeys((*layout.volumes, *extra_volumes)))
        storages.append(evaluate(layout, data_dir, declared, mounts, override is not None))
    primary = storages[0]
    persisted: bool | None = primary.persisted
    if len(storages) > 1:
        good = [s for s in storages if s.persisted]
        if good and len(good) < len(storages):
            persisted = None
            primary = Storage(
                primary.layout,
                primary.data_dir,
                DataState.DEPENDS_ON_VERSION,
                good[0].holder,
                None,
                primary.meant,
                "the major version is unknown: the mounts hold the data for "
                + ", ".join(s.layout.label for s in good)
                + " but not for "
                + ", ".join(s.layout.label for s in storages if not s.persisted),
            )
        elif good:
            primary = good[0]
            persisted = True
        else:
            persisted = False
            # never KD103 when the version is unknown
            primary = next((s for s in storages if s.state is not DataState.PG18_PATH), primary)
    alternatives = tuple(s for s in storages if s is not primary)
    declared_all = tuple(
        dict.fromkeys(p for layout in engine.layouts for p in (*layout.volumes, *extra_volumes))
    )
    return Database(
        stack=stack.id,
        service=service.name,
        location=service.location,
        engine=engine.engine,
        family=engine.family,
        image=image_text,
        image_location=image_location,
        tag=ref.tag if ref is not None else None,
        major=engine.major,
        version=engine.version,
        version_known=engine.version_known,
        floating=engine.floating,
        detected_by=detected_by,
        detected_location=detected_location,
        data_dir=primary.data_dir,
        data_dir_source=data_dir_source,
        data_dir_location=data_dir_location,
        declared_volumes=declared_all,
        mounts=mounts,
        storage=primary,
        alternatives=alternatives,
        persisted=persisted,
        dockerfile=dockerfile,
    )


def databases(ctx: Context) -> tuple[Database, ...]:
    """Fact: every database service of every compose stack (see the module docstring)."""
    out: list[Database] = []
    for stack in ctx.fact(compose_stacks):
        for service in stack.services:
            db = detect(ctx, stack, service)
            if db is not None:
                out.append(db)
    return tuple(out)


__all__ = [
    "DataState",
    "Database",
    "Storage",
    "base_major_versions",
    "classify_image",
    "databases",
    "detect",
    "evaluate",
    "parse_image",
]
