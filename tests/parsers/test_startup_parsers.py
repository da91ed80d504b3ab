"""Makefiles, platform files and the Prisma CLI recognizer."""

from __future__ import annotations

import pytest

from analysis.parsers.makefile import parse_makefile
from analysis.parsers.platform import parse_platform
from analysis.parsers.prisma_cli import global_prisma_install, prisma_invocation
from analysis.sources import SourceFile


def src(path: str, text: str) -> SourceFile:
    return SourceFile(path, text, "d", len(text))


# -- Prisma CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "normalized", "runner", "version"),
    [
        ("prisma migrate deploy", "migrate deploy", "prisma", ""),
        ("npx prisma migrate deploy", "migrate deploy", "npx", ""),
        ("npx prisma@latest db push", "db push", "npx", "latest"),
        ("npx --yes prisma@6 migrate deploy", "migrate deploy", "npx", "6"),
        ("npx -p prisma@5.22.0 prisma migrate deploy", "migrate deploy", "npx", "5.22.0"),
        ("pnpm prisma migrate dev", "migrate dev", "pnpm", ""),
        ("pnpm exec prisma generate", "generate", "pnpm exec", ""),
        ("pnpm dlx prisma db push", "db push", "pnpm dlx", ""),
        ("yarn prisma db seed", "db seed", "yarn", ""),
        ("bunx prisma migrate reset --force", "migrate reset", "bunx", ""),
        ("bun x prisma migrate deploy", "migrate deploy", "bunx", ""),
        ("node_modules/.bin/prisma migrate deploy", "migrate deploy", "prisma", ""),
        ("./node_modules/.bin/prisma db push", "db push", "prisma", ""),
        ("node node_modules/prisma/build/index.js migrate deploy", "migrate deploy", "node", ""),
        ("npm exec prisma migrate status", "migrate status", "npm exec", ""),
        ("exec gosu node npx prisma migrate deploy", "migrate deploy", "npx", ""),
        ("dotenv -e .env.production -- prisma migrate deploy", "migrate deploy", "prisma", ""),
        # Prisma 8's vocabulary
        ("prisma db migrate", "migrate deploy", "prisma", ""),
        ("prisma migration plan --name init", "migrate dev", "prisma", ""),
        ("prisma db update", "db push", "prisma", ""),
        ("prisma contract emit", "generate", "prisma", ""),
    ],
)
def test_prisma_invocations(command: str, normalized: str, runner: str, version: str) -> None:
    inv = prisma_invocation(tuple(command.split()))
    assert inv is not None
    assert (inv.command, inv.runner, inv.version) == (normalized, runner, version)


def test_flags_and_prisma8_data_loss_consent() -> None:
    inv = prisma_invocation(("prisma", "db", "push", "--accept-data-loss", "--skip-generate"))
    assert inv is not None and inv.accept_data_loss and inv.has("--skip-generate")
    p8 = prisma_invocation(("prisma", "db", "update", "--delete", "User.email"))
    assert p8 is not None and p8.prisma8 and p8.accept_data_loss
    rc = prisma_invocation(("prisma", "db", "update", "--confirm"))
    assert rc is not None and rc.accept_data_loss
    plain = prisma_invocation(("prisma", "db", "update"))
    assert plain is not None and not plain.accept_data_loss
    schema = prisma_invocation(("prisma", "migrate", "deploy", "--schema=./db/schema.prisma"))
    assert schema is not None and schema.schema == "./db/schema.prisma"
    assert prisma_invocation(("prisma", "db", "push", "--force-reset")).force_reset  # type: ignore[union-attr]


def test_download_behaviour() -> None:
    assert prisma_invocation(("npx", "prisma", "migrate", "deploy")).may_download  # type: ignore[union-attr]
    assert not prisma_invocation(("npx", "--no-install", "prisma", "generate")).may_download  # type: ignore[union-attr]
    assert not prisma_invocation(("pnpm", "exec", "prisma", "generate")).may_download  # type: ignore[union-attr]
    assert prisma_invocation(("npx", "prisma@latest", "generate")).pinned_elsewhere  # type: ignore[union-attr]
    assert not prisma_invocation(("npx", "prisma@6.4.1", "generate")).pinned_elsewhere  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "command",
    ["npx tsc", "npm run build", "yarn build", "node dist/prisma.js", "echo prisma migrate deploy"],
)
def test_not_prisma(command: str) -> None:
    assert prisma_invocation(tuple(command.split())) is None


def test_global_installs() -> None:
    assert global_prisma_install(("npm", "i", "-g", "prisma@5")).version == "5"  # type: ignore[union-attr]
    assert global_prisma_install(("npm", "install", "--global", "prisma")).version == ""  # type: ignore[union-attr]
    assert global_prisma_install(("yarn", "global", "add", "prisma")) is not None
    assert global_prisma_install(("pnpm", "add", "-g", "prisma@6.4.1")) is not None
    assert global_prisma_install(("npm", "install", "prisma")) is None
    assert global_prisma_install(("npm", "i", "-g", "typescript")) is None


# -- Makefile ---------------------------------------------------------------------------------

MAKEFILE = """DC := docker compose
DC_DEV = $(DC) -f docker-compose.yml
.PHONY: up down clean migrate reset

up: ## start everything
\t$(DC_DEV) up -d

down:
\t@$(DC) down

clean:
\t-$(DC) down -v \\
\t  --remove-orphans
\tdocker volume prune -f

migrate: up
\tnpx prisma migrate dev

define HELP
fake: target
endef

reset: ; npx prisma migrate reset --force
"""


