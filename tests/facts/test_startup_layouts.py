"""Issue 12, scripts side: real project layouts the startup fact must follow (package-manager
forms, failure handling forms, programs one hop further). Each tree is shaped like a public
repository of the real-world corpus (openpanel, sourcebot, typebot, zipline, ...)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Severity
from analysis.parsers.package_json.scripts import script_calls, task_runner_call
from analysis.parsers.package_manager import leading_options
from analysis.parsers.prisma_cli import prisma_invocation

Tree = dict[str, str]
WriteTree = Callable[[Tree], Path]

DB = """  db:
    image: postgres:16-alpine
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
"""
SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'


def pkg(name: str, scripts: dict[str, str], **deps: str) -> str:
    body: dict[str, object] = {"name": name, "scripts": scripts}
    if deps:
        body["dependencies"] = {k.replace("__", "/").replace("_", "-"): v for k, v in deps.items()}
    return json.dumps(body, indent=2) + "\n"


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split(" "))


def run(root: Path, *rules: str) -> list[Finding]:
    analysis = analyze(root, select=list(rules))
    assert analysis.errors == (), analysis.errors[0].trace
    return [f for f in analysis.findings if f.rule in rules]


def facts(root: Path) -> StartupFacts:
    analysis = analyze(root)
    assert analysis.errors == (), analysis.errors[0].trace
    return analysis.fact(startup_paths)


def commands(f: StartupFacts, context: str = "startup") -> list[tuple[str, str, int]]:
    return sorted(
        {
            (s.command, s.location.path, s.location.line)
            for s in f.commands
            if s.context == context and s.command
        }
    )


# -- point 4: package-manager forms ----------------------------------------------------------------


def test_leading_options_of_each_manager() -> None:
    assert leading_options("pnpm", ("--filter", "@acme/db", "-r", "run", "x")) == (
        ("run", "x"),
        None,
        "@acme/db",
    )
    assert leading_options("pnpm", ("-C", "apps/api", "-w", "migrate")) == (
        ("migrate",),
        "apps/api",
        None,
    )
    assert leading_options("pnpm", ("-r", "run", "x")).workspace == "*"
    assert leading_options("npm", ("--workspace=api", "run", "x")).workspace == "api"
    assert leading_options("npm", ("--prefix", "server", "run", "x")).folder == "server"
    assert leading_options("yarn", ("workspace", "@x/db", "prisma", "generate")) == (
        ("prisma", "generate"),
        None,
        "@x/db",
    )
    assert leading_options("bun", ("--cwd", "packages/db", "x", "prisma")).folder == "packages/db"


@pytest.mark.parametrize(
    ("words", "command"),
    [
        ("pnpm --filter @acme/db exec prisma migrate deploy", "migrate deploy"),
        ("pnpm -F db prisma db push --accept-data-loss", "db push"),
        ("pnpm -C packages/db prisma migrate deploy", "migrate deploy"),
        ("npm -w packages/db exec prisma migrate deploy", "migrate deploy"),
        ("npm --prefix server exec -- prisma migrate deploy", "migrate deploy"),
        ("yarn workspace @sourcebot/db prisma migrate deploy", "migrate deploy"),
        ("bun --cwd packages/db x prisma db push", "db push"),
        ("dotenv -e ../../.env -c -- prisma migrate deploy", "migrate deploy"),
    ],
)
def test_prisma_behind_manager_options(words: str, command: str) -> None:
    inv = prisma_invocation(tuple(words.split(" ")))
    assert inv is not None and inv.command == command


def test_forwarded_arguments_are_kept_as_written() -> None:
    call = script_calls(words("npm run with-env -- prisma db push --accept-data-loss"), None)
    assert call is not None and call.args == ("prisma", "db", "push", "--accept-data-loss")
    call = script_calls(words("yarn with-env prisma migrate deploy --schema x"), None)
    assert call is not None and call.args == ("prisma", "migrate", "deploy", "--schema", "x")
    call = script_calls(words("pnpm -r run migrate:deploy"), None)
    assert call is not None and call.workspace == "*" and call.scripts == ("migrate:deploy",)


def test_task_runners() -> None:
    run_ = task_runner_call(words("turbo run db:migrate --filter=@acme/db -- --x"))
    assert run_ is not None and run_.tasks == ("db:migrate",)
    assert run_.filters == ("@acme/db",) and run_.args == ("--x",)
    run_ = task_runner_call(words("npx nx run api:migrate:production"))
    assert run_ is not None and run_.tasks == ("migrate:production",) and run_.filters == ("api",)
    run_ = task_runner_call(words("nx run-many -t build,migrate -p api,web"))
    assert run_ is not None and run_.tasks == ("build", "migrate")
    assert run_.filters == ("api", "web")
    assert task_runner_call(words("nx format:write")) is None
    # inbox-zero's vercel.json: `turbo run build --force --filter={apps/web}...`
    run_ = task_runner_call(words("turbo run build --force --filter={apps/web}..."))
    assert run_ is not None and run_.filters == ("apps/web",)


OPENPANEL_DB = pkg(
    "@openpanel/db",
    {
        "codegen": "pnpm with-env prisma generate",
        "migrate": "pnpm with-env prisma migrate dev",
        "migrate:deploy:db": "pnpm with-env prisma migrate deploy",
        "migrate:deploy": "pnpm migrate:deploy:db",
        "with-env": "dotenv -e ../../.env -c --",
    },
)
OPENPANEL_ROOT = pkg(
    "openpanel",
    {
        "migrate": "pnpm -r --filter db run migrate",
        "migrate:deploy": "pnpm -r --filter db run migrate:deploy",
    },
)


def openpanel(command: str) -> Tree:
    """openpanel's self-hosting compose: a one-shot service runs the workspace's migrations."""
    return {
        "package.json": OPENPANEL_ROOT,
        "pnpm-workspace.yaml": "packages:\n  - packages/*\n  - apps/*\n",
        "packages/db/package.json": OPENPANEL_DB,
        "packages/db/prisma/schema.prisma": SCHEMA,
        "packages/db/prisma/migrations/0_init/migration.sql": 'CREATE TABLE "a" ("id" INT);\n',
        "apps/api/package.json": pkg("api", {"start": "node dist/index.js"}),
        "apps/api/Dockerfile": (
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pnpm install\n"
            'CMD ["node", "apps/api/dist/index.js"]\n'
        ),
        "docker-compose.yml": (
            "services:\n"
            "  op-migrate:\n"
            "    build:\n      context: .\n      dockerfile: apps/api/Dockerfile\n"
            f"    command: {command}\n"
            "    depends_on:\n      db:\n        condition: service_healthy\n"
            f"{DB}volumes:\n  pgdata:\n"
        ),
    }


@pytest.mark.parametrize(
    "command",
    [
        "pnpm -r run migrate:deploy",  # every workspace that has the script
        "pnpm --filter @openpanel/db run migrate:deploy",
        "pnpm -F db migrate:deploy:db",
        "pnpm -C packages/db migrate:deploy",
        "npm --workspace=packages/db run migrate:deploy",
        "yarn workspace @openpanel/db migrate:deploy",
        "npx turbo run migrate:deploy --filter=@openpanel/db",
        "nx run db:migrate:deploy",
    ],
)
def test_package_manager_forms_reach_the_forwarded_prisma_command(
    write_tree: WriteTree, command: str
) -> None:
    f = facts(write_tree(openpanel(command)))
    path = f.for_service("op-migrate")
    assert path is not None
    assert [(s.command, s.location.path) for s in path.commands] == [
        ("migrate deploy", "packages/db/package.json")
    ]
    step = path.commands[0]
    # the command is where `prisma migrate deploy` is written, behind `with-env`
    assert step.location.line == 6 and step.text == "prisma migrate deploy"
    assert step.levels[-1][0].text == "dotenv -e ../../.env -c -- prisma migrate deploy"
    assert any('"with-env"' in lk.label for lk in step.chain)


def test_forwarded_arguments_reach_a_destructive_flag(write_tree: WriteTree) -> None:
    tree = openpanel("pnpm --filter db run with-env prisma db push --accept-data-loss")
    findings = run(write_tree(tree), "KD201")
    assert [(f.rule, f.location.path) for f in findings] == [("KD201", "docker-compose.yml")]


def test_quiet_when_the_filter_names_another_package(write_tree: WriteTree) -> None:
    f = facts(write_tree(openpanel("pnpm --filter api run migrate:deploy")))
    path = f.for_service("op-migrate")
    assert path is not None and path.commands == ()
    f = facts(write_tree(openpanel("npx turbo run migrate:deploy --filter=api")))
    path = f.for_service("op-migrate")
    assert path is not None and path.commands == ()


def test_npm_and_bun_forward_arguments(write_tree: WriteTree) -> None:
    scripts = {"with-env": "dotenv -e .env --", "db": "prisma"}
    tree = {
        "package.json": pkg("app", scripts),
        "prisma/schema.prisma": SCHEMA,
        "Dockerfile": (
            "FROM oven/bun:1\nWORKDIR /app\nCOPY . .\n"
            'CMD ["sh", "-c", "npm run with-env -- prisma migrate deploy && bun run db db push '
            '&& bun db migrate reset --force && exec bun server.ts"]\n'
        ),
    }
    f = facts(write_tree(tree))
    assert [c for c, _, _ in commands(f)] == ["db push", "migrate deploy", "migrate reset"]


# -- point 5: failure handling forms (KD209) -------------------------------------------------------


IF_NOT_LOGS = """#!/bin/sh
echo "Running database migrations..."
if ! npx prisma migrate deploy; then
  echo "Migration failed, starting the server anyway" >&2
