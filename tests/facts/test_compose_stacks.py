"""Which compose files make one stack, and how they merge (the compose_stacks fact)."""

from __future__ import annotations

from pathlib import Path

from analysis.context import Context
from analysis.discover import discover
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.parsers.compose import MountKind


def stacks_of(root: Path) -> tuple[ComposeStack, ...]:
    return Context(root, discover(root)).fact(compose_stacks)


BASE = """\
services:
  db:
    image: postgres:${PG_VERSION:-16}
    environment:
      POSTGRES_USER: ${POSTGRES_USER}
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}
      POSTGRES_DB: app
    volumes:
      - postgres_data:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
    ports:
      - "127.0.0.1:5432:5432"
  backend:
    build: ./backend
    command: ["node", "dist/main.js"]
    env_file: .env.backend
    environment:
      - DATABASE_URL=postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/app
      - NODE_ENV=production
      - LOG_LEVEL
    volumes:
      - .:/app
      - /app/node_modules
volumes:
  postgres_data:
"""

OVERRIDE = """\
services:
  db:
    ports:
      - "127.0.0.1:5432:5432"
      - "5433:5432"
    volumes:
      - ./pgdata:/var/lib/postgresql/data
  backend:
    command: npm run dev
    environment:
      NODE_ENV: development
    volumes:
      - ./src:/app/src
"""


def test_default_file_merges_with_its_override(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": BASE,
            "docker-compose.override.yml": OVERRIDE,
            ".env": "POSTGRES_USER=app\nPOSTGRES_PASSWORD=pw\nLOG_LEVEL=debug\n",
            ".env.backend": "SECRET_KEY=abc\nNODE_ENV=test\n",
        }
    )
    (stack,) = stacks_of(root)
    assert stack.files == ("docker-compose.yml", "docker-compose.override.yml")
    assert stack.origin == "default+override"
    assert stack.dotenv == ".env"
    db = stack.service("db")
    assert db is not None and db.image is not None
    assert db.image.value == "postgres:16" and db.image.raw == "postgres:${PG_VERSION:-16}"
    # volumes merged by target: the override's bind mount replaces the named volume
    data = [m for m in db.mounts if m.target == "/var/lib/postgresql/data"]
    assert len(data) == 1 and data[0].kind is MountKind.BIND
    assert data[0].location.path == "docker-compose.override.yml" and data[0].location.line == 7
    assert data[0].host_path == "pgdata"
    assert [m.target for m in db.mounts] == [
        "/var/lib/postgresql/data",
        "/docker-entrypoint-initdb.d",
    ]
    # ports appended, the identical one kept once
    assert [(p.text, p.location.path) for p in db.ports] == [
        ("127.0.0.1:5432:5432", "docker-compose.override.yml"),
        ("5433:5432", "docker-compose.override.yml"),
    ]
    backend = stack.service("backend")
    assert backend is not None
    # command replaced, not appended
    assert backend.command is not None and backend.command.argv == ("npm", "run", "dev")
    assert backend.command.location.path == "docker-compose.override.yml"
    # environment merged by key, list and mapping forms mixed
    env = {e.name: e for e in backend.environment}
    assert env["NODE_ENV"].value == "development"
    assert env["NODE_ENV"].location.path == "docker-compose.override.yml"
    assert env["DATABASE_URL"].value == "postgresql://app:pw@db:5432/app"
    assert env["DATABASE_URL"].location.path == "docker-compose.yml"
    # container env: env_file beneath environment; pass-through from .env
    assert backend.env_value("SECRET_KEY") == "abc"
    assert backend.env("SECRET_KEY") is not None
    assert backend.env("SECRET_KEY").location.path == ".env.backend"  # type: ignore[union-attr]
    assert backend.env_value("NODE_ENV") == "development"
    assert backend.env_value("LOG_LEVEL") == "debug"
    assert [m.target for m in backend.mounts] == ["/app", "/app/node_modules", "/app/src"]
    assert backend.build is not None and backend.build.context_path == "backend"


