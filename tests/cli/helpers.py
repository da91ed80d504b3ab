"""What the result-cache tests of tests/cli share: a small project that exercises every kind
of input the cache keys on, and the helpers that run `check` and git on it (the fixtures are in
tests/cli/conftest.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tui.cli import main

COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
    volumes:
      - pgdata:/var/lib/postgresql/data
  app:
    build: .
    depends_on: [db]
    environment:
      DATABASE_URL: postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/app
volumes:
  pgdata:
"""
DOCKERFILE = """\
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
ENTRYPOINT ["sh", "bin/boot"]
"""
BOOT = "#!/bin/sh\nset -e\nnpx prisma migrate deploy\nexec npm start\n"
SCHEMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id   Int    @id @default(autoincrement())
  name String
}
"""
INIT = 'CREATE TABLE "User" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, PRIMARY KEY ("id"));\n'
M = "prisma/migrations"
PROJECT = {
    "docker-compose.yml": COMPOSE,
    "Dockerfile": DOCKERFILE,
    "bin/boot": BOOT,  # no name discovery takes: read because the Dockerfile runs it
    "package.json": (
        '{"name": "app", "scripts": {"start": "node server.js"}, '
        '"dependencies": {"prisma": "6.1.0"}}\n'
    ),
    "prisma/schema.prisma": SCHEMA,
    f"{M}/20240101000000_init/migration.sql": INIT,
    f"{M}/migration_lock.toml": 'provider = "postgresql"\n',
    ".env": "POSTGRES_PASSWORD=s3cret-long-enough-password\n",
}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, int]:
    capsys.readouterr()
    code = main(["check", *argv])
    return capsys.readouterr().out, code


def mutate(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        capture_output=True,
        check=True,
    )
