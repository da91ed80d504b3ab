"""KD302 where keepdata cannot see the whole build: a task runner (`turbo`, `nx`), a
package script that runs a workspace filter, or a Prisma-named script of another workspace
(`yarn prisma:build`) is reported low, naming the step; a final image FROM a web server
(caddy, nginx) runs no Prisma Client and is not reported; a plain build that does not
generate stays medium."""

from __future__ import annotations

from analysis.model import Severity
from tests.rules.harness import run_rule

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'


def kd302(run: str, scripts: str = '"build": "tsc"', final: str = "") -> list:
    dockerfile = (
        "FROM node:20-slim AS build\nWORKDIR /app\nCOPY . .\n"
        f"RUN npm ci --ignore-scripts && {run}\n" + (final or 'CMD ["node", "dist/server.js"]\n')
    )
    return run_rule(
        "KD302",
        {
            "prisma/schema.prisma": SCHEMA,
            "package.json": '{"name": "shop", "scripts": {' + scripts + "}}\n",
            "Dockerfile": dockerfile,
            "docker-compose.yml": "services:\n  app:\n    build: .\n",
        },
    )


def test_a_plain_build_that_does_not_generate_stays_medium() -> None:
    (f,) = kd302("npm run build")
    assert f.severity is Severity.MEDIUM and "never runs `prisma generate`" in f.message


def test_a_task_runner_is_low_and_named() -> None:
    (f,) = kd302("npx turbo run build --filter=web...")
    assert f.severity is Severity.LOW
    assert "`npx turbo run` runs a build keepdata cannot follow" in f.message


def test_a_script_that_runs_a_workspace_filter_is_low() -> None:
    (f,) = kd302("pnpm build:server", scripts='"build:server": "pnpm --filter @shop/server build"')
    assert f.severity is Severity.LOW and "`pnpm build:server`" in f.message


def test_a_prisma_script_of_another_workspace_is_low() -> None:
    (f,) = kd302("yarn prisma:build")
    assert f.severity is Severity.LOW and "`yarn prisma:build`" in f.message


def test_a_web_server_final_image_is_not_reported() -> None:
    final = "FROM caddy:2-alpine\nCOPY --from=build /app/dist /srv\n"
    assert kd302("npm run build", final=final) == []


def test_a_workspace_install_runs_postinstalls_keepdata_does_not_follow() -> None:
    # tianji: `pnpm install --filter @tianji/server...` runs the server's postinstall generate
    (f,) = kd302("pnpm install --filter @shop/server... && npm run build")
    assert f.severity is Severity.LOW and "`pnpm install --filter @shop/server...`" in f.message
