"""The compose parser: positions, syntax variants, and hostile input."""

from __future__ import annotations

import time
from pathlib import Path

from analysis.engine import analyze
from analysis.parsers.compose import (
    MountKind,
    YMap,
    YScalar,
    parse_compose_text,
)

FULL = """\
name: shop
x-db-env: &db-env
  POSTGRES_USER: app
  POSTGRES_DB: app
services:
  db:
    image: postgres:16-alpine
    environment:
      <<: *db-env
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
    volumes:
      - postgres_data:/var/lib/postgresql/data
      - ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro
    ports:
      - "127.0.0.1:5432:5432"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 5s
      retries: 10
  api:
    build:
      context: ./api
      dockerfile: docker/Dockerfile
      target: runner
      args:
        - NODE_VERSION=20
    command: sh -c "npx prisma migrate deploy && node dist/main.js"
    entrypoint: ["/app/entrypoint.sh"]
    env_file:
      - .env
      - path: .env.local
        required: false
    environment:
      - DATABASE_URL=postgresql://app:${POSTGRES_PASSWORD}@db:5432/app
      - NODE_ENV
    depends_on:
      db:
        condition: service_healthy
    ports:
      - "3000:3000"
      - target: 9229
        published: "9229"
        host_ip: 127.0.0.1
      - "[::1]:6000:6000/udp"
      - 8080
    volumes:
      - .:/app
      - /app/node_modules
      - type: tmpfs
        target: /tmp/cache
      - type: volume
        source: uploads
        target: /app/uploads
        read_only: true
    tmpfs:
      - /run
    profiles: [web]
    deploy:
      replicas: 2
    pull_policy: always
  worker:
    image: ghcr.io/acme/worker:1.2
    scale: 3
    depends_on: [db]
    extends:
      file: common.yml
      service: base
volumes:
  postgres_data:
  uploads:
    driver: local
  backups:
    external: true
  shared:
    name: shop_shared
include:
  - extra/compose.yaml
  - path: [more/compose.yaml]
    project_directory: more
"""


def test_every_service_and_entry_has_its_line_and_column() -> None:
    f = parse_compose_text(FULL, "docker-compose.yml")
    assert f.problems == ()
    assert [s.name for s in f.services] == ["db", "api", "worker"]
    db, api, worker = f.services
    assert (db.location.line, db.location.column) == (6, 3)
    assert db.image is not None and db.image.value == "postgres:16-alpine"
    assert (db.image.location.line, db.image.location.column) == (7, 12)
    # environment merged from the anchor, the explicit key last
    assert [e.name for e in db.environment] == ["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"]
    assert db.environment[0].location.line == 3  # the anchor's line
    assert db.environment[2].location.line == 10
    assert db.environment[2].raw == "${POSTGRES_PASSWORD:?set it}"
    vol = db.mounts[0]
    assert (vol.kind, vol.source, vol.target) == (
        MountKind.VOLUME,
        "postgres_data",
        "/var/lib/postgresql/data",
    )
    assert (vol.location.line, vol.location.column) == (12, 9)
    init = db.mounts[1]
    assert init.kind is MountKind.BIND and init.read_only and init.host_path == "init.sql"
    assert db.ports[0].host_ip == "127.0.0.1" and not db.ports[0].all_interfaces
    assert db.ports[0].location.line == 15
    assert db.healthcheck is not None and db.healthcheck.test is not None
    assert db.healthcheck.test.argv == ("CMD-SHELL", "pg_isready -U app")
    assert db.healthcheck.retries == 10
    assert api.build is not None
    assert api.build.context_path == "api"
    assert api.build.dockerfile_path == "api/docker/Dockerfile"
    assert api.build.target == "runner"
    assert [(a.name, a.value) for a in api.build.args] == [("NODE_VERSION", "20")]
    assert api.command is not None and api.command.form == "shell"
    assert api.command.argv == ("sh", "-c", "npx prisma migrate deploy && node dist/main.js")
    assert api.command.location.line == 27
    assert api.entrypoint is not None and api.entrypoint.form == "exec"
    assert api.entrypoint.items[0].line == 28
    assert [(r.path, r.resolved, r.required) for r in api.env_files] == [
        (".env", ".env", True),
        (".env.local", ".env.local", False),
    ]
    assert [(e.name, e.value) for e in api.environment] == [
        ("DATABASE_URL", "postgresql://app:${POSTGRES_PASSWORD}@db:5432/app"),
        ("NODE_ENV", None),
    ]
    assert api.environment[0].location.line == 34
    assert [(d.service, d.condition) for d in api.depends_on] == [("db", "service_healthy")]
    ports = api.ports
    assert ports[0].all_interfaces and ports[0].published == "3000"
    assert (
        ports[1].host_ip == "127.0.0.1"
        and ports[1].target == "9229"
        and ports[1].location.line == 41
    )
    assert ports[2].host_ip == "[::1]" and ports[2].protocol == "udp" and ports[2].loopback
    assert ports[3].published is None and ports[3].target == "8080" and ports[3].all_interfaces
    kinds = [(m.kind, m.target) for m in api.mounts]
    assert kinds == [
        (MountKind.BIND, "/app"),
        (MountKind.ANONYMOUS, "/app/node_modules"),
        (MountKind.TMPFS, "/tmp/cache"),
        (MountKind.VOLUME, "/app/uploads"),
        (MountKind.TMPFS, "/run"),
    ]
    assert api.mounts[0].host_path == "."
    assert api.mounts[3].read_only and api.mounts[3].syntax == "long"
    assert api.profiles == ("web",)
    assert api.replicas == 2 and api.instances == 2
    assert api.pull_policy is not None and api.pull_policy.value == "always"
    assert worker.scale == 3 and worker.instances == 3
    assert [d.service for d in worker.depends_on] == ["db"]
    assert worker.extends is not None
    assert (worker.extends.file, worker.extends.service) == ("common.yml", "base")
    assert f.name is not None and f.name.value == "shop"
    vols = {v.name: v for v in f.volumes}
    assert vols["uploads"].driver == "local" and vols["uploads"].local
    assert vols["backups"].external and not vols["backups"].local
    assert vols["shared"].explicit_name == "shop_shared"
    assert vols["postgres_data"].location.line == 69
    assert [tuple(p.value for p in i.paths) for i in f.includes] == [
        ("extra/compose.yaml",),
        ("more/compose.yaml",),
    ]
    assert f.includes[1].project_directory is not None


