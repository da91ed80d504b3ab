"""KD101 on a base compose file the project only runs merged: timelines' common.yml has the
database without a volume, and every `-f` chain adds one (dev.yml a named volume, prod.yml a
bind mount); the base file alone is not a stack anybody runs. A chain that adds nothing
still fires."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
BASE = (
    "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${PW:?}\n"
)
DEV = "services:\n  db:\n    volumes:\n      - pg:/var/lib/postgresql/data\nvolumes:\n  pg:\n"
PROD = "services:\n  db:\n    volumes:\n      - /srv/pg:/var/lib/postgresql/data\n"
SCRIPTS = '{"scripts": {"dev": "docker compose -f compose.common.yml -f compose.dev.yml up"}}\n'
DEPLOY = "#!/bin/sh\ndocker compose -f compose.common.yml -f compose.prod.yml up -d\n"


def kd101(prod: str) -> list:
    return run_rule(
        "KD101",
        {
            "prisma/schema.prisma": SCHEMA,
            "compose.common.yml": BASE,
            "compose.dev.yml": DEV,
            "compose.prod.yml": prod,
            "package.json": SCRIPTS,
            "scripts/deploy.sh": DEPLOY,
        },
    )


def test_a_base_file_every_chain_gives_a_volume_is_not_reported() -> None:
    assert kd101(PROD) == []


def test_a_chain_that_adds_no_volume_still_fires() -> None:
    (f,) = kd101("services:\n  db:\n    restart: always\n")
    assert f.severity is Severity.CRITICAL
    assert f.location.path == "compose.common.yml"