def test_makefile_targets_recipes_and_variables() -> None:
    mk = parse_makefile(src("Makefile", MAKEFILE))
    names = [t.name for t in mk.targets]
    assert names == ["up", "down", "clean", "migrate", "reset"]
    clean = mk.target("clean")
    assert clean is not None and clean.phony
    assert [(r.command, r.line, r.end_line) for r in clean.recipes] == [
        ("docker compose down -v --remove-orphans", 12, 13),
        ("docker volume prune -f", 14, 14),
    ]
    assert clean.recipes[0].ignore_errors
    up = mk.target("up")
    assert up is not None and up.recipes[0].command == "docker compose -f docker-compose.yml up -d"
    migrate = mk.target("migrate")
    assert migrate is not None and migrate.prerequisites == ("up",)
    reset = mk.target("reset")
    assert reset is not None and reset.recipes[0].command == "npx prisma migrate reset --force"
    assert reset.line == 23


# -- platform files ---------------------------------------------------------------------------


def commands(path: str, text: str) -> list[tuple[str, str, str, int]]:
    pf = parse_platform(src(path, text))
    assert pf.problems == ()
    return [(c.role, c.key, c.command, c.line) for c in pf.commands]


def test_vercel() -> None:
    assert commands(
        "vercel.json",
        '{\n  "framework": "nextjs",\n  "buildCommand": "prisma migrate deploy && next build"\n}\n',
    ) == [("build", "buildCommand", "prisma migrate deploy && next build", 3)]
    pf = parse_platform(src("apps/web/vercel.json", '{"framework": "nextjs"}'))
    assert pf.default_build and pf.commands == ()


def test_fly_release_command() -> None:
    got = commands(
        "fly.toml",
        'app = "api"\n\n[deploy]\n  release_command = "npx prisma migrate deploy"\n\n'
        '[processes]\n  app = "node dist/main.js"\n',
    )
    assert got == [
        ("deploy", "[deploy] release_command", "npx prisma migrate deploy", 4),
        ("start", "[processes] app", "node dist/main.js", 7),
    ]


def test_render_procfile_railway_nixpacks_heroku() -> None:
    assert commands(
        "render.yaml",
        "services:\n  - type: web\n    name: api\n    buildCommand: npm ci && npm run build\n"
        "    preDeployCommand: npx prisma migrate deploy\n    startCommand: npm start\n",
    ) == [
        ("build", "buildCommand", "npm ci && npm run build", 4),
        ("deploy", "preDeployCommand", "npx prisma migrate deploy", 5),
        ("start", "startCommand", "npm start", 6),
    ]
    assert commands("Procfile", "release: npx prisma migrate deploy\nweb: npm start\n") == [
        ("deploy", "release:", "npx prisma migrate deploy", 1),
        ("start", "web:", "npm start", 2),
    ]
    assert commands(
        "railway.toml",
        '[build]\nbuildCommand = "npm run build"\n\n[deploy]\n'
        'startCommand = "npx prisma db push --accept-data-loss && npm start"\n',
    ) == [
        ("build", "[build] buildCommand", "npm run build", 2),
        ("start", "[deploy] startCommand", "npx prisma db push --accept-data-loss && npm start", 5),
    ]
    assert commands(
        "railway.json",
        '{\n  "deploy": {\n    "preDeployCommand": ["npx prisma migrate deploy"]\n  }\n}\n',
    ) == [("deploy", "deploy.preDeployCommand", "npx prisma migrate deploy", 3)]
    assert commands(
        "nixpacks.toml",
        '[phases.build]\ncmds = [\n  "npm run build",\n  "npx prisma migrate deploy",\n]\n\n'
        '[start]\ncmd = "npm start"\n',
    ) == [
        ("build", "[phases.build] cmds", "npm run build", 3),
        ("build", "[phases.build] cmds", "npx prisma migrate deploy", 4),
        ("start", "[start] cmd", "npm start", 8),
    ]
    assert commands(
        "heroku.yml", "release:\n  image: web\n  command:\n    - npx prisma migrate deploy\n"
    ) == [("deploy", "release.command", "npx prisma migrate deploy", 4)]


def test_turbo_tasks_jsonc() -> None:
    pf = parse_platform(
        src(
            "turbo.json",
            '{\n  // tasks\n  "tasks": {\n    "build": {"dependsOn": ["^build", "db:migrate"],},\n'
            '    "db:migrate": {"cache": false}\n  }\n}\n',
        )
    )
    assert pf.problems == ()
    assert [(t.name, t.depends_on, t.location.line) for t in pf.tasks] == [
        ("build", ("^build", "db:migrate"), 4),
        ("db:migrate", (), 5),
    ]


def test_platform_parse_errors_are_kd001() -> None:
    (p,) = parse_platform(src("fly.toml", "[deploy\nrelease_command = 1\n")).problems
    assert p.rule == "KD001" and p.location.line == 1
    (p,) = parse_platform(src("vercel.json", '{"buildCommand": }')).problems
    assert p.rule == "KD001" and p.location.column == 18
    (p,) = parse_platform(src("render.yaml", "services:\n  - name: [\n")).problems
    assert p.rule == "KD001"