fi
exec node dist/main.js
"""
IF_ELSE_LOGS = """#!/bin/sh
set -e
if npx prisma migrate deploy; then
  echo "Migrations applied"
else
  echo "Could not apply the migrations" >&2
  sleep 1
fi
exec "$@"
"""
IF_WITHOUT_ELSE = """#!/bin/sh
if npx prisma migrate deploy; then
  echo "Migrations applied"
fi
exec "$@"
"""


@pytest.mark.parametrize(
    ("entry", "line"),
    [(IF_NOT_LOGS, 4), (IF_ELSE_LOGS, 6), (IF_WITHOUT_ELSE, 2)],
)
def test_kd209_an_if_whose_failure_branch_goes_on(
    write_tree: WriteTree, entry: str, line: int
) -> None:
    from tests.rules.startup.trees import at, one, project

    f = one(write_tree, project(entry), "KD209")
    # the finding points where the failure is let through; the Prisma command is related
    assert at(f) == ("docker/entrypoint.sh", line)
    assert "`if` that tests `npx prisma migrate deploy`" in f.message
    assert any(r.location.path == "docker/entrypoint.sh" for r in f.related)


@pytest.mark.parametrize(
    "entry",
    [
        IF_NOT_LOGS.replace(">&2\n", ">&2\n  exit 1\n"),
        IF_ELSE_LOGS.replace("  sleep 1\n", "  exit 1\n"),
        # the entry script itself exits: nothing starts (exit 0 stops the container too)
        IF_NOT_LOGS.replace(">&2\n", ">&2\n  exit 0\n"),
        # another way to handle it: a resolve and retry
        IF_NOT_LOGS.replace(
            '  echo "Migration failed, starting the server anyway" >&2\n',
            "  npx prisma migrate resolve --rolled-back 20240101000000_init\n"
            "  npx prisma migrate deploy || exit 1\n",
        ),
        # a flag checked later
        IF_NOT_LOGS.replace(
            '  echo "Migration failed, starting the server anyway" >&2\n', "  failed=1\n"
        ),
    ],
)
def test_kd209_quiet_when_the_failure_branch_stops(write_tree: WriteTree, entry: str) -> None:
    from tests.rules.startup.trees import project
    from tests.rules.startup.trees import run as run_rule

    assert [f.location for f in run_rule(write_tree, project(entry), "KD209")] == []


def test_kd209_migration_in_a_child_script(write_tree: WriteTree) -> None:
    """The compose command tests a script that migrates; its failure branch only logs."""
    from tests.rules.startup.trees import DB_SERVICE, at, one, project

    compose_text = (
        "services:\n  api:\n    build: .\n"
        "    command: >\n"
        "      sh -c \"if ! sh scripts/migrate.sh; then echo 'migration failed'; fi;\n"
        '      exec node dist/main.js"\n'
        "    depends_on:\n      db:\n        condition: service_healthy\n"
        f"{DB_SERVICE}volumes:\n  pgdata:\n"
    )
    migrate = "#!/bin/sh\nset -e\nnpx prisma migrate deploy\n"
    tree = project(compose_text=compose_text, scripts__migrate_DOT_sh=migrate)
    f = one(write_tree, tree, "KD209")
    assert at(f) == ("docker-compose.yml", 4)  # the folded command's first line
    assert ("scripts/migrate.sh", 3) in [(r.location.path, r.location.line) for r in f.related]
    # quiet when the branch exits non-zero
    fixed = compose_text.replace("echo 'migration failed'", "echo 'migration failed'; exit 1")
    from tests.rules.startup.trees import run as run_rule

    assert (
        run_rule(write_tree, project(compose_text=fixed, scripts__migrate_DOT_sh=migrate), "KD209")
        == []
    )


def test_kd209_child_script_exits_zero_on_failure(write_tree: WriteTree) -> None:
    from tests.rules.startup.trees import at, one, project

    migrate = (
        "#!/bin/sh\nif ! npx prisma migrate deploy; then\n"
        '  echo "migrations failed"\n  exit 0\nfi\n'
    )
    entry = '#!/bin/sh\nset -e\nsh /app/scripts/migrate.sh\nexec "$@"\n'
    dockerfile_extra = "COPY scripts/migrate.sh /app/scripts/migrate.sh\n"
    from tests.rules.startup.trees import DOCKERFILE

    dockerfile = DOCKERFILE.replace("ENTRYPOINT", dockerfile_extra + "ENTRYPOINT")
    tree = project(entry, dockerfile=dockerfile, scripts__migrate_DOT_sh=migrate)
    f = one(write_tree, tree, "KD209")
    assert at(f) == ("scripts/migrate.sh", 3) and "status 0" in f.message


# -- point 6: programs one hop further ---------------------------------------------------------------

# typebot's packages/prisma/scripts: the command goes through two helpers of another module
EXECUTE_COMMAND = """import { exec } from "node:child_process";
import { join, relative } from "node:path";

