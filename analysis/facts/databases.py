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
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks, is_file
from analysis.gitread import git_dir_of, read_blobs, resolve_commit
from analysis.model import Location
from analysis.parsers.compose.files import parse_compose_text
from analysis.parsers.compose.records import Mount, MountKind, Service, covers, normalize_target
from analysis.parsers.dockerfile.parser import parse_dockerfile, parse_dockerfile_text
from analysis.parsers.dockerfile.records import DockerfileFile
from analysis.parsers.dockerfile.words import expand
from analysis.parsers.interpolate import interpolate, variables
from analysis.records import dataclass


# -- images ---------------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class ImageRef:
    """`[registry/]repository[:tag][@digest]` with Docker Hub's `library/` removed."""

    text: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """Repository with its registry (`mcr.microsoft.com/mssql/server`, `postgres`)."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def last(self) -> str:
        return self.repository.rsplit("/", 1)[-1]


def parse_image(text: str) -> ImageRef:
    ref = text.strip()
    digest = None
    if "@" in ref:
        ref, _, digest = ref.partition("@")
    tag = None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    registry = None
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry = parts[0]
        parts = parts[1:]
    if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        registry = None
    if registry is None and len(parts) == 2 and parts[0] == "library":
        parts = parts[1:]
    return ImageRef(text.strip(), registry, "/".join(parts).lower(), tag or None, digest)


@dataclass(slots=True, frozen=True)
class Layout:
    """Where an image keeps its data: the directory, the `VOLUME`s it declares and the path
    prefixes under which a mount is clearly meant for the data."""

    label: str
    data_dir: str
    volumes: tuple[str, ...]
    roots: tuple[str, ...]


PG_ROOTS = ("/var/lib/postgres",)
PG_PRE18 = Layout(
    "postgres ≤ 17", "/var/lib/postgresql/data", ("/var/lib/postgresql/data",), PG_ROOTS
)


def pg18(major: int | None) -> Layout:
    shown = str(major) if major is not None else "18"
    return Layout(
        "postgres 18+", f"/var/lib/postgresql/{shown}/docker", ("/var/lib/postgresql",), PG_ROOTS
    )


MYSQL = Layout("mysql", "/var/lib/mysql", ("/var/lib/mysql",), ("/var/lib/mysql",))
MARIADB = Layout("mariadb", "/var/lib/mysql", ("/var/lib/mysql",), ("/var/lib/mysql",))
MONGO = Layout("mongo", "/data/db", ("/data/db", "/data/configdb"), ("/data/db", "/data"))
REDIS = Layout("redis", "/data", ("/data",), ("/data",))
MSSQL = Layout("mssql", "/var/opt/mssql", (), ("/var/opt/mssql",))
COCKROACH = Layout("cockroach", "/cockroach/cockroach-data", (), ("/cockroach",))
BITNAMI_PG = Layout(
    "bitnami/postgresql", "/bitnami/postgresql/data", ("/bitnami/postgresql",), ("/bitnami",)
)
BITNAMI_MYSQL = Layout("bitnami/mysql", "/bitnami/mysql/data", ("/bitnami/mysql",), ("/bitnami",))
BITNAMI_MARIADB = Layout(
    "bitnami/mariadb", "/bitnami/mariadb/data", ("/bitnami/mariadb",), ("/bitnami",)
)
"""bitnami/mariadb keeps its data in /bitnami/mariadb/data (its README: "mount a directory at
the /bitnami/mariadb path"), not in bitnami/mysql's folder."""
BITNAMI_MONGO = Layout(
    "bitnami/mongodb", "/bitnami/mongodb/data/db", ("/bitnami/mongodb",), ("/bitnami",)
)
TIMESCALE_HA = Layout(
    "timescaledb-ha", "/home/postgres/pgdata/data", (), ("/home/postgres/pgdata",)
)

POSTGRES_FAMILY = frozenset(
    {"postgres", "postgis/postgis", "pgvector/pgvector", "timescale/timescaledb"}
)
"""Images built on the official postgres image, with its layout for their major."""
DERIVATIVES = frozenset(
    {
        "ankane/pgvector",
        "tensorchord/pgvecto-rs",
        "ghcr.io/immich-app/postgres",
        "appwrite/postgres",
        "supabase/postgres",
        "tensorchord/vchord-postgres",
        "paradedb/paradedb",
        "citusdata/citus",
        "apache/age",
    }
)
"""Known images derived from postgres whose tags are their own."""
ENGINE_PORTS = {
    "postgres": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "mongo": 27017,
    "mssql": 1433,
    "cockroach": 26257,
    "redis": 6379,
}
FLOATING_TAGS = frozenset(
    {
        "latest",
        "lts",
        "innovation",
        "stable",
        "alpine",
        "bookworm",
        "bullseye",
        "trixie",
        "jammy",
        "noble",
        "focal",
        "slim",
        "edge",
        "rc",
    }
)


@dataclass(slots=True, frozen=True)
class Engine:
    """What an image is: engine, how its tag gives the major, and its layouts."""

    engine: str
    family: str
    major: int | None
    version: str
    version_known: bool
    floating: bool
    layouts: tuple[Layout, ...]


_MAJOR = re.compile(r"^v?(\d+)(?:\.\d+)*(?=$|[-_.])")
_PG_IN_TAG = re.compile(r"(?:^|[-_])pg(\d+)(?=$|[-_.])")


def _lead_major(tag: str) -> int | None:
    m = _MAJOR.match(tag)
    return int(m.group(1)) if m else None


def _is_floating(tag: str | None) -> bool:
    if tag is None:
        return True
    low = tag.lower()
    if low in FLOATING_TAGS:
        return True
    # alpine3.20, bookworm-slim, latest-pg16 (that one is pinned by its pg16), ...
    m = re.match(r"[a-z]+", low)
    head = m.group(0) if m else ""
    return head in FLOATING_TAGS and _PG_IN_TAG.search(low) is None


def _pg_layouts(major: int | None, latest: bool) -> tuple[Layout, ...]:
    if major is not None:
        return (pg18(major),) if major >= 18 else (PG_PRE18,)
    if latest:
        return (pg18(None),)
    return (PG_PRE18, pg18(None))


def classify_image(
    ref: ImageRef, tag_unknown_reason: str | None, command: tuple[str, ...] = ()
) -> Engine | None:
    """The engine of an image reference, or None when it is not a database image."""
    name = ref.name
    repo = ref.repository
    tag = ref.tag
    unknown = tag_unknown_reason is not None
    floating = not unknown and _is_floating(tag) and ref.digest is None

    def version_text(major: int | None, latest: bool) -> str:
        if unknown:
            return f"unknown ({tag_unknown_reason})"
        if major is not None:
            return str(major)
        if latest:
            return f"{tag or 'latest'} (untagged: newest major)"
        if ref.digest is not None and tag is None:
            return "unknown (pinned by digest)"
        return f"unknown (tag {tag})"

    def result(engine: str, major: int | None, layouts: tuple[Layout, ...]) -> Engine:
        latest = floating and major is None
        known = major is not None or (latest and engine == "postgres" and repo == "postgres")
        return Engine(
            engine,
            repo if repo != name else name,
            major,
            version_text(major, latest),
            known and not unknown,
            floating,
            layouts,
        )

    low_tag = (tag or "").lower()
    if name == "postgres":
        major = None if unknown else _lead_major(low_tag)
        latest = floating and major is None and not unknown
        return result("postgres", major, _pg_layouts(major, latest))
    if name in POSTGRES_FAMILY or name.startswith("timescale/timescaledb"):
        if name == "timescale/timescaledb-ha":
            m = _PG_IN_TAG.search(low_tag)
            return result("postgres", int(m.group(1)) if m else None, (TIMESCALE_HA,))
        m = _PG_IN_TAG.search(low_tag)
        major = int(m.group(1)) if m else None
        if major is None and name == "postgis/postgis":
            major = _lead_major(low_tag)
        if unknown:
            major = None
        return result("postgres", major, _pg_layouts(major, False))
    if name == "bitnami/postgresql":
        return result("postgres", None if unknown else _lead_major(low_tag), (BITNAMI_PG,))
    if name in DERIVATIVES or re.search(r"(postgres|postgresql|postgis)$", ref.last):
        m = _PG_IN_TAG.search(low_tag)
        major = int(m.group(1)) if m and not unknown else None
        if major is None and name == "ghcr.io/immich-app/postgres" and not unknown:
            major = _lead_major(low_tag)
        return result("postgres", major, _pg_layouts(major, False))
    if name in ("mysql", "mysql/mysql-server"):
        return result("mysql", None if unknown else _lead_major(low_tag), (MYSQL,))
    if name == "mariadb":
        return result("mariadb", None if unknown else _lead_major(low_tag), (MARIADB,))
    if name == "bitnami/mysql":
        return result("mysql", None if unknown else _lead_major(low_tag), (BITNAMI_MYSQL,))
    if name == "bitnami/mariadb":
        return result("mariadb", None if unknown else _lead_major(low_tag), (BITNAMI_MARIADB,))
    if name == "mongo":
        return result("mongo", None if unknown else _lead_major(low_tag), (MONGO,))
    if name == "bitnami/mongodb":
        return result("mongo", None if unknown else _lead_major(low_tag), (BITNAMI_MONGO,))
    if name == "mcr.microsoft.com/mssql/server":
        return result("mssql", None if unknown else _lead_major(low_tag), (MSSQL,))
    if name == "cockroachdb/cockroach":
        return result("cockroach", None if unknown else _lead_major(low_tag), (COCKROACH,))
    if name in ("redis", "bitnami/redis", "redis/redis-stack-server"):
        if not redis_persistent(command):
            return None
        return result("redis", None if unknown else _lead_major(low_tag), (REDIS,))
    return None


def redis_persistent(argv: tuple[str, ...]) -> bool:
    """`--appendonly yes` or `--save <rule>` (not `--save ""`) on the redis command line."""
    words = list(argv)
    if len(words) >= 3 and words[0] in ("sh", "/bin/sh", "bash") and words[1] == "-c":
        words = words[2].split()
    for i, w in enumerate(words):
        nxt = words[i + 1].strip("'\"") if i + 1 < len(words) else ""
        if w == "--appendonly" and nxt.lower() == "yes":
            return True
        if w.startswith("--appendonly=") and w.split("=", 1)[1].lower() == "yes":
            return True
        if w == "--save" and nxt and not nxt.startswith("--"):
            return True
    return False


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


# -- the base revision (KD115) ------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class BaseVersion:
    """A database's image at the base revision."""

    image: str
    major: int | None
    mounts: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class BaseHistory:
    """The databases' images at `ref` (HEAD or `--base REF`), keyed by (stack, service).
    `note` says why nothing could be compared (not a git repository, no commit, ...)."""

    ref: str
    majors: Mapping[tuple[str, str], BaseVersion]
    note: str | None = None


_GIT_CACHE: dict[tuple[str, str, str], str | None] = {}
_GIT_CACHE_LIMIT = 2_000
_GIT_CACHE_CHARS = 16_000_000
"""The cached file versions hold at most this many characters (bounded in bytes as well as
in entries: 2,000 versions of 2 MB files would be 4 GB)."""
_git_cached_chars = 0


def _read_ref(git_dir: Path, ref: str) -> str | None:
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        try:
            common = (git_dir / commondir.read_text().strip()).resolve()
        except OSError:
            return None
    for base in (git_dir, common):
        f = base / ref
        if f.is_file():
            try:
                return f.read_text().strip() or None
            except OSError:
                return None
    packed = common / "packed-refs"
    if packed.is_file():
        try:
            for line in packed.read_text(errors="replace").splitlines():
                sha, _, name = line.partition(" ")
                if name.strip() == ref:
                    return sha
        except OSError:
            return None
    return None


def _head_sha(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return None
    if head.startswith("ref:"):
        return _read_ref(git_dir, head[4:].strip())
    return head or None


def _git_show_all(top: Path, commit: str, paths: list[str]) -> dict[str, str]:
    """The text of each path at `commit` (one `git cat-file --batch` for those not cached;
    a commit's files never change, so the answers are kept)."""
    global _git_cached_chars
    missing = [p for p in paths if (str(top), commit, p) not in _GIT_CACHE]
    if missing:
        blobs = read_blobs(top, (f"{commit}:{p}" for p in missing))
        added = sum(len(b) for b in blobs.values())
        if (
            len(_GIT_CACHE) + len(missing) > _GIT_CACHE_LIMIT
            or _git_cached_chars + added > _GIT_CACHE_CHARS
        ):
            _GIT_CACHE.clear()
            _git_cached_chars = 0
        _git_cached_chars += added
        for p in missing:
            blob = blobs.get(f"{commit}:{p}")
            _GIT_CACHE[(str(top), commit, p)] = (
                blob.decode("utf-8", errors="replace") if blob is not None else None
            )
    out: dict[str, str] = {}
    for p in paths:
        text = _GIT_CACHE.get((str(top), commit, p))
        if text is not None:
            out[p] = text
    return out


_REF_CACHE: dict[tuple[str, str, str], str | None] = {}


def base_major_versions(ctx: Context, dbs: tuple[Database, ...]) -> BaseHistory:
    """The image and major of each database at the base revision, read with `git show`."""
    ref = ctx.settings.base_ref or "HEAD"
    found = git_dir_of(ctx.root)
    if found is None:
        return BaseHistory(ref, {}, "the project is not a git repository")
    top, git_dir = found
    head = _head_sha(git_dir)
    if ref == "HEAD":
        commit = head or resolve_commit(top, "HEAD")
    else:
        key = (str(top), ref, head or "")
        if key not in _REF_CACHE:
            _REF_CACHE[key] = resolve_commit(top, ref)
        commit = _REF_CACHE[key]
    if commit is None:
        return BaseHistory(ref, {}, f"{ref} names no commit (nothing committed yet?)")
    try:
        prefix = ctx.root.relative_to(top.resolve()).as_posix()
    except ValueError:
        prefix = ""
    prefix = "" if prefix in ("", ".") else prefix + "/"
    stacks = {s.id: s for s in ctx.fact(compose_stacks)}
    out_map: dict[tuple[str, str], BaseVersion] = {}
    wanted = [db for db in dbs if db.image_location is not None and db.stack in stacks]
    texts = _git_show_all(
        top, commit, [prefix + db.image_location.path for db in wanted if db.image_location]
    )
    for db in wanted:
        loc = db.image_location
        stack = stacks[db.stack]
        old_text = texts.get(prefix + loc.path) if loc is not None else None
        if loc is None or old_text is None:
            continue
        env = {v.name: v.value for v in stack.dotenv_vars if v.value is not None}
        old = _old_image(loc.path, old_text, db, env)
        if old is not None:
            out_map[(db.stack, db.service)] = old
    return BaseHistory(ref, out_map)


def _old_image(path: str, text: str, db: Database, env: dict[str, str]) -> BaseVersion | None:
    if db.dockerfile is not None and path == db.dockerfile:
        parsed = parse_dockerfile_text(text, path)
        stage = parsed.final_stage
        if stage is None:
            return None
        image = parsed.chain(stage)[0].image
        mounts: tuple[str, ...] = ()
    else:
        old = parse_compose_text(text, path)
        service = old.service(db.service)
        if service is None or service.image is None:
            return None
        image = interpolate(service.image.raw, env).value
        mounts = tuple(m.source or "" for m in service.mounts)
    engine = classify_image(parse_image(image), None, ("--appendonly", "yes"))
    if engine is None:
        return None
    return BaseVersion(image, engine.major, mounts)
