"""Which services are databases, their versions, data directories and persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.context import Context
from analysis.discover import discover
from analysis.facts.databases import (
    Database,
    DataState,
    classify_image,
    databases,
    parse_image,
)


def dbs_of(root: Path) -> dict[str, Database]:
    return {d.service: d for d in Context(root, discover(root)).fact(databases)}


def one_service(image: str, extra: str = "") -> str:
    return f"services:\n  db:\n    image: {image}\n{extra}"


@pytest.mark.parametrize(
    ("image", "engine", "major", "data_dir"),
    [
        ("postgres:16-alpine", "postgres", 16, "/var/lib/postgresql/data"),
        ("postgres:17.2", "postgres", 17, "/var/lib/postgresql/data"),
        ("postgres:9.6", "postgres", 9, "/var/lib/postgresql/data"),
        ("postgres:18", "postgres", 18, "/var/lib/postgresql/18/docker"),
        ("postgres:19-trixie", "postgres", 19, "/var/lib/postgresql/19/docker"),
        ("docker.io/library/postgres:15", "postgres", 15, "/var/lib/postgresql/data"),
        ("postgis/postgis:16-3.4", "postgres", 16, "/var/lib/postgresql/data"),
        ("pgvector/pgvector:pg17", "postgres", 17, "/var/lib/postgresql/data"),
        ("pgvector/pgvector:0.8.0-pg18", "postgres", 18, "/var/lib/postgresql/18/docker"),
        ("timescale/timescaledb:latest-pg16", "postgres", 16, "/var/lib/postgresql/data"),
        ("timescale/timescaledb-ha:pg16", "postgres", 16, "/home/postgres/pgdata/data"),
        ("bitnami/postgresql:16", "postgres", 16, "/bitnami/postgresql/data"),
        ("tensorchord/pgvecto-rs:pg16-v0.2.0", "postgres", 16, "/var/lib/postgresql/data"),
        (
            "ghcr.io/immich-app/postgres:14-vectorchord0.4.3",
            "postgres",
            14,
            "/var/lib/postgresql/data",
        ),
        ("mysql:8.0", "mysql", 8, "/var/lib/mysql"),
        ("mariadb:11.4", "mariadb", 11, "/var/lib/mysql"),
        ("bitnami/mysql:8.4", "mysql", 8, "/bitnami/mysql/data"),
        # bitnami/mariadb's README: "mount a directory at the /bitnami/mariadb path"
        ("bitnami/mariadb:11.4", "mariadb", 11, "/bitnami/mariadb/data"),
        ("mongo:7", "mongo", 7, "/data/db"),
        ("bitnami/mongodb:7.0", "mongo", 7, "/bitnami/mongodb/data/db"),
        ("mcr.microsoft.com/mssql/server:2022-latest", "mssql", 2022, "/var/opt/mssql"),
        ("cockroachdb/cockroach:v23.2.0", "cockroach", 23, "/cockroach/cockroach-data"),
    ],
)
def test_database_images(write_tree, image: str, engine: str, major: int, data_dir: str) -> None:
    root = write_tree({"docker-compose.yml": one_service(image)})
    db = dbs_of(root)["db"]
    assert (db.engine, db.major, db.data_dir) == (engine, major, data_dir)
    assert db.version_known
    assert db.image_location is not None and db.image_location.line == 3


@pytest.mark.parametrize(
    "image",
    ["supabase/postgres:15.1.0.147", "ankane/pgvector:v0.5.1", "acme/billing-postgres:2.3"],
)
def test_derivatives_with_their_own_tags_have_unknown_versions(write_tree, image: str) -> None:
    root = write_tree({"docker-compose.yml": one_service(image)})
    db = dbs_of(root)["db"]
    assert db.engine == "postgres"
    assert db.major is None and not db.version_known


@pytest.mark.parametrize("image", ["node:20", "nginx:1", "redis:7", "adminer", "myapp/api:1"])
def test_not_databases(write_tree, image: str) -> None:
    root = write_tree({"docker-compose.yml": one_service(image)})
    assert dbs_of(root) == {}


def test_password_variables_alone_do_not_make_a_database(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": """\
services:
  api:
    image: node:20
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
      POSTGRES_DB: app
      POSTGRES_USER: app
