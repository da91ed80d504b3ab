"""KD301 when the stage that generates gets its files from a folder a RUN made (rallly:
`turbo prune --docker` writes out/full in the builder, the installer copies it in, then
generates): keepdata cannot tell what that folder holds, so it does not claim the schema is
missing. A stage that copies only what came from the build context still fires."""

from __future__ import annotations

from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
BUILDER = (
    "FROM node:20 AS builder\nWORKDIR /app\nCOPY . .\nRUN npx turbo prune --scope=web --docker\n\n"
)
INSTALLER = 'FROM node:20 AS installer\nWORKDIR /app\n{copy}\nRUN npx prisma generate\nCMD ["node", "server.js"]\n'


def kd301(copy: str) -> list:
    return run_rule(
        "KD301",
        {
            "prisma/schema.prisma": SCHEMA,
            "package.json": '{"name": "shop"}\n',
            "Dockerfile": BUILDER + INSTALLER.replace("{copy}", copy),
            "docker-compose.yml": "services:\n  app:\n    build: .\n",
        },
    )


def test_a_folder_made_by_a_run_may_hold_the_schema() -> None:
    assert kd301("COPY --from=builder /app/out/full/ .") == []


def test_copying_only_context_files_from_the_builder_still_fires() -> None:
    (f,) = kd301("COPY --from=builder /app/package.json ./package.json")
    assert f.location.path == "Dockerfile" and f.location.line == 9
    assert "no COPY brings the schema into this stage" in f.message
