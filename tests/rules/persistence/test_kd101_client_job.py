"""KD101 on a one-shot client on a database image: formbricks' hub-db-create runs
`sh -c "psql ... CREATE DATABASE hub"` on the pgvector image and exits; it is a client, not a
server keeping data. The server beside it without a volume still fires."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
COMPOSE = """services:
  hub-db-create:
    image: pgvector/pgvector:pg17
    restart: "no"
    entrypoint: ["sh", "-c"]
    command: ["psql -h postgres -U postgres -c 'CREATE DATABASE hub'"]
{server}"""
SERVER = "  postgres:\n    image: postgres:16\n"


def kd101(server: str) -> list:
    return run_rule(
        "KD101",
        {"prisma/schema.prisma": SCHEMA, "docker-compose.yml": COMPOSE.replace("{server}", server)},
    )


def test_a_one_shot_psql_client_keeps_no_data() -> None:
    assert kd101("") == []


def test_the_server_beside_it_still_fires() -> None:
    (f,) = kd101(SERVER)
    assert f.severity is Severity.CRITICAL and "'postgres'" in f.message
