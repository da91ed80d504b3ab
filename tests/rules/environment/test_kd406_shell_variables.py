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