const prismaPackagePath = join(__dirname, "..");
const postgresqlSchemaPath = "postgresql/schema.prisma";

type Options = { force?: boolean; includeSchema?: boolean };

export const executePrismaCommand = (command: string, options?: Options) => {
  const includeSchema = options?.includeSchema ?? true;
  return executeCommand(
    `${command}${includeSchema ? ` --schema ${postgresqlSchemaPath}` : ""}`,
  );
};

const executeCommand = (command: string) => {
  return new Promise<void>((resolve, reject) => {
    exec(command, { cwd: prismaPackagePath }, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
};
"""


def typebot(script: str, start: str) -> Tree:
    return {
        "package.json": pkg("typebot", {"start": start}),
        "packages/prisma/package.json": pkg(
            "@typebot.io/prisma",
            {"db:push": "tsx scripts/db-push.ts", "migrate:deploy": "tsx scripts/migrate.ts"},
        ),
        "packages/prisma/postgresql/schema.prisma": SCHEMA,
        "packages/prisma/scripts/executeCommand.ts": EXECUTE_COMMAND,
        "packages/prisma/scripts/db-push.ts": script,
        "packages/prisma/scripts/migrate.ts": (
            'import { executePrismaCommand } from "./executeCommand";\n\n'
            'if (process.env.DATABASE_URL?.startsWith("postgres"))\n'
            '  executePrismaCommand("prisma migrate deploy");\n'
        ),
        "Dockerfile": (
            f'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pnpm install\nCMD ["sh", "-c", "{start}"]\n'
        ),
    }


def test_a_literal_passed_to_an_imported_helper_is_a_command(write_tree: WriteTree) -> None:
    push = (
        'import { executePrismaCommand } from "./executeCommand";\n\n'
        'executePrismaCommand("prisma db push --accept-data-loss");\n'
    )
    start = "pnpm --filter @typebot.io/prisma db:push && exec node apps/builder/server.js"
    f = facts(write_tree(typebot(push, start)))
    steps = [s for s in f.commands if s.context == "startup"]
    assert [(s.command, s.location.path, s.location.line) for s in steps] == [
        ("db push", "packages/prisma/scripts/db-push.ts", 3)
    ]
    assert steps[0].invocation.accept_data_loss
    findings = run(write_tree(typebot(push, start)), "KD201")
    assert [(x.location.path, x.location.line) for x in findings] == [
        ("packages/prisma/scripts/db-push.ts", 3)
    ]


def test_an_imported_function_that_runs_nothing_is_quiet(write_tree: WriteTree) -> None:
    other = 'import { formatSchema } from "./format";\n\nformatSchema("prisma db push --accept-data-loss");\n'
    tree = typebot(other, "pnpm --filter @typebot.io/prisma db:push && exec node server.js")
    tree["packages/prisma/scripts/format.ts"] = (
        "export const formatSchema = (text: string) => console.log(text.trim());\n"
    )
    f = facts(write_tree(tree))
    assert [s for s in f.commands if s.context == "startup"] == []


# zipline v3: the published compose pulls the project's own image; the server applies the
# migrations with @prisma/migrate when it starts
ZIPLINE_COMPOSE = """version: '3'
services:
  postgres:
    image: postgres:15
    environment:
      - POSTGRES_PASSWORD=postgres
    volumes:
      - pg_data:/var/lib/postgresql/data
    healthcheck:
      test: ['CMD-SHELL', 'pg_isready -U postgres']

  zipline:
    image: ghcr.io/diced/zipline
    environment:
      - CORE_DATABASE_URL=postgres://postgres:postgres@postgres/postgres
    depends_on:
      - 'postgres'

volumes:
  pg_data:
"""


def zipline(section: str = "dependencies", image: str = "ghcr.io/diced/zipline") -> Tree:
    body = {
        "name": "zipline",
        "scripts": {"start": "node dist"},
        section: {"@prisma/client": "^5.1.1", "@prisma/migrate": "^5.1.1"},
        "devDependencies": {"prisma": "^5.1.1"},
    }
    return {
        "package.json": json.dumps(body, indent=2) + "\n",
        "docker-compose.yml": ZIPLINE_COMPOSE.replace("ghcr.io/diced/zipline", image),
        "prisma/schema.prisma": SCHEMA,
        "prisma/migrations/20230101000000_init/migration.sql": 'CREATE TABLE "a" ("id" INT);\n',
        "Dockerfile": 'FROM node:18\nWORKDIR /zipline\nCOPY . .\nCMD ["node", "dist/index.js"]\n',
    }


def test_an_app_that_migrates_from_code(write_tree: WriteTree) -> None:
    root = write_tree(zipline())
    path = facts(root).for_service("zipline")
    assert path is not None and path.code_migration is not None
    assert path.code_migration.package == "@prisma/migrate"
    found = {f.rule: f for f in run(root, "KD207", "KD211", "KD219")}
    assert sorted(found) == ["KD207", "KD211", "KD219"]
    assert found["KD219"].location.path == "docker-compose.yml"
    assert "@prisma/migrate" in found["KD219"].message
    assert "from code (@prisma/migrate)" in found["KD211"].message
    # the image without compose: KD207 says so as info, not "nothing applies the migrations"
    assert found["KD207"].severity == Severity.INFO
    assert found["KD207"].location.path == "package.json"


@pytest.mark.parametrize(
    "tree",
    [
        zipline(section="devDependencies"),  # a tool of the developers, not of the app
        zipline(image="ghcr.io/acme/other-app"),  # another project's image
    ],
)
def test_code_migration_needs_the_app_and_its_dependency(write_tree: WriteTree, tree: Tree) -> None:
    root = write_tree(tree)
    path = facts(root).for_service("zipline")
    assert path is not None and path.code_migration is None
    assert run(root, "KD211", "KD219") == []


MIGRATOR_COMPOSE = (
    """services:
  migrate:
    build: .
    command: ["node", "dist/db/apply-migrations.js"]
    restart: "no"
  app:
    build: .
    command: ["node", "dist/server.js"]
    depends_on:
      db:
        condition: service_healthy
"""
    + DB
    + "volumes:\n  pgdata:\n"
)


def test_a_one_shot_service_named_and_running_migrate_is_a_migrator(write_tree: WriteTree) -> None:
    tree = {
        "package.json": pkg("api", {"start": "node dist/server.js"}, prisma="6.4.1"),
        "prisma/schema.prisma": SCHEMA,
        "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
        "docker-compose.yml": MIGRATOR_COMPOSE,
    }
    findings = run(write_tree(tree), "KD218")
    assert [(f.location.path, f.location.line) for f in findings] == [("docker-compose.yml", 6)]
    # quiet when the app waits for it, and when the name says nothing about migrating
    waits = MIGRATOR_COMPOSE.replace(
        "      db:\n        condition: service_healthy\n",
        "      db:\n        condition: service_healthy\n"
        "      migrate:\n        condition: service_completed_successfully\n",
    )
    assert run(write_tree({**tree, "docker-compose.yml": waits}), "KD218") == []
    renamed = MIGRATOR_COMPOSE.replace("  migrate:\n", "  worker:\n")
    assert run(write_tree({**tree, "docker-compose.yml": renamed}), "KD218") == []


# -- point 7: image contents ---------------------------------------------------------------------


def cli_image(install: str, spec: str = "^6.4.1") -> Tree:
    """A final stage that installs its own Prisma CLI to migrate at start (the shape of the
    self-hosted images that drop devDependencies, then add the CLI back)."""
    return {
        "package.json": json.dumps(
            {
                "name": "api",
                "dependencies": {"@prisma/client": spec},
                "devDependencies": {"prisma": spec},
            },
            indent=2,
        )
        + "\n",
        "prisma/schema.prisma": SCHEMA,
        "Dockerfile": (
            "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
            "FROM node:20-slim\nARG PRISMA_VERSION=6.2.0\nWORKDIR /app\n"
            "COPY --from=build /app/dist ./dist\nCOPY package*.json ./\n"
            f"RUN npm ci --omit=dev && {install}\n"
            'CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]\n'
        ),
    }


@pytest.mark.parametrize(
    ("install", "severity", "why"),
    [
        ("npm install prisma@latest", "medium", "`prisma@latest`"),
        ("npm install prisma", "medium", "no version"),
        ("pnpm add prisma@^6", "low", "in the project's major"),
        ("npm add prisma@6", "low", "`prisma@6`"),  # rallly's `npm add prisma@7`
        ("yarn add prisma@5.22.0", "medium", "outside the project's range"),
        # ARG default substituted: 6.2.0 is below ^6.4.1, in the same major
        ("npm add prisma@${PRISMA_VERSION}", "low", "same major"),
        ("bun add prisma@6.3.1", "low", "outside the project's range"),
    ],
)
def test_kd220_the_cli_the_final_image_installs(
    write_tree: WriteTree, install: str, severity: str, why: str
) -> None:
    found = [
        f
        for f in run(write_tree(cli_image(install)), "KD220")
        if "installs the Prisma CLI" in f.message
    ]
    assert [(f.location.path, f.location.line, f.severity.name.lower()) for f in found] == [
        ("Dockerfile", 11, severity)
    ]
    assert why in found[0].message


@pytest.mark.parametrize(
    "install",
    ["npm install prisma@6.4.1", "npm install prisma@6.5.0", "npm install @prisma/client@6.4.1"],
)
def test_kd220_quiet_when_the_image_cli_is_in_range(write_tree: WriteTree, install: str) -> None:
    found = [
        f
        for f in run(write_tree(cli_image(install)), "KD220")
        if "installs the Prisma CLI" in f.message
    ]
    assert found == []
    # a builder stage's install does not reach the final image
    tree = cli_image("true")
    tree["Dockerfile"] = tree["Dockerfile"].replace(
        "npm ci && npm run build", "npm i prisma@latest && npm run build"
    )
    assert [
        f for f in run(write_tree(tree), "KD220") if "installs the Prisma CLI" in f.message
    ] == []


SQLITE_SCHEMA = 'datasource db {\n  provider = "sqlite"\n  url      = "file:./data.db"\n}\n'
SQLITE_IMAGE = (
    "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npx prisma generate\n"
    'CMD ["sh", "-c", "npx prisma migrate deploy && exec node server.js"]\n'
)


def sqlite_app(**extra: str) -> Tree:
    """pingvin-share / wb-project-manager shape: one image, no compose, a SQLite file."""
    tree = {
        "package.json": pkg("app", {"start": "node server.js"}),
        "prisma/schema.prisma": SQLITE_SCHEMA,
        "Dockerfile": SQLITE_IMAGE,
    }
    tree.update({k.replace("__", "/").replace("_DOT_", "."): v for k, v in extra.items()})
    return tree


def test_kd113_without_compose_from_the_schema_or_a_copied_env(write_tree: WriteTree) -> None:
    found = run(write_tree(sqlite_app()), "KD113")
    assert [(f.location.path, f.location.line) for f in found] == [("prisma/schema.prisma", 3)]
    assert "/app/prisma/data.db" in found[0].message and "which the image holds" in found[0].message
    env_tree = sqlite_app(
        prisma__schema_DOT_prisma=SCHEMA.replace("postgresql", "sqlite"),
        _DOT_env="DATABASE_URL=file:./prod.db\n",
    )
    found = run(write_tree(env_tree), "KD113")
    assert [(f.location.path, f.location.line) for f in found] == [(".env", 1)]


@pytest.mark.parametrize(
    "extra",
    [
        {
            "Dockerfile": SQLITE_IMAGE.replace(
                "WORKDIR /app\n", "WORKDIR /app\nVOLUME /app/prisma\n"
            )
        },
        {"fly_DOT_toml": 'app = "x"\n[mounts]\n  source = "data"\n  destination = "/data"\n'},
    ],
)
def test_kd113_without_compose_quiet(write_tree: WriteTree, extra: dict[str, str]) -> None:
    assert run(write_tree(sqlite_app(**extra)), "KD113") == []
    env_tree = sqlite_app(
        prisma__schema_DOT_prisma=SCHEMA.replace("postgresql", "sqlite"),
        _DOT_env="DATABASE_URL=file:./prod.db\n",
        _DOT_dockerignore=".env\nnode_modules\n",
    )
    assert run(write_tree(env_tree), "KD113") == []


def env_template_app(**extra: str) -> Tree:
    tree = {
        "package.json": pkg("app", {"start": "node server.js"}),
        "prisma/schema.prisma": SCHEMA,
        ".env.example": "DATABASE_URL=postgresql://user:password@localhost:5432/app\n",
        "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
    }
    tree.update({k.replace("_DOT_", "."): v for k, v in extra.items()})
    return tree


def test_kd307_for_an_env_file_a_template_names(write_tree: WriteTree) -> None:
    found = run(write_tree(env_template_app()), "KD307")
    assert [(f.location.path, f.location.line, f.severity) for f in found] == [
        ("Dockerfile", 3, Severity.MEDIUM)
    ]
    assert "would be copied into the image when present" in found[0].message
    assert [r.location.path for r in found[0].related] == [".env.example"]


@pytest.mark.parametrize(
    "extra",
    [
        {"_DOT_dockerignore": "node_modules\n.env\n"},
        {
            "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY package.json server.js ./\nCMD ["node", "server.js"]\n'
        },
    ],
)
def test_kd307_absent_env_quiet(write_tree: WriteTree, extra: dict[str, str]) -> None:
    assert run(write_tree(env_template_app(**extra)), "KD307") == []


def test_kd307_present_env_is_the_usual_finding(write_tree: WriteTree) -> None:
    # with the file present, the finding is the usual one (high), once
    tree = env_template_app(_DOT_env="DATABASE_URL=postgresql://u:p@db:5432/app\n")
    found = run(write_tree(tree), "KD307")
    assert [f.severity for f in found] == [Severity.HIGH]


def test_kd218_a_job_awaited_through_another_job_is_quiet(write_tree: WriteTree) -> None:
    """formbricks: hub waits for hub-migrate, which waits for formbricks-migrate."""
    chain = MIGRATOR_COMPOSE.replace(
        "  app:\n",
        '  app-migrate:\n    build: .\n    command: ["node", "dist/db/migrate-app.js"]\n'
        "    depends_on:\n      migrate:\n        condition: service_completed_successfully\n"
        "  app:\n",
    ).replace(
        "      db:\n        condition: service_healthy\n",
        "      app-migrate:\n        condition: service_completed_successfully\n",
        1,
    )
    tree = {
        "package.json": pkg("api", {"start": "node dist/server.js"}, prisma="6.4.1"),
        "prisma/schema.prisma": SCHEMA,
        "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
        "docker-compose.yml": chain,
    }
    assert run(write_tree(tree), "KD218") == []


def next_app(**extra: str) -> Tree:
    """A Next.js app built with `COPY . .` (shaped like rallly/documenso): no env file in the
    checkout, `.gitignore` lists the local ones by convention."""
    tree = {
        "package.json": pkg("web", {"build": "next build", "start": "next start"}),
        "prisma/schema.prisma": SCHEMA,
        ".gitignore": "node_modules\n.env\n.env.local\n.env.production\n",
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
        'CMD ["npm", "start"]\n',
    }
    tree.update({k.replace("_DOT_", "."): v for k, v in extra.items()})
    return tree


COMPOSE_ENV_FILE = (
    "services:\n  web:\n    build: .\n    env_file:\n      - .env.local\n"
    "    ports:\n      - 3000:3000\n"
)


def test_kd307_for_an_absent_compose_env_file(write_tree: WriteTree) -> None:
    found = run(write_tree(next_app(**{"docker-compose.yml": COMPOSE_ENV_FILE})), "KD307")
    assert [(f.location.path, f.location.line, f.severity) for f in found] == [
        ("Dockerfile", 3, Severity.MEDIUM)
    ]
    assert found[0].message.startswith(".env.local is not in the checkout, but a compose")
    assert "would be copied into the image when present" in found[0].message
    assert [(r.location.path, r.location.line) for r in found[0].related][-1] == (
        "docker-compose.yml",
        5,
    )


def test_kd307_for_an_env_production_a_script_names(write_tree: WriteTree) -> None:
    scripts = {"build": "dotenv -e .env.production -- next build", "start": "next start"}
    found = run(write_tree(next_app(**{"package.json": pkg("web", scripts)})), "KD307")
    assert [(f.location.path, f.severity) for f in found] == [("Dockerfile", Severity.MEDIUM)]
    assert found[0].message.startswith(".env.production is not in the checkout, but package.json")
    assert ("package.json", 4) in [(r.location.path, r.location.line) for r in found[0].related]


@pytest.mark.parametrize(
    "extra",
    [
        {},  # `.env.local` / `.env.production` by convention only (.gitignore): nothing named
        {
            "package.json": pkg(
                "web", {"build": "next build", "env": "cp .env.production.example .env.prod"}
            )
        },
        {"docker-compose.yml": COMPOSE_ENV_FILE, "_DOT_dockerignore": "node_modules\n.env*\n"},
        {
            "docker-compose.yml": COMPOSE_ENV_FILE.replace("build: .", "image: node:20"),
        },
    ],
)
def test_kd307_absent_named_env_quiet(write_tree: WriteTree, extra: dict[str, str]) -> None:
    assert run(write_tree(next_app(**extra)), "KD307") == []


def test_kd307_for_an_env_local_a_nested_package_names_by_relative_path(
    write_tree: WriteTree,
) -> None:
    # shaped like jitsu: services/rotor/package.json loads `../../.env.local` (the root one)
    rotor = pkg("rotor", {"start": "dotenv -e ../../.env.local -- node dist/main.js"})
    tree = next_app(**{"services/rotor/package.json": rotor})
    root = write_tree(tree)
    found = run(root, "KD307")
    assert [(f.location.path, f.severity) for f in found] == [("Dockerfile", Severity.MEDIUM)]
    assert found[0].message.startswith(".env.local is not in the checkout, but services/rotor/")
    (root / ".dockerignore").write_text("node_modules\n.env.local\n")
    assert run(root, "KD307") == []
