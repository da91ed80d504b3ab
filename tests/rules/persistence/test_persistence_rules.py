"""Persistence rules KD101-KD115 (KD111 belongs to the startup area)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.catalog import BY_ID
from analysis.engine import analyze
from analysis.model import Finding, Severity
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "compose"
PERSISTENCE = {f"KD1{n:02d}" for n in range(1, 16)}


def run(root: Path, *rules: str) -> list[Finding]:
    result = analyze(root)
    assert not result.errors, result.errors
    wanted = set(rules) or PERSISTENCE
    return [f for f in result.findings if f.rule in wanted]


def rules_at(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.line) for f in findings]


def db_compose(image: str, volumes: str = "", extra: str = "", top: str = "") -> str:
    vol = f"    volumes:\n{volumes}" if volumes else ""
    return f"name: shop\nservices:\n  db:\n    image: {image}\n{extra}{vol}{top}"


DECLARE = "volumes:\n  pgdata:\n"


def test_seed_like_project_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(FIXTURES / "seed-like", root)
    result = analyze(root)
    assert not result.errors
    ours = [f for f in result.findings if f.rule in PERSISTENCE or f.rule.startswith("KD4")]
    # not a git repository: the major version comparison is only noted
    assert [(f.rule, f.severity) for f in ours] == [("KD115", Severity.INFO)]


# -- KD101 --------------------------------------------------------------------------------------
def test_kd101_no_volume_for_postgres(write_tree) -> None:
    root = write_tree({"docker-compose.yml": db_compose("postgres:16")})
    found = run(root, "KD101", "KD102", "KD103", "KD104", "KD105")
    assert rules_at(found) == [("KD101", "docker-compose.yml", 4)]
    f = found[0]
    assert f.severity is Severity.CRITICAL is BY_ID["KD101"].severity
    assert "'db'" in f.message and "/var/lib/postgresql/data" in f.message
    assert "anonymous volume" in f.message and "down" in f.message


def test_kd101_not_when_a_named_volume_holds_the_data(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16", "      - pgdata:/var/lib/postgresql/data\n", top=DECLARE
            )
        }
    )
    assert run(root, "KD101", "KD102", "KD103", "KD104", "KD105") == []


def test_kd101_mysql_volume_mounted_elsewhere(write_tree) -> None:
    root = write_tree({"docker-compose.yml": db_compose("mysql:8.0", "      - ./backup:/backup\n")})
    assert rules_at(run(root, "KD101", "KD102")) == [("KD101", "docker-compose.yml", 4)]


# -- KD102 --------------------------------------------------------------------------------------
def test_kd102_postgres_17_mounted_at_the_parent(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:17", "      - pgdata:/var/lib/postgresql\n", top=DECLARE
            )
        }
    )
    found = run(root, "KD101", "KD102", "KD103", "KD104", "KD105")
    assert rules_at(found) == [("KD102", "docker-compose.yml", 6)]
    assert found[0].severity is Severity.CRITICAL
    assert "/var/lib/postgresql/data" in found[0].message


def test_kd102_pgdata_outside_the_mount(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16",
                "      - pgdata:/var/lib/postgresql/data\n",
                "    environment:\n      PGDATA: /pgdata\n",
                DECLARE,
            )
        }
    )
    found = run(root, "KD101", "KD102")
    assert rules_at(found) == [("KD102", "docker-compose.yml", 8)]
    assert "PGDATA" in found[0].message
    assert any(r.location.line == 6 for r in found[0].related)


def test_kd102_typo_in_the_data_path(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16", "      - pgdata:/var/lib/postgres/data\n", top=DECLARE
            )
        }
    )
    assert rules_at(run(root, "KD101", "KD102")) == [("KD102", "docker-compose.yml", 6)]


def test_kd102_not_for_postgres_18_at_var_lib_postgresql(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:18", "      - pgdata:/var/lib/postgresql\n", top=DECLARE
            )
        }
    )
    assert run(root, "KD101", "KD102", "KD103", "KD104", "KD105") == []


def test_kd102_only_what_is_wrong_for_every_layout_when_the_version_is_unknown(write_tree) -> None:
    ok_for_one = write_tree(
        {
            "a/docker-compose.yml": db_compose(
                "postgres:${PG_VERSION}", "      - pgdata:/var/lib/postgresql\n", top=DECLARE
            ),
            "b/docker-compose.yml": db_compose(
                "postgres:${PG_VERSION}", "      - pgdata:/var/lib/postgresql/data\n", top=DECLARE
            ),
            "c/docker-compose.yml": db_compose(
                "postgres:${PG_VERSION}", "      - pgdata:/srv/pg\n", top=DECLARE
            ),
            "d/docker-compose.yml": db_compose(
                "ankane/pgvector", "      - pgdata:/var/lib/postgres\n", top=DECLARE
            ),
        }
    )
    found = run(ok_for_one, "KD101", "KD102", "KD103", "KD104", "KD105")
    assert rules_at(found) == [
        ("KD101", "c/docker-compose.yml", 4),
        ("KD102", "d/docker-compose.yml", 6),
    ]
    assert "unknown" in found[0].message


# -- KD103 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "image", ["postgres:18", "postgres:18.1-alpine", "postgres", "postgres:latest"]
)
def test_kd103_postgres_18_with_the_old_mount(write_tree, image: str) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                image, "      - pgdata:/var/lib/postgresql/data\n", top=DECLARE
            )
        }
    )
    found = run(root, "KD101", "KD102", "KD103", "KD104", "KD105")
    assert rules_at(found) == [("KD103", "docker-compose.yml", 6)]
    assert found[0].severity is Severity.HIGH
    assert "/var/lib/postgresql" in found[0].message


def test_kd103_not_when_pgdata_points_into_the_mount(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:18",
                "      - pgdata:/var/lib/postgresql/data\n",
                "    environment:\n      PGDATA: /var/lib/postgresql/data\n",
                DECLARE,
            )
        }
    )
    assert run(root, "KD101", "KD102", "KD103", "KD104", "KD105") == []


def test_kd103_wins_over_kd104_for_an_anonymous_old_mount(write_tree) -> None:
    root = write_tree(
        {"docker-compose.yml": db_compose("postgres:18", "      - /var/lib/postgresql/data\n")}
    )
    assert [f.rule for f in run(root, "KD101", "KD102", "KD103", "KD104", "KD105")] == ["KD103"]


# -- KD104 / KD105 / KD106 ------------------------------------------------------------------
def test_kd104_anonymous_volume_at_the_data_directory(write_tree) -> None:
    root = write_tree({"docker-compose.yml": db_compose("mariadb:11", "      - /var/lib/mysql\n")})
    found = run(root, "KD101", "KD102", "KD103", "KD104", "KD105")
    assert rules_at(found) == [("KD104", "docker-compose.yml", 6)]
    assert found[0].severity is Severity.HIGH


def test_kd104_not_for_a_named_volume(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "mariadb:11", "      - pgdata:/var/lib/mysql\n", top=DECLARE
            )
        }
    )
    assert run(root, "KD104") == []


def test_kd105_tmpfs_key_and_long_syntax(write_tree) -> None:
    root = write_tree(
        {
            "a/docker-compose.yml": db_compose(
                "postgres:16", extra="    tmpfs:\n      - /var/lib/postgresql/data\n"
            ),
            "b/docker-compose.yml": db_compose(
                "mongo:7", "      - type: tmpfs\n        target: /data/db\n"
            ),
        }
    )
    found = run(root, "KD101", "KD102", "KD103", "KD104", "KD105")
    assert rules_at(found) == [
        ("KD105", "a/docker-compose.yml", 6),
        ("KD105", "b/docker-compose.yml", 6),
    ]
    assert all(f.severity is Severity.CRITICAL for f in found)


def test_kd105_not_for_tmpfs_elsewhere(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16",
                "      - pgdata:/var/lib/postgresql/data\n",
                "    tmpfs: /run/postgresql\n",
                DECLARE,
            )
        }
    )
    assert run(root, "KD105") == []


def test_kd106_bind_mount_holds_the_data(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16", "      - ./pgdata:/var/lib/postgresql/data\n"
            )
        }
    )
    found = run(root, "KD101", "KD106")
    assert rules_at(found) == [("KD106", "docker-compose.yml", 6)]
    assert found[0].severity is Severity.LOW


def test_kd106_not_for_a_read_only_init_bind(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16",
                "      - pgdata:/var/lib/postgresql/data\n"
                "      - ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro\n",
                top=DECLARE,
            )
        }
    )
    assert run(root, "KD106") == []


# -- KD107 --------------------------------------------------------------------------------------
def test_kd107_named_volume_not_declared(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16", "      - pgdata:/var/lib/postgresql/data\n"
            )
            + "  app:\n    image: node:20\n    volumes:\n      - uploads:/app/uploads\n"
            + DECLARE
        }
    )
    found = run(root, "KD107")
    assert rules_at(found) == [("KD107", "docker-compose.yml", 10)]
    assert "'uploads'" in found[0].message and found[0].severity is Severity.HIGH


def test_kd107_declared_in_the_override(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16", "      - pgdata:/var/lib/postgresql/data\n"
            ),
            "docker-compose.override.yml": DECLARE,
        }
    )
    assert run(root, "KD107") == []


# -- KD108 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "image", ["postgres", "postgres:latest", "mysql:lts", "mongo:latest", "postgres:alpine"]
)
def test_kd108_unpinned_database_image(write_tree, image: str) -> None:
    root = write_tree({"docker-compose.yml": db_compose(image)})
    found = run(root, "KD108")
    assert rules_at(found) == [("KD108", "docker-compose.yml", 4)]
    assert found[0].severity is Severity.MEDIUM


@pytest.mark.parametrize(
    "image",
    [
        "postgres:16",
        "postgres:16-alpine",
        "mysql:8.0",
        "postgres@sha256:0123abcd",
        "pgvector/pgvector:pg16",
    ],
)
def test_kd108_not_for_pinned_majors(write_tree, image: str) -> None:
    root = write_tree({"docker-compose.yml": db_compose(image)})
    assert run(root, "KD108") == []


# -- KD109 --------------------------------------------------------------------------------------
def test_kd109_two_databases_share_a_volume(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": """\
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
  db-replica:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