"""
        }
    )
    assert dbs_of(root) == {}


def test_redis_only_with_persistence(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": """\
services:
  cache:
    image: redis:7
  queue:
    image: redis:7-alpine
    command: redis-server --appendonly yes
  store:
    image: redis:7
    command: ["redis-server", "--save", "60", "1"]
  nosave:
    image: redis:7
    command: ["redis-server", "--save", ""]
"""
        }
    )
    dbs = dbs_of(root)
    assert set(dbs) == {"queue", "store"}
    assert dbs["queue"].data_dir == "/data"


def test_pgdata_makes_a_database_and_moves_the_data(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": """\
services:
  pg:
    image: registry.example.com/internal/db-image:3
    environment:
      PGDATA: /data/pg
    volumes:
      - pgdata:/data
  main:
    image: postgres:16
    environment:
      - PGDATA=/var/lib/postgresql/data/pgdata
    volumes:
      - main:/var/lib/postgresql/data
volumes:
  pgdata:
  main:
"""
        }
    )
    dbs = dbs_of(root)
    pg = dbs["pg"]
    assert pg.engine == "postgres" and pg.detected_by == "sets PGDATA"
    assert pg.data_dir == "/data/pg" and pg.data_dir_source == "PGDATA"
    assert pg.persisted is True
    main = dbs["main"]
    assert main.data_dir == "/var/lib/postgresql/data/pgdata"
    assert main.data_dir_location is not None and main.data_dir_location.line == 11
    assert main.state is DataState.PERSISTED


def test_built_from_a_dockerfile_whose_final_stage_is_postgres(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": """\
services:
  db:
    build:
      context: ./db
      args:
        PG_MAJOR: "17"
    volumes:
      - dbdata:/var/lib/postgresql/data
  api:
    build: ./api
volumes:
  dbdata:
""",
            "db/Dockerfile": (
                "ARG PG_MAJOR=16\nFROM postgres:${PG_MAJOR} AS base\n"
                "RUN apt-get update\nFROM base\nCOPY init.sql /docker-entrypoint-initdb.d/\n"
            ),
            "api/Dockerfile": "FROM node:20\nENV POSTGRES_PASSWORD=x\n",
        }
    )
    dbs = dbs_of(root)
    assert set(dbs) == {"db"}
    db = dbs["db"]
    assert db.major == 17 and db.image == "postgres:17"
    assert db.dockerfile == "db/Dockerfile"
    assert db.image_location is not None and db.image_location.path == "db/Dockerfile"
    assert db.image_location.line == 2
    assert db.persisted is True


def test_unknown_version_from_a_variable_without_default(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": one_service(
                "postgres:${PG_VERSION}", "    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
            )
            + "volumes:\n  pgdata:\n"
        }
    )
    db = dbs_of(root)["db"]
    assert db.major is None and not db.version_known
    assert "PG_VERSION" in db.version
    # right for <= 17, wrong for 18+: it depends
    assert db.state is DataState.DEPENDS_ON_VERSION and db.persisted is None


def test_version_from_dotenv_and_default(write_tree) -> None:
    root = write_tree(
        {
            "a/compose.yaml": one_service("postgres:${PG_VERSION}"),
            "a/.env": "PG_VERSION=15\n",
            "b/compose.yaml": one_service("postgres:${PG_VERSION:-18}"),
        }
    )
    ctx = Context(root, discover(root))
    majors = {d.stack: d.major for d in ctx.fact(databases)}
    assert majors == {"a/compose.yaml": 15, "b/compose.yaml": 18}


def test_latest_and_untagged_postgres_use_the_18_layout(write_tree) -> None:
    for image in ("postgres", "postgres:latest", "postgres:alpine"):
        root = write_tree({"compose.yaml": one_service(image)}, root=None)
        db = dbs_of(root)["db"]
        assert db.floating
        assert db.data_dir == "/var/lib/postgresql/18/docker"
        assert db.declared_volumes == ("/var/lib/postgresql",)


def test_image_references() -> None:
    ref = parse_image("ghcr.io/immich-app/postgres:14-vectorchord0.4.3@sha256:abc")
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        "ghcr.io",
        "immich-app/postgres",
        "14-vectorchord0.4.3",
        "sha256:abc",
    )
    assert parse_image("localhost:5000/postgres").tag is None
    assert parse_image("localhost:5000/postgres").registry == "localhost:5000"
    assert parse_image("library/postgres:16").name == "postgres"
    pinned_by_digest = classify_image(parse_image("postgres@sha256:abc"), None)
    assert pinned_by_digest is not None and not pinned_by_digest.floating
