"""A generated project the size of the real repositories the inspector must stay readable on:
50 Prisma models with relations (cascades, SetNull, Restrict), 240 migrations over three years
(236 committed to git: the applied history; 4 new on top), a compose stack for production and
one for tests, a Dockerfile, package.json scripts; about 400 findings.

The content is deterministic (no randomness, fixed git dates and author), so snapshots of it
are stable. `make_large_project(path)` writes it and returns its root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

MODELS = 50
MIGRATIONS = 240
NEW_MIGRATIONS = 4
"""The last migrations are not committed: new changes on top of the applied history."""

_NAMES = (  # noqa: SIM905 (one readable block of names)
    "User Account Session Organization Membership Team Project Task Comment Attachment "
    "Label TaskLabel Milestone Sprint Board Column Card Checklist ChecklistItem Invoice "
    "InvoiceLine Payment Refund Subscription Plan Coupon Customer Address Product Variant "
    "Price Inventory Warehouse Shipment ShipmentItem Order OrderItem Cart CartItem Review "
    "Notification Webhook WebhookDelivery ApiKey AuditLog Export Import Report Dashboard Widget"
).split()
assert len(_NAMES) == MODELS


def _parent(i: int) -> int | None:
    """The model model i references (a tree with a few deep chains), None for roots."""
    if i in (0, 2, 19, 28):
        return None
    if i % 7 == 3:
        return 0  # many models belong to a User
    return i - 1 if i % 3 else i // 2


def _action(i: int) -> str:
    return ("Cascade", "Cascade", "SetNull", "Restrict", "Cascade", "NoAction")[i % 6]


def _columns(i: int) -> list[tuple[str, str, str]]:
    """(prisma field, prisma type, SQL column definition) of model i, without relations."""
    cols = [
        ("id", "String @id @default(cuid())", '"id" TEXT NOT NULL'),
        ("name", "String", '"name" TEXT NOT NULL'),
        ("createdAt", "DateTime @default(now())", '"createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP'),
        ("updatedAt", "DateTime @updatedAt", '"updatedAt" TIMESTAMP(3) NOT NULL'),
    ]  # fmt: skip
    if i % 2:
        cols.append(
            ("status", 'String @default("active")', "\"status\" TEXT NOT NULL DEFAULT 'active'")
        )
    if i % 5 == 0:
        cols.append(("amountCents", "Int", '"amountCents" INTEGER NOT NULL'))
    if i % 4 == 1:
        cols.append(("notes", "String?", '"notes" TEXT'))
    return cols


def schema() -> str:
    out = [
        'generator client {\n  provider = "prisma-client-js"\n}\n',
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    ]
    children: dict[int, list[int]] = {}
    for i in range(MODELS):
        p = _parent(i)
        if p is not None:
            children.setdefault(p, []).append(i)
    for i, name in enumerate(_NAMES):
        lines = [f"model {name} {{"]
        for field, ftype, _ in _columns(i):
            lines.append(f"  {field} {ftype}")
        p = _parent(i)
        if p is not None:
            parent = _NAMES[p]
            optional = "?" if _action(i) == "SetNull" else ""
            lines.append(f"  {parent[0].lower() + parent[1:]}Id String{optional}")
            lines.append(
                f"  {parent[0].lower() + parent[1:]} {parent}{optional} @relation(fields: "
                f"[{parent[0].lower() + parent[1:]}Id], references: [id], "
                f"onDelete: {_action(i)})"
            )
        for c in children.get(i, []):
            child = _NAMES[c]
            lines.append(f"  {child[0].lower() + child[1:]}s {child}[]")
        lines.append("}\n")
        out.append("\n".join(lines))
    return "\n".join(out)


def _create_table(i: int) -> str:
    name = _NAMES[i]
    cols = [sql for _, _, sql in _columns(i)]
    p = _parent(i)
    fk = ""
    if p is not None:
        parent = _NAMES[p]
        col = parent[0].lower() + parent[1:] + "Id"
        null = "" if _action(i) == "SetNull" else " NOT NULL"
        cols.append(f'"{col}" TEXT{null}')
        action = {"Cascade": "CASCADE", "SetNull": "SET NULL", "Restrict": "RESTRICT"}.get(
            _action(i), "NO ACTION"
        )
        fk = (
            f'\n\n-- AddForeignKey\nALTER TABLE "{name}" ADD CONSTRAINT "{name}_{col}_fkey" '
            f'FOREIGN KEY ("{col}") REFERENCES "{parent}"("id") ON DELETE {action} '
            "ON UPDATE CASCADE;"
        )
    body = ",\n    ".join(cols)
    return (
        f'-- CreateTable\nCREATE TABLE "{name}" (\n    {body},\n\n'
        f'    CONSTRAINT "{name}_pkey" PRIMARY KEY ("id")\n);{fk}\n'
    )


def _churn(n: int) -> tuple[str, str]:
    """Migration n after the tables exist: (label, SQL), a realistic mix of safe and risky
    changes on a scratch column each model gains and loses over the years."""
    i = n % MODELS
    name = _NAMES[i]
    col = f"legacy{n}"
    kind = n % 8
    if kind == 0:
        return (
            f"add_{name.lower()}_{col}",
            f'-- AlterTable\nALTER TABLE "{name}" ADD COLUMN "{col}" TEXT;\n'
            f'UPDATE "{name}" SET "{col}" = "name";\n'
            f'ALTER TABLE "{name}" ALTER COLUMN "name" SET DATA TYPE VARCHAR(120);\n',
        )
    if kind == 1:
        return (
            f"drop_{name.lower()}_legacy{n - 1}",
            "/*\n  Warnings:\n\n"
            f"  - You are about to drop the column `legacy{n - 1}` on the `{name}` table. All the "
            "data in the column will be lost.\n\n*/\n"
            f'-- AlterTable\nALTER TABLE "{name}" DROP COLUMN IF EXISTS "legacy{n - 1}";\n',
        )
    if kind == 2:
        return (
            f"unique_{name.lower()}_name",
            f'-- CreateIndex\nCREATE UNIQUE INDEX "{name}_name_{n}_key" ON "{name}"("name");\n'
            f'-- AlterTable\nALTER TABLE "{name}" ADD COLUMN "required{n}" TEXT NOT NULL;\n'
            f'ALTER TABLE "{name}" DROP COLUMN "required{n}";\n',
        )
    if kind == 3:
        return (
            f"drop_index_{name.lower()}_{n}",
            f'-- DropIndex\nDROP INDEX IF EXISTS "{name}_createdAt_{n - 1}_idx";\n',
        )
    if kind == 4:
        return (
            f"backfill_{name.lower()}_names",
            f'-- Backfill\nUPDATE "{name}" SET "name" = trim("name");\n',
        )
    if kind == 5:
        return (
            f"{name.lower()}_tmp_{n}",
            f'-- AlterTable\nALTER TABLE "{name}" ADD COLUMN "tmp{n}" INTEGER;\n'
            f'ALTER TABLE "{name}" ALTER COLUMN "tmp{n}" SET DATA TYPE BIGINT;\n'
            f'ALTER TABLE "{name}" DROP COLUMN "tmp{n}";\n',
        )
    if kind == 6:
        return (
            f"{name.lower()}_archive_{n}",
            f'-- CreateTable\nCREATE TABLE "{name}Archive{n}" ("id" TEXT NOT NULL);\n'
            f'-- DropTable\nDROP TABLE "{name}Archive{n}";\n',
        )
    return (
        f"{name.lower()}_rename_{n}",
        f'-- AlterTable\nALTER TABLE "{name}" RENAME COLUMN "name" TO "title{n}";\n'
        f'ALTER TABLE "{name}" RENAME COLUMN "title{n}" TO "name";\n'
        f'DELETE FROM "{name}" WHERE "createdAt" < now() - interval \'5 years\';\n',
    )


def migrations() -> list[tuple[str, str]]:
    """(folder name, SQL) of every migration, oldest first."""
    start = datetime(2022, 1, 10, 9, 0, 0)
    out: list[tuple[str, str]] = []
    tables_per_migration = [10] + [1] * (MODELS - 10)
    created = 0
    for n in range(MIGRATIONS):
        when = (start + timedelta(days=4 * n, minutes=17 * n)).strftime("%Y%m%d%H%M%S")
        if n < len(tables_per_migration):
            count = tables_per_migration[n]
            sql = "\n".join(_create_table(created + k) for k in range(count))
            label = "init" if n == 0 else f"add_{_NAMES[created].lower()}"
            created += count
        else:
            label, sql = _churn(n)
        out.append((f"{when}_{label}", sql))
    return out


COMPOSE = """\
services:
  db:
    image: postgres:16
    restart: always
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: ${DB_PASSWORD}
      POSTGRES_DB: app
    volumes:
      - pgdata:/var/lib/postgresql
  api:
    build: .
    restart: always
    depends_on:
      - db
    environment:
      DATABASE_URL: postgresql://app:${DB_PASSWORD}@db:5432/app
    command: sh -c "npx prisma migrate deploy && node dist/server.js"
  worker:
    build: .
    command: sh -c "npx prisma db push --accept-data-loss && node dist/worker.js"
    depends_on:
      - db
