"""KD209 on a status read after the `if` that holds the migration: langfuse's
web/entrypoint.sh runs `prisma migrate deploy` as the last command of an `if` branch and
reads `status=$?` right after `fi`; that is the migration's status, checked. A command
before the branch's last one is not checked by it."""

from __future__ import annotations

from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
DOCKERFILE = (
    "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npx prisma generate\n"
    'ENTRYPOINT ["/bin/sh", "./entrypoint.sh"]\n'
)
TAIL = 'status=$?\nif [ $status -ne 0 ]; then\n  echo "migration failed"\n  exit $status\nfi\nexec node server.js\n'


def kd209(body: str) -> list:
    return run_rule(
        "KD209",
        {
            "prisma/schema.prisma": SCHEMA,
            "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "a" ("id" INT);\n',
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "Dockerfile": DOCKERFILE,
            "docker-compose.yml": "services:\n  app:\n    build: .\n",
            "entrypoint.sh": "#!/bin/sh\n" + body + TAIL,
        },
    )


def test_status_read_after_the_if_that_ends_with_the_migration() -> None:
    body = 'if [ "$AUTO_MIGRATE_DISABLED" != "true" ]; then\n  prisma migrate deploy\nfi\n'
    assert kd209(body) == []


def test_a_command_after_the_migration_in_the_branch_hides_its_status() -> None:
    body = (
        'if [ "$AUTO_MIGRATE_DISABLED" != "true" ]; then\n  prisma migrate deploy\n'
        '  echo "migrated"\nfi\n'
    )
    (f,) = kd209(body)
    assert f.location.path == "entrypoint.sh" and f.location.line == 3
