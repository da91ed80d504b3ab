"""KD307 on a `.env` the checkout lacks but a template names: medium when the template's keys
can hold a secret (a password, token, URL), low when they cannot (peppermint's client
template holds only `NEXT_PUBLIC_CLIENT_VERSION`)."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
DOCKERFILE = (
    "FROM node:20\nWORKDIR /app\nCOPY apps/client ./apps/client\n"
    'RUN cd apps/client && npm run build\nCMD ["node", "apps/client/server.js"]\n'
)
COMPOSE = "services:\n  web:\n    build: .\n"


def kd307(text: str, env: str = ".env.example") -> list:
    """KD307 on an image that copies apps/client, whose `env` file (the template by default,
    or the `.env` itself) holds `text`."""
    return run_rule(
        "KD307",
        {
            "prisma/schema.prisma": SCHEMA,
            "Dockerfile": DOCKERFILE,
            "docker-compose.yml": COMPOSE,
            ".dockerignore": "node_modules\n",
            f"apps/client/{env}": text,
            "apps/client/package.json": '{"name": "client"}\n',
        },
    )


def test_a_template_without_secrets_is_low() -> None:
    (f,) = kd307('NEXT_PUBLIC_CLIENT_VERSION="0.5.4.2"\n')
    assert f.severity is Severity.LOW
    assert f.message.startswith("apps/client/.env is not in the checkout")
    assert "names no secret (NEXT_PUBLIC_CLIENT_VERSION)" in f.message


def test_a_template_naming_a_database_url_stays_medium() -> None:
    (f,) = kd307("NEXT_PUBLIC_CLIENT_VERSION=1\nDATABASE_URL=postgresql://user:pass@db/app\n")
    assert f.severity is Severity.MEDIUM
    assert "names no secret" not in f.message


def test_a_present_env_without_secrets_is_low() -> None:
    # pingvin-share's backend/prisma/.env: only a SQLite path
    (f,) = kd307('DATABASE_URL="file:../data/app.db"\n', env=".env")
    assert f.severity is Severity.LOW and "holds no secret" in f.message


def test_a_present_env_with_a_password_stays_high() -> None:
    (f,) = kd307("DATABASE_URL=postgresql://app:Zq8vN3kLr2Wx@db:5432/app\n", env=".env")
    assert f.severity is Severity.HIGH and "holds no secret" not in f.message
