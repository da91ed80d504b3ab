"""KD107 when a compose file beside the service's declares the volume: teable's swarm
example deploys `docker-compose.kit.yml` with `docker-compose.default.yml` (which declares
the volumes) through a shell function keepdata cannot follow: low, naming the file. A
volume no file declares stays high."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
KIT = """services:
  db:
    image: postgres:16
    volumes:
      - {name}:/var/lib/postgresql/data
"""
DEFAULT = "volumes:\n  teable-db:\n"


def kd107(name: str) -> list:
    return run_rule(
        "KD107",
        {
            "prisma/schema.prisma": SCHEMA,
            "swarm/docker-compose.kit.yml": KIT.replace("{name}", name),
            "swarm/docker-compose.default.yml": DEFAULT,
        },
    )


def test_a_volume_declared_in_the_file_beside_it_is_low() -> None:
    (f,) = kd107("teable-db")
    assert f.severity is Severity.LOW
    assert "swarm/docker-compose.default.yml beside it does" in f.message
    assert f.related[0].location.path == "swarm/docker-compose.default.yml"


def test_a_volume_nobody_declares_stays_high() -> None:
    (f,) = kd107("teable-data")
    assert f.severity is Severity.HIGH and "declare it" in f.message
