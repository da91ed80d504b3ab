"""KD406 on variables the shell sets: `${PWD}` in a volume path (typebot's
docker-compose.build.yml) has a value wherever `docker compose` runs; an unset variable of the
same volume still fires."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'


def compose(volume: str) -> str:
    return (
        "services:\n  db:\n    image: postgres:16\n    volumes:\n"
        f"      - {volume}:/var/lib/postgresql/data\n"
        "    environment:\n      - POSTGRES_PASSWORD=Zq8vN3kLr2Wx9pTb\n"
    )


def kd406(volume: str) -> list:
    return run_rule(
        "KD406", {"prisma/schema.prisma": SCHEMA, "docker-compose.yml": compose(volume)}
    )


def test_shell_variables_have_a_value() -> None:
    assert kd406("${PWD}/.build/database") == []
    assert kd406("${HOME}/pgdata") == []


def test_an_unset_variable_in_the_same_volume_fires() -> None:
    (f,) = kd406("${DATA_ROOT}/database")
    assert f.severity is Severity.MEDIUM
    assert f.location.path == "docker-compose.yml" and f.location.line == 5
    assert "${DATA_ROOT} has no value" in f.message


def test_one_finding_per_variable_and_file() -> None:
    # portal-eletricistas: `${STAGING_DB_NAME}` in POSTGRES_DB and the healthcheck
    compose = (
        "services:\n  db:\n    image: postgres:16\n    volumes:\n"
        "      - data:/var/lib/postgresql/data\n"
        "    environment:\n      POSTGRES_DB: ${DB_NAME}\n"
        "      POSTGRES_PASSWORD: Zq8vN3kLr2Wx9pTb\n"
        "    healthcheck:\n"
        '      test: ["CMD-SHELL", "pg_isready -d ${DB_NAME}"]\n'
        "volumes:\n  data:\n"
    )
    found = run_rule("KD406", {"prisma/schema.prisma": SCHEMA, "docker-compose.yml": compose})
    (f,) = found
    assert f.location.line == 7 and f.severity is Severity.MEDIUM
    assert f.message.endswith("also used at line 10")
    assert [r.location.line for r in f.related] == [10]
