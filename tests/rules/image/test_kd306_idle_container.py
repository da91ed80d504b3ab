"""KD306 on a dev container that only sleeps: inbox-zero's devcontainer runs `sleep infinity`
and the developer installs and generates inside it; nothing starts on its own, so a stale
client is not the container's start. The same mounts on a service that starts the app still
fire."""

from __future__ import annotations

from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
COMPOSE = """services:
  app:
    build: .
    command: {command}
    volumes:
      - .:/app
      - /app/node_modules
"""


def kd306(command: str) -> list:
    return run_rule(
        "KD306",
        {
            "prisma/schema.prisma": SCHEMA,
            "package.json": '{"name": "shop", "scripts": {"dev": "next dev"}}\n',
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npx prisma generate\n",
            "docker-compose.yml": COMPOSE.replace("{command}", command),
        },
    )


def test_a_sleeping_dev_container_is_not_reported() -> None:
    assert kd306("sleep infinity") == []


def test_a_container_that_starts_the_app_fires() -> None:
    (f,) = kd306("npm run dev")
    assert f.location.path == "docker-compose.yml" and f.location.line == 7
    assert "hides /app/node_modules behind an anonymous volume" in f.message
