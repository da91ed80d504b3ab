"""KD207 when a service of the stack starts through a script keepdata cannot read:
portal-eletricistas' api Dockerfile writes /app/start.sh with `RUN echo` (it runs `migrate
deploy`) and starts it; keepdata cannot say nothing migrates. A stack whose starts are all
known and run no migration still fires."""

from __future__ import annotations

from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
COMPOSE = """services:
  api:
    build: .
    environment:
      DATABASE_URL: postgresql://app:${PW:?}@db:5432/app
  db:
    image: postgres:16
    volumes:
      - pg:/var/lib/postgresql/data
volumes:
  pg:
"""


def kd207(cmd: str) -> list:
    dockerfile = (
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npx prisma generate\n"
        "RUN echo '#!/bin/sh' > /app/start.sh && chmod +x /app/start.sh\n" + cmd
    )
    return run_rule(
        "KD207",
        {
            "prisma/schema.prisma": SCHEMA,
            "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "a" ("id" INT);\n',
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "package.json": '{"name": "shop", "scripts": {"start": "node server.js"}}\n',
            "Dockerfile": dockerfile,
            "docker-compose.yml": COMPOSE,
        },
    )


def test_a_start_script_keepdata_cannot_read_may_migrate() -> None:
    assert kd207('CMD ["/app/start.sh"]\n') == []


def test_a_known_start_without_migration_fires() -> None:
    (f,) = kd207('CMD ["node", "server.js"]\n')
    assert "nothing in the start of" in f.message and f.location.path == "docker-compose.yml"