"""
        }
    )
    found = run(root, "KD109")
    assert rules_at(found) == [("KD109", "docker-compose.yml", 9)]
    assert found[0].related[0].location.line == 5


def test_kd109_not_for_separate_volumes(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": """\
services:
  db:
    image: postgres:16
    volumes:
      - a:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
  other:
    image: postgres:16
    volumes:
      - b:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
volumes:
  a:
  b:
"""
        }
    )
    assert run(root, "KD109") == []


# -- KD110 --------------------------------------------------------------------------------------
def test_kd110_external_data_volume(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16",
                "      - pgdata:/var/lib/postgresql/data\n",
                top="volumes:\n  pgdata:\n    external: true\n",
            )
        }
    )
    found = run(root, "KD110")
    assert rules_at(found) == [("KD110", "docker-compose.yml", 8)]
    assert found[0].severity is Severity.INFO


def test_kd110_external_volume_mounted_at_the_wrong_path(write_tree) -> None:
    # risky-app's prod stack: postgres:14 mounted at /var/lib/postgresql (KD102) on an
    # external volume: the volume is still the one meant for the data
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:14.2",
                "      - pgdata:/var/lib/postgresql\n",
                top="volumes:\n  pgdata:\n    external: true\n",
            )
        }
    )
    found = run(root, "KD110", "KD102")
    assert sorted(rules_at(found)) == [
        ("KD102", "docker-compose.yml", 6),
        ("KD110", "docker-compose.yml", 8),
    ]


def test_kd110_not_for_a_local_volume(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16",
                "      - pgdata:/var/lib/postgresql/data\n",
                top="volumes:\n  pgdata:\n    driver: local\n",
            )
        }
    )
    assert run(root, "KD110") == []


# -- KD112 --------------------------------------------------------------------------------------
KD112_COMPOSE = """\
services:
  db:
    image: postgres:16
    volumes:
      - ./data/postgres:/var/lib/postgresql/data
  app:
    build: .