def test_short_volume_syntax_variants() -> None:
    text = """\
services:
  a:
    image: x
    volumes:
      - data:/var/lib/mysql
      - ./data:/var/lib/mysql:ro
      - /app/node_modules
      - ~/backups:/backups
      - /srv/pg:/var/lib/postgresql/data:rw,z
      - ${DATA_DIR:-./pg}:/var/lib/postgresql/data
      - ../outside:/x
      - data/:/trailing/
"""
    a = parse_compose_text(text, "deploy/compose.yaml").services[0]
    got = [(m.kind, m.source, m.target, m.read_only, m.host_path) for m in a.mounts]
    assert got == [
        (MountKind.VOLUME, "data", "/var/lib/mysql", False, None),
        (MountKind.BIND, "./data", "/var/lib/mysql", True, "deploy/data"),
        (MountKind.ANONYMOUS, None, "/app/node_modules", False, None),
        (MountKind.BIND, "~/backups", "/backups", False, None),
        (MountKind.BIND, "/srv/pg", "/var/lib/postgresql/data", False, None),
        (MountKind.BIND, "${DATA_DIR:-./pg}", "/var/lib/postgresql/data", False, None),
        (MountKind.BIND, "../outside", "/x", False, "outside"),
        (MountKind.VOLUME, "data/", "/trailing", False, None),
    ]


def test_relative_container_path_and_too_many_colons_are_problems() -> None:
    text = "services:\n  a:\n    image: x\n    volumes:\n      - data:relative\n      - a:b:c:d\n"
    f = parse_compose_text(text, "compose.yaml")
    assert [p.rule for p in f.problems] == ["KD001", "KD001"]
    assert [p.location.line for p in f.problems] == [5, 6]


def test_environment_as_mapping_and_list() -> None:
    text = """\
services:
  a:
    image: x
    environment:
      A: "1"
      B:
      C: ""
  b:
    image: x
    environment:
      - A=1
      - B
      - C=
      - D=x=y
"""
    a, b = parse_compose_text(text, "compose.yaml").services
    assert [(e.name, e.value) for e in a.environment] == [("A", "1"), ("B", None), ("C", "")]
    assert [(e.name, e.value) for e in b.environment] == [
        ("A", "1"),
        ("B", None),
        ("C", ""),
        ("D", "x=y"),
    ]
    assert [e.location.line for e in b.environment] == [11, 12, 13, 14]


def test_build_as_string_and_env_file_as_string() -> None:
    text = "services:\n  a:\n    build: ./app\n    env_file: app.env\n"
    a = parse_compose_text(text, "sub/compose.yml").services[0]
    assert a.build is not None
    assert (a.build.context_path, a.build.dockerfile_path) == ("sub/app", "sub/app/Dockerfile")
    assert [r.resolved for r in a.env_files] == ["sub/app.env"]


def test_invalid_yaml_is_kd001_with_pyyaml_position() -> None:
    text = "services:\n  db:\n    image: postgres\n   bad: indent\n"
    f = parse_compose_text(text, "compose.yaml")
    assert len(f.problems) == 1
    p = f.problems[0]
    assert p.rule == "KD001" and p.location.path == "compose.yaml"
    assert p.location.line == 4
    assert "invalid YAML" in p.message
    assert f.root is None and f.services == ()


def test_unclosed_quote_is_kd001() -> None:
    f = parse_compose_text('services:\n  db:\n    image: "postgres\n', "compose.yaml")
    assert [p.rule for p in f.problems] == ["KD001"]


