"""What a database image is: its reference (`parse_image`), the engine, major version and data
directory layouts it implies (`classify_image`), and whether a redis command line persists.
"""

from __future__ import annotations

import re

from analysis.lazy_re import lazy_compile
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


_MAJOR = lazy_compile(r"^v?(\d+)(?:\.\d+)*(?=$|[-_.])")
_PG_IN_TAG = lazy_compile(r"(?:^|[-_])pg(\d+)(?=$|[-_.])")


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