def test_variables_are_recorded_with_their_origin(write_tree) -> None:
    root = write_tree({"docker-compose.yml": BASE, ".env": "POSTGRES_USER=app\n"})
    (stack,) = stacks_of(root)
    by = {(v.name, v.location.line): v for v in stack.variables}
    assert by[("PG_VERSION", 3)].has_default and not by[("PG_VERSION", 3)].undefined
    assert by[("POSTGRES_USER", 5)].defined
    assert by[("POSTGRES_USER", 5)].value_location is not None
    assert by[("POSTGRES_USER", 5)].value_location.path == ".env"
    assert by[("POSTGRES_PASSWORD", 6)].required and not by[("POSTGRES_PASSWORD", 6)].undefined
    assert by[("POSTGRES_PASSWORD", 18)].undefined
    assert [v.name for v in stack.undefined_variables] == ["POSTGRES_PASSWORD"]


def test_other_compose_files_are_stacks_of_their_own(write_tree) -> None:
    db = "services:\n  db:\n    image: postgres:16\n"
    root = write_tree(
        {
            "docker-compose.yml": db,
            "docker-compose.prod.yml": db,
            "docs/examples/postgres/docker-compose.yml": db,
            "deploy/compose.yaml": db,
            "deploy/compose.override.yaml": "services:\n  db:\n    restart: always\n",
        }
    )
    got = {s.id: s.origin for s in stacks_of(root)}
    assert got == {
        "docker-compose.yml": "default",
        "docker-compose.prod.yml": "single",
        "docs/examples/postgres/docker-compose.yml": "default",
        "deploy/compose.yaml+deploy/compose.override.yaml": "default+override",
    }


def test_compose_yaml_wins_over_docker_compose_yml(write_tree) -> None:
    db = "services:\n  db:\n    image: postgres:16\n"
    root = write_tree({"compose.yaml": db, "docker-compose.yml": db})
    got = {s.id: s.origin for s in stacks_of(root)}
    assert got == {"compose.yaml": "default", "docker-compose.yml": "single"}


def test_named_override_twin_merges(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.dev.yml": "services:\n  db:\n    image: postgres:16\n",
            "docker-compose.dev.override.yml": "services:\n  db:\n    image: postgres:17\n",
        }
    )
    (stack,) = stacks_of(root)
    assert stack.files == ("docker-compose.dev.yml", "docker-compose.dev.override.yml")
    db = stack.service("db")
    assert db is not None and db.image is not None and db.image.value == "postgres:17"


def test_f_chain_in_a_makefile_merges_in_order(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
            "docker-compose.prod.yml": "services:\n  db:\n    image: postgres:17\n",
            "Makefile": "prod:\n\tdocker compose -f docker-compose.yml -f docker-compose.prod.yml up -d\n",
        }
    )
    stacks = {s.id: s for s in stacks_of(root)}
    assert set(stacks) == {"docker-compose.yml", "docker-compose.yml+docker-compose.prod.yml"}
    chain = stacks["docker-compose.yml+docker-compose.prod.yml"]
    assert chain.origin == "-f chain"
    assert chain.origin_location is not None and chain.origin_location.path == "Makefile"
    assert chain.origin_location.line == 2
    db = chain.service("db")
    assert db is not None and db.image is not None and db.image.value == "postgres:17"


def test_f_chain_in_package_json(write_tree) -> None:
    root = write_tree(
        {
            "infra/compose.base.yml": "services:\n  db:\n    image: postgres:16\n",
            "infra/compose.ci.yml": "services:\n  db:\n    tmpfs: /var/lib/postgresql/data\n",
            "package.json": '{"scripts": {"db:ci": "docker compose -f infra/compose.base.yml '
            '-f infra/compose.ci.yml up -d"}}\n',
        }
    )
    ids = {s.id for s in stacks_of(root)}
    assert ids == {"infra/compose.base.yml", "infra/compose.base.yml+infra/compose.ci.yml"}


def test_compose_file_variable_in_env(write_tree) -> None:
    root = write_tree(
        {
            "compose.yaml": "services:\n  db:\n    image: postgres:16\n",
            "compose.db.yaml": "services:\n  db:\n    image: postgres:17\n",
            ".env": "COMPOSE_FILE=compose.yaml:compose.db.yaml\n",
        }
    )
    stacks = {s.id: s for s in stacks_of(root)}
    assert "compose.yaml+compose.db.yaml" in stacks
    assert stacks["compose.yaml+compose.db.yaml"].origin == "COMPOSE_FILE"