def test_duplicate_keys_are_reported_and_the_last_value_wins() -> None:
    text = """\
services:
  db:
    image: postgres:15
    volumes:
      - a:/var/lib/postgresql/data
    image: postgres:17
"""
    f = parse_compose_text(text, "compose.yaml")
    assert [(p.rule, p.location.line) for p in f.problems] == [("KD001", 6)]
    assert "duplicate key 'image'" in f.problems[0].message
    assert "line 3" in f.problems[0].message
    db = f.services[0]
    assert db.image is not None and db.image.value == "postgres:17"
    assert len(db.mounts) == 1


def test_duplicate_service_names_are_reported() -> None:
    text = "services:\n  db:\n    image: a\n  db:\n    image: b\n"
    f = parse_compose_text(text, "compose.yaml")
    assert [p.location.line for p in f.problems] == [4]
    assert [s.image.value for s in f.services if s.image] == ["b"]


BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
services:
  db:
    image: postgres
    command: *i
"""


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    f = parse_compose_text(BOMB, "compose.yaml")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert [p.rule for p in f.problems] == ["KD001"]
    assert "alias" in f.problems[0].message
    assert f.root is None


def test_recursive_alias_is_refused() -> None:
    f = parse_compose_text("a: &a [1, *a]\nservices: {}\n", "compose.yaml")
    assert [p.rule for p in f.problems] == ["KD001"]
    assert "recursive" in f.problems[0].message


def test_shared_aliases_are_not_copied_and_keep_the_anchor_position() -> None:
    text = """\
x-vol: &vol
  - pgdata:/var/lib/postgresql/data
services:
  a:
    image: postgres:16
    volumes: *vol
  b:
    image: postgres:16
    volumes: *vol
"""
    f = parse_compose_text(text, "compose.yaml")
    a, b = f.services
    assert a.mounts[0].location.line == 2
    assert a.node.get("volumes") is b.node.get("volumes")


def test_non_mapping_top_level_is_a_problem() -> None:
    f = parse_compose_text("- just\n- a list\n", "compose.yaml")
    assert [p.rule for p in f.problems] == ["KD001"]
    assert "mapping" in f.problems[0].message
    f2 = parse_compose_text("hello\n", "compose.yaml")
    assert [p.rule for p in f2.problems] == ["KD001"]


def test_empty_and_comment_only_files_are_fine() -> None:
    assert parse_compose_text("", "compose.yaml").problems == ()
    assert parse_compose_text("# nothing yet\n", "compose.yaml").problems == ()


def test_services_not_a_mapping_and_service_not_a_mapping() -> None:
    f = parse_compose_text("services:\n  - db\n", "compose.yaml")
    assert [p.location.line for p in f.problems] == [2]
    f2 = parse_compose_text("services:\n  db:\n  web:\n    image: x\n", "compose.yaml")
    assert [p.location.line for p in f2.problems] == [2]
    assert [s.name for s in f2.services] == ["web"]


def test_custom_tags_and_multiple_documents() -> None:
    text = (
        "services:\n  a:\n    image: x\n    ports: !reset []\n---\nservices:\n  b:\n    image: y\n"
    )
    f = parse_compose_text(text, "compose.yaml")
    assert f.problems == ()
    assert [s.name for s in f.services] == ["a", "b"]


def test_tree_nodes_have_positions() -> None:
    f = parse_compose_text(FULL, "docker-compose.yml")
    assert f.root is not None
    services = f.root.get("services")
    assert isinstance(services, YMap)
    key = services.key("api")
    assert isinstance(key, YScalar) and key.location.line == 20


def test_a_50_mb_compose_file_is_reported_as_not_read(tmp_path: Path) -> None:
    line = "      - SOME_VARIABLE_WITH_A_LONG_NAME=some value that is long enough to fill\n"
    body = "services:\n  app:\n    image: x\n    environment:\n"
    count = (50 * 1024 * 1024) // len(line) + 1
    with open(tmp_path / "docker-compose.yml", "w") as fh:
        fh.write(body)
        fh.write(line * count)
    start = time.perf_counter()
    result = analyze(tmp_path)
    assert time.perf_counter() - start < 10
    not_read = [f for f in result.findings if f.rule == "KD002"]
    assert [f.location.path for f in not_read] == ["docker-compose.yml"]
    assert "limit" in not_read[0].message


def test_a_binary_compose_file_is_reported_as_not_read(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_bytes(b"services:\x00\x01\x02\xff\xfe" * 100)
    result = analyze(tmp_path)
    assert [(f.rule, f.location.path) for f in result.findings if f.rule in ("KD001", "KD002")] == [
        ("KD002", "compose.yaml")
    ]


def test_parse_errors_reach_the_analysis(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  db: [unclosed\n")
    result = analyze(tmp_path)
    kd001 = [f for f in result.findings if f.rule == "KD001"]
    assert len(kd001) == 1 and kd001[0].location.path == "docker-compose.yml"
    assert not result.errors
