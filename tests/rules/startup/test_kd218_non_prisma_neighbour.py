"""KD218 on a service that shares the database but runs no Prisma: timelines' `chronos`
(a backup tool built from its own Dockerfile, POSTGRES_HOST settings, no schema) depends on
the database like the app; it is not an app the migration job must come before. The app
beside it still fires."""

from __future__ import annotations

from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
APP_DOCKERFILE = (
    'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npx prisma generate\nCMD ["node", "server.js"]\n'
)
BACKUP_DOCKERFILE = (
    'FROM alpine:3.20\nRUN apk add --no-cache postgresql-client\nCMD ["crond", "-f"]\n'
)
COMPOSE = """services:
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
  migrate:
    build: .
    command: npx prisma migrate deploy
    environment:
      DATABASE_URL: postgresql://app:${PW}@db:5432/app
    depends_on:
      - db
  backups:
    build: ./backups
    environment:
      POSTGRES_HOST: db
    depends_on:
      - db
{app}volumes:
  data:
"""
APP = """  api:
    build: .
    environment:
      DATABASE_URL: postgresql://app:${PW}@db:5432/app
    depends_on:
      - db
"""


def kd218(app: str) -> list:
    return run_rule(
        "KD218",
        {
            "prisma/schema.prisma": SCHEMA,
            "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "a" ("id" INT);\n',
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "Dockerfile": APP_DOCKERFILE,
            "backups/Dockerfile": BACKUP_DOCKERFILE,
            "docker-compose.yml": COMPOSE.replace("{app}", app),
            ".env": "PW=Zq8vN3kLr2Wx9pTb\n",
        },
    )


def test_a_backup_tool_beside_the_database_is_not_an_app() -> None:
    assert kd218("") == []


def test_the_app_beside_it_still_fires() -> None:
    (f,) = kd218(APP)
    assert 'service "api"' in f.message and "does not depend on it" in f.message
