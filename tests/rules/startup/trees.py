"""A realistic project for the startup rules' tests (compose with a healthy PostgreSQL, a
Dockerfile with an entrypoint, package.json, schema and a migration) and how to run one rule
on it: shared by tests/rules/startup/ and the layouts of tests/facts/test_startup_layouts.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from analysis.engine import analyze
from analysis.model import Finding
from tests.conftest import with_folded

Tree = dict[str, str]
WriteTree = Callable[[Tree], Path]

DB_SERVICE = """  db:
    image: postgres:16-alpine
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
      POSTGRES_DB: app
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 5s
"""

DOCKERFILE = """FROM node:20-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20-alpine
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx prisma generate && npm run build
COPY docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node", "dist/main.js"]
"""

PACKAGE = {
    "name": "api",
    "scripts": {"build": "tsc", "start": "node dist/main.js"},
    "dependencies": {"@prisma/client": "6.4.1"},
    "devDependencies": {"prisma": "6.4.1"},
}

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
MIGRATION = 'CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY);\n'


def compose(app: str = "", *, app_name: str = "api", extra: str = "") -> str:
    app = app or (
        f"  {app_name}:\n    build: .\n    environment:\n"
        "      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    return "services:\n" + DB_SERVICE + app + extra + "volumes:\n  pgdata: {}\n"


def project(
    entrypoint: str | None = None,
    *,
    compose_text: str | None = None,
    package: dict | None = None,
    dockerfile: str = DOCKERFILE,
    migrations: bool = True,
    **extra: str,
) -> Tree:
    tree: Tree = {
        "docker-compose.yml": compose_text if compose_text is not None else compose(),
        "Dockerfile": dockerfile,
        "package.json": json.dumps(package or PACKAGE, indent=2) + "\n",
        "prisma/schema.prisma": SCHEMA,
        ".env": "POSTGRES_PASSWORD=0b7c1f9a3e5d\n",
    }
    if entrypoint is not None:
        tree["docker/entrypoint.sh"] = entrypoint
    if migrations:
        tree["prisma/migrations/20240101000000_init/migration.sql"] = MIGRATION
    tree.update({k.replace("__", "/").replace("_DOT_", "."): v for k, v in extra.items()})
    return tree


def run(write_tree: WriteTree, tree: Tree, rule: str) -> list[Finding]:
    analysis = analyze(write_tree(tree))
    assert analysis.errors == (), analysis.errors[0].trace
    return [f for f in with_folded(analysis.findings) if f.rule == rule]


def one(write_tree: WriteTree, tree: Tree, rule: str) -> Finding:
    found = run(write_tree, tree, rule)
    assert len(found) == 1, [f"{f.location} {f.message}" for f in found]
    return found[0]


def at(f: Finding) -> tuple[str, int]:
    return (f.location.path, f.location.line)