def test_include_pulls_in_services_with_their_own_paths(write_tree) -> None:
    root = write_tree(
        {
            "compose.yaml": "include:\n  - db/compose.db.yml\nservices:\n  app:\n    image: node:20\n",
            "db/compose.db.yml": (
                "services:\n  db:\n    image: postgres:16\n    volumes:\n"
                "      - ./data:/var/lib/postgresql/data\n"
            ),
        }
    )
    stacks = stacks_of(root)
    assert [s.id for s in stacks] == ["compose.yaml"]
    (stack,) = stacks
    assert stack.pulled_in == ("db/compose.db.yml",)
    db = stack.service("db")
    assert db is not None
    assert db.mounts[0].host_path == "db/data"
    assert db.mounts[0].location.path == "db/compose.db.yml"


def test_missing_include_is_recorded(write_tree) -> None:
    root = write_tree({"compose.yaml": "include:\n  - nope.yml\nservices: {}\n"})
    (stack,) = stacks_of(root)
    assert [(m.path, m.what, m.location.line) for m in stack.missing] == [
        ("nope.yml", "include", 2)
    ]


def test_extends_from_another_file_and_the_same_file(write_tree) -> None:
    root = write_tree(
        {
            "compose.yaml": """\
services:
  base:
    image: postgres:16
    environment:
      POSTGRES_DB: app
  db:
    extends: base
    environment:
      POSTGRES_USER: app
  web:
    extends:
      file: common/services.yml
      service: webapp
    ports: ["8080:80"]
""",
            "common/services.yml": (
                "services:\n  webapp:\n    image: nginx:1\n    ports: ['80:80']\n"
                "    volumes:\n      - ./html:/usr/share/nginx/html\n"
            ),
        }
    )
    (stack,) = stacks_of(root)
    db = stack.service("db")
    assert db is not None and db.image is not None and db.image.value == "postgres:16"
    assert {e.name for e in db.environment} == {"POSTGRES_DB", "POSTGRES_USER"}
    web = stack.service("web")
    assert web is not None and web.image is not None and web.image.value == "nginx:1"
    assert [p.text for p in web.ports] == ["80:80", "8080:80"]
    assert web.mounts[0].host_path == "common/html"
    assert "common/services.yml" in stack.pulled_in


def test_extends_cycle_does_not_hang(write_tree) -> None:
    root = write_tree(
        {
            "compose.yaml": (
                "services:\n  a:\n    extends: b\n    image: x\n  b:\n    extends: a\n"
                "    image: y\n"
            )
        }
    )
    (stack,) = stacks_of(root)
    assert {s.name for s in stack.services} == {"a", "b"}


def test_reset_and_override_tags(write_tree) -> None:
    root = write_tree(
        {
            "compose.yaml": (
                "services:\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n"
                "    volumes: ['a:/x', 'b:/y']\n"
            ),
            "compose.override.yaml": (
                "services:\n  db:\n    ports: !reset []\n    volumes: !override ['cc:/z']\n"
            ),
        }
    )
    (stack,) = stacks_of(root)
    db = stack.service("db")
    assert db is not None
    assert db.ports == ()
    assert [m.source for m in db.mounts] == ["cc"]


def test_broken_file_in_a_stack_keeps_the_rest(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
            "docker-compose.override.yml": "services:\n  db: [oops\n",
        }
    )
    (stack,) = stacks_of(root)
    db = stack.service("db")
    assert db is not None and db.image is not None and db.image.value == "postgres:16"


def test_project_name(write_tree) -> None:
    root = write_tree(
        {
            "a/compose.yaml": "services: {}\n",
            "b/compose.yaml": "name: pinned\nservices: {}\n",
            "c/compose.yaml": "services: {}\n",
            "c/.env": "COMPOSE_PROJECT_NAME=fromenv\n",
        }
    )
    got = {s.project_dir: (s.project_name, s.project_name_pinned) for s in stacks_of(root)}
    assert got == {"a": ("a", False), "b": ("pinned", True), "c": ("fromenv", True)}
