"""KD401 on switches whose names mention a password: dub's local MySQL sets
`MYSQL_ALLOW_EMPTY_PASSWORD: "yes"`, which chooses no password; it is not a literal password
in the repository. A literal MYSQL_ROOT_PASSWORD beside it still fires."""

from __future__ import annotations

from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n'


def kd401(env: str) -> list:
    compose = (
        "services:\n  db:\n    image: mysql:8.0\n    volumes:\n      - data:/var/lib/mysql\n"
        f"    environment:\n{env}volumes:\n  data:\n"
    )
    return run_rule("KD401", {"prisma/schema.prisma": SCHEMA, "docker-compose.yml": compose})


def test_a_switch_is_not_a_password() -> None:
    assert (
        kd401('      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"\n      MYSQL_RANDOM_ROOT_PASSWORD: 1\n')
        == []
    )


def test_a_literal_password_beside_it_still_fires() -> None:
    (f,) = kd401('      MYSQL_ALLOW_EMPTY_PASSWORD: "no"\n      MYSQL_ROOT_PASSWORD: Zq8vN3kLr2\n')
    assert "MYSQL_ROOT_PASSWORD is written into the compose file as a literal" in f.message
