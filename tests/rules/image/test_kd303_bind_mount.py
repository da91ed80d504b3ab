"""KD303 when every service that migrates bind-mounts the migrations folder (timelines' dev
`rhea-migrate` mounts ./app/rhea-backend/prisma over the image's prisma folder): the image
lacks them only where it runs without that mount, one level lower, naming the mount. Without
the mount it stays high."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
DOCKERFILE = "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n"
COMPOSE = """services:
  migrate:
    build: .
    command: npx prisma migrate deploy
{mount}"""
MOUNT = "    volumes:\n      - ./prisma:/app/prisma\n"


def kd303(mount: str) -> list:
    return run_rule(
        "KD303",
        {
            "prisma/schema.prisma": SCHEMA,
            "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "a" ("id" INT);\n',
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "package.json": '{"name": "shop"}\n',
            "Dockerfile": DOCKERFILE,
            "docker-compose.yml": COMPOSE.replace("{mount}", mount),
        },
    )


def test_a_bind_mount_of_the_migrations_is_one_level_lower() -> None:
    (f,) = kd303(MOUNT)
    assert f.severity is Severity.MEDIUM
    assert "here the bind mount ./prisma:/app/prisma brings them back at run time" in f.message
    assert any(r.location.path == "docker-compose.yml" for r in f.related)


def test_without_the_mount_it_stays_high() -> None:
    (f,) = kd303("")
    assert f.severity is Severity.HIGH and "bind mount" not in f.message