"""


def test_kd112_database_folder_in_the_build_context(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": KD112_COMPOSE,
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n",
            ".dockerignore": "node_modules\n",
        }
    )
    found = run(root, "KD112")
    assert rules_at(found) == [("KD112", "docker-compose.yml", 5)]
    assert "data/postgres" in found[0].message and found[0].severity is Severity.MEDIUM


def test_kd112_one_finding_for_services_sharing_the_context(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": KD112_COMPOSE
            + "  worker:\n    build:\n      context: .\n      dockerfile: Dockerfile.worker\n",
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n",
            "Dockerfile.worker": "FROM node:20\nWORKDIR /app\nCOPY . .\n",
            ".dockerignore": "node_modules\n",
        }
    )
    found = run(root, "KD112")
    assert rules_at(found) == [("KD112", "docker-compose.yml", 5)]
    msg = found[0].message
    assert "services 'app' and 'worker'" in msg and ".dockerignore does not exclude it" in msg
    assert [r.location.line for r in found[0].related] == [7, 10, 1]


def test_kd112_not_when_dockerignore_excludes_it(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": KD112_COMPOSE,
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n",
            ".dockerignore": "node_modules\ndata\n",
        }
    )
    assert run(root, "KD112") == []


# -- KD113 --------------------------------------------------------------------------------------
SQLITE_APP = {
    "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
    "prisma/schema.prisma": 'datasource db {\n  provider = "sqlite"\n  url = env("DATABASE_URL")\n}\n',
}


def test_kd113_sqlite_file_in_the_container_layer(write_tree) -> None:
    root = write_tree(
        {
            **SQLITE_APP,
            "docker-compose.yml": (
                "services:\n  app:\n    build: .\n    environment:\n"
                "      DATABASE_URL: file:./dev.db\n"
            ),
        }
    )
    found = run(root, "KD113")
    assert rules_at(found) == [("KD113", "docker-compose.yml", 5)]
    assert "/app/prisma/dev.db" in found[0].message
    assert found[0].severity is Severity.CRITICAL


@pytest.mark.parametrize(
    "volumes",
    ["      - .:/app\n", "      - sqlite:/app/prisma\n", "      - ./prisma:/app/prisma\n"],
)
def test_kd113_not_when_a_mount_covers_the_file(write_tree, volumes: str) -> None:
    root = write_tree(
        {
            **SQLITE_APP,
            "docker-compose.yml": (
                "services:\n  app:\n    build: .\n    environment:\n"
                "      DATABASE_URL: file:./dev.db\n"
                f"    volumes:\n{volumes}volumes:\n  sqlite:\n"
            ),
        }
    )
    assert run(root, "KD113") == []


def test_kd113_image_without_compose(write_tree) -> None:
    root = write_tree(
        {"Dockerfile": "FROM node:20\nWORKDIR /app\nENV DATABASE_URL=file:/data/app.db\nCOPY . .\n"}
    )
    assert rules_at(run(root, "KD113")) == [("KD113", "Dockerfile", 3)]
    covered = write_tree(
        {
            "Dockerfile": (
                "FROM node:20\nWORKDIR /app\nENV DATABASE_URL=file:/data/app.db\nVOLUME /data\n"
            )
        },
        root=root.parent / "covered",
    )
    assert run(covered, "KD113") == []


FLY_IMAGE = "FROM node:20\nWORKDIR /app\nENV DATABASE_URL=file:/data/sqlite.db\nCOPY . .\n"


@pytest.mark.parametrize("dest, fires", [("/data", False), ("/srv/data", True)])
def test_kd113_fly_volume_mount(write_tree, dest: str, fires: bool) -> None:
    # indie-stack: fly.toml mounts its volume at /data, where the SQLite file lives
    fly = f'app = "x"\n\n[mounts]\n  source = "data"\n  destination = "{dest}"\n'
    root = write_tree({"Dockerfile": FLY_IMAGE, "fly.toml": fly})
    assert bool(run(root, "KD113")) is fires


def test_kd113_litefs_data_dir_on_the_fly_volume(write_tree) -> None:
    # epic-stack: the app opens /litefs/data/sqlite.db on LiteFS's FUSE mount, whose files
    # LiteFS keeps in /data/litefs on the Fly volume at /data
    image = (
        "FROM node:20\nWORKDIR /app\nENV LITEFS_DIR=/litefs/data\n"
        'ENV DATABASE_URL=file:/litefs/data/sqlite.db\nCOPY . .\nCMD ["litefs", "mount"]\n'
    )
    fly = '[build]\ndockerfile = "/other/Dockerfile"\n\n[mounts]\nsource = "data"\ndestination = "/data"\n'
    litefs = "fuse:\n  dir: '${LITEFS_DIR}'\ndata:\n  dir: '/data/litefs'\n"
    root = write_tree({"other/Dockerfile": image, "fly.toml": fly, "other/litefs.yml": litefs})
    assert run(root, "KD113") == []
    root = write_tree({"other/litefs.yml": litefs.replace("/data/litefs", "/var/lib/litefs")})
    assert rules_at(run(root, "KD113")) == [("KD113", "other/Dockerfile", 4)]


def test_kd113_literal_schema_url_copied_into_an_image(write_tree) -> None:
    # shopify-app-remix: `url = "file:dev.sqlite"` in the schema, `COPY . .`, no VOLUME
    schema = 'datasource db {\n  provider = "sqlite"\n  url      = "file:dev.sqlite"\n}\n'
    image = 'FROM node:18-alpine\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n'
    root = write_tree({"Dockerfile": image, "prisma/schema.prisma": schema})
    (f,) = run(root, "KD113")
    assert (f.location.path, f.location.line) == ("prisma/schema.prisma", 3)
    assert "/app/prisma/dev.sqlite" in f.message
    root = write_tree({"Dockerfile": image.replace("CMD", "VOLUME /app/prisma\nCMD")})
    assert run(root, "KD113") == []


# -- KD114 --------------------------------------------------------------------------------------
def test_kd114_project_name_not_pinned(write_tree) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
        + DECLARE
    )
    root = write_tree({"docker-compose.yml": compose})
    found = run(root, "KD114")
    # at the volume's declaration (where `name:` would pin it), the mount related
    assert rules_at(found) == [("KD114", "docker-compose.yml", 7)]
    assert [(r.location.path, r.location.line) for r in found[0].related] == [
        ("docker-compose.yml", 5)
    ]
    assert found[0].severity is Severity.LOW
    # a stack at the root is named after the analyzed folder itself
    assert f"{root.name.lower()}_pgdata" in found[0].message


def test_kd114_one_finding_per_volume_also_when_mounted_at_the_wrong_path(write_tree) -> None:
    # risky-app: `db` (postgres:18, pre-18 mount: KD103) and `shadow-db` share `pgdata`
    root = write_tree(
        {
            "docker-compose.yml": (
                "services:\n  db:\n    image: postgres:18\n    volumes:\n"
                "      - pgdata:/var/lib/postgresql/data\n"
                "  shadow:\n    image: postgres:16\n    volumes:\n"
                "      - pgdata:/var/lib/postgresql/data\n"
                "  mongo:\n    image: mongo:7\n    volumes:\n"
                "      - /data/db\n      - mongo_config:/data/configdb\n"
                "volumes:\n  pgdata:\n  mongo_config:\n"
            )
        }
    )
    found = run(root, "KD114")
    # mongo's data sits on an anonymous volume (KD104); its config volume holds no data
    assert rules_at(found) == [("KD114", "docker-compose.yml", 16)]
    assert "'db' and 'shadow'" in found[0].message
    assert [r.location.line for r in found[0].related] == [5, 9]


@pytest.mark.parametrize(
    "files",
    [
        {"docker-compose.yml": "name: shop\n"},
        {".env": "COMPOSE_PROJECT_NAME=shop\n"},
        {"docker-compose.override.yml": "volumes:\n  pgdata:\n    name: shop_pgdata\n"},
    ],
)
def test_kd114_not_when_the_name_is_fixed(write_tree, files: dict[str, str]) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
        + DECLARE
    )
    tree = {"docker-compose.yml": files.get("docker-compose.yml", "") + compose}
    tree.update({k: v for k, v in files.items() if k != "docker-compose.yml"})
    root = write_tree(tree)
    assert run(root, "KD114") == []


# -- KD115 --------------------------------------------------------------------------------------
def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(root),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_kd115_major_version_changed_since_head(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    compose = "name: shop\nservices:\n  db:\n    image: postgres:{v}\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n"
    (root / "docker-compose.yml").write_text(compose.format(v="${PG_VERSION:-15}"))
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "init")
    (root / "docker-compose.yml").write_text(compose.format(v="${PG_VERSION:-16}"))
    found = run(root, "KD115")
    assert rules_at(found) == [("KD115", "docker-compose.yml", 4)]
    assert found[0].severity is Severity.HIGH
    assert "15" in found[0].message and "16" in found[0].message
    (root / "docker-compose.yml").write_text(compose.format(v="15.4"))
    assert run(root, "KD115") == []


def test_kd115_not_a_repository_is_info(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose(
                "postgres:16", "      - pgdata:/var/lib/postgresql/data\n", top=DECLARE
            )
        }
    )
    found = run(root, "KD115")
    if found:  # tmp_path may sit inside a repository on some machines
        assert [f.severity for f in found] == [Severity.INFO]
        assert "not a git repository" in found[0].message


def test_two_stacks_that_each_define_db_give_two_findings(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose("postgres:16"),
            "docs/examples/postgres/docker-compose.yml": db_compose("postgres:16"),
        }
    )
    assert rules_at(run(root, "KD101")) == [
        ("KD101", "docker-compose.yml", 4),
        ("KD101", "docs/examples/postgres/docker-compose.yml", 4),
    ]


def test_override_fixes_what_the_base_misses(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": db_compose("postgres:16"),
            "docker-compose.override.yml": (
                "services:\n  db:\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
                + DECLARE
            ),
        }
    )
    assert run(root, "KD101", "KD107") == []