volumes:
  pgdata:
"""

COMPOSE_TEST = """\
services:
  db:
    image: postgres:16
    command: postgres -c fsync=off
    environment:
      POSTGRES_PASSWORD: test
    tmpfs:
      - /var/lib/postgresql/data
"""

COMPOSE_DEV = """\
services:
  db:
    image: postgres
    environment:
      POSTGRES_PASSWORD: dev
    volumes:
      - ./data:/var/lib/postgresql
  adminer:
    image: adminer
    ports:
      - "8080:8080"
"""

DOCKERFILE = """\
FROM node:20-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npx prisma generate && npm run build
ENV DATABASE_URL=postgresql://app:app@db:5432/app
CMD ["npm", "start"]
"""

PACKAGE_JSON = """\
{
  "name": "large-app",
  "private": true,
  "scripts": {
    "build": "tsc",
    "start": "prisma migrate deploy && node dist/server.js",
    "db:reset": "prisma migrate reset --force",
    "db:push": "prisma db push --accept-data-loss"
  },
  "dependencies": { "@prisma/client": "5.22.0" },
  "devDependencies": { "prisma": "5.22.0", "typescript": "5.6.3" }
}
"""


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "keepdata tests",
        "GIT_AUTHOR_EMAIL": "tests@keepdata.invalid",
        "GIT_COMMITTER_NAME": "keepdata tests",
        "GIT_COMMITTER_EMAIL": "tests@keepdata.invalid",
        "GIT_AUTHOR_DATE": "2025-01-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2025-01-01T12:00:00Z",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def make_large_project(root: Path) -> Path:
    """Write the project under `root` (created), commit all but the newest migrations to
    git on `main` when git is there (else every migration is new), and return `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "prisma").mkdir(exist_ok=True)
    (root / "prisma" / "schema.prisma").write_text(schema())
    folder = root / "prisma" / "migrations"
    folder.mkdir(exist_ok=True)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    all_migrations = migrations()
    for name, sql in all_migrations:
        (folder / name).mkdir(exist_ok=True)
        (folder / name / "migration.sql").write_text(sql)
    (root / "docker-compose.yml").write_text(COMPOSE)
    (root / "docker-compose.test.yml").write_text(COMPOSE_TEST)
    (root / "docker-compose.dev.yml").write_text(COMPOSE_DEV)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "package.json").write_text(PACKAGE_JSON)
    (root / ".gitignore").write_text("node_modules\n.env\n")
    if shutil.which("git") is None:
        return root
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    for name, _ in all_migrations[-NEW_MIGRATIONS:]:
        _git(root, "rm", "-q", "--cached", "-r", f"prisma/migrations/{name}")
    _git(root, "commit", "-q", "-m", "the applied history")
    return root
