"""KD215 on a seed program that only upserts: portal-eletricistas runs
prisma/seed_services.ts on every start, and it only calls `prisma.product.upsert`; a second
run changes nothing (low). A seed that creates rows stays medium."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
COMPOSE = """services:
  api:
    build: .
    command: sh -c "npx ts-node prisma/seed.ts && node dist/main.js"
"""


def kd215(seed: str) -> list:
    return run_rule(
        "KD215",
        {
            "prisma/schema.prisma": SCHEMA,
            "prisma/seed.ts": seed,
            "package.json": '{"name": "shop"}\n',
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npx prisma generate\n",
            "docker-compose.yml": COMPOSE,
        },
    )


def test_a_seed_that_only_upserts_is_low() -> None:
    seed = "await prisma.product.upsert({ where: { id: 1 }, update: {}, create: { id: 1 } })\n"
    (f,) = kd215(seed)
    assert f.severity is Severity.LOW and "only upserts" in f.message


def test_a_seed_that_creates_rows_stays_medium() -> None:
    (f,) = kd215("await prisma.product.create({ data: { name: 'x' } })\n")
    assert f.severity is Severity.MEDIUM and "not idempotent" in f.message
