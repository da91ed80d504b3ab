"""The startup fact: chains from compose/Dockerfile/platform/lifecycle roots to Prisma commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from analysis.engine import analyze
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import PrismaStep, StartupFacts, StartupPath
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "startup"
WriteTree = Callable[[dict[str, str]], Path]

PACKAGE = json.dumps(
    {
        "name": "api",
        "scripts": {
            "build": "tsc",
            "start": "node dist/main.js",
            "migrate": "prisma migrate deploy",
            "db:migrate": "prisma migrate dev",
        },
        "dependencies": {"@prisma/client": "6.4.1", "prisma": "6.4.1"},
    },
    indent=2,
)


def facts(write_tree: WriteTree, tree: dict[str, str]) -> StartupFacts:
    analysis = analyze(write_tree(tree))
    assert analysis.errors == (), analysis.errors[0].trace
    return analysis.fact(startup_paths)


def path(f: StartupFacts, path_id: str) -> StartupPath:
    for p in f.paths:
        if p.id == path_id:
            return p
    raise AssertionError(f"no path {path_id}: {[p.id for p in f.paths]}")


def steps(p: StartupPath) -> list[tuple[str, str, int]]:
    return [(s.command, s.location.path, s.location.line) for s in p.commands]


def where(s: PrismaStep) -> tuple[str, int]:
    return (s.location.path, s.location.line)


def test_seed_fixture_chain() -> None:
    analysis = analyze(FIXTURES / "seed")
    f = analysis.fact(startup_paths)
    backend = f.for_service("backend")
    assert backend is not None and backend.kind == "compose"
    assert [lk.kind for lk in backend.links][:3] == ["compose-command", "command", "script"]
    assert steps(backend) == [
        ("migrate deploy", "scripts/wait-for-db.sh", 27),
        ("db push", "scripts/wait-for-db.sh", 31),
        ("generate", "scripts/wait-for-db.sh", 35),
    ]
    deploy, push, _ = backend.commands
    assert deploy.condition == 'if [ "$has_migrations" = true ]' and deploy.opt_ins == ()
    assert push.fallback_kind == "no-migrations" and push.fallback_for == deploy.location
    assert [w.kind for w in backend.waits] == ["depends_on", "loop"]
    assert all(w.bounded for w in backend.waits)
    # developer scripts of package.json, in the fact's command list
    contexts = {(s.command, s.context) for s in f.commands if s.location.path == "package.json"}
    assert ("migrate reset", "developer") in contexts and ("migrate dev", "developer") in contexts
    # the startup commands come first, each once
    assert [s.context for s in f.commands][:3] == ["startup"] * 3
    assert list(f) == list(f.paths) and len(f) == len(f.paths)


def test_build_target_and_copy_resolution(write_tree: WriteTree) -> None:
    dockerfile = (
        "FROM node:20-alpine AS base\nWORKDIR /srv/app\nCOPY . .\n\n"
        'FROM base AS migrate\nCOPY ops/ /opt/ops/\nENTRYPOINT ["/opt/ops/migrate.sh"]\n\n'
        "FROM base AS runtime\nCOPY --from=migrate /opt/ops/run.sh /run.sh\n"
        'CMD ["/run.sh"]\n'
    )
    tree = {
        "compose.yaml": "services:\n  migrate:\n    build:\n      context: .\n      target: migrate\n"
        "  app:\n    build: .\n",
        "Dockerfile": dockerfile,
        "ops/migrate.sh": "#!/bin/sh\nset -e\nnpx prisma migrate deploy\n",
        "ops/run.sh": "#!/bin/sh\nset -e\nnpx prisma generate\nexec node dist/main.js\n",
        "package.json": PACKAGE,
    }
    f = facts(write_tree, tree)
    migrate = path(f, "compose:compose.yaml:migrate")
    assert migrate.stage == "migrate"
    assert steps(migrate) == [("migrate deploy", "ops/migrate.sh", 3)]
    assert migrate.links[0].label == 'ENTRYPOINT ["/opt/ops/migrate.sh"]'
    app = path(f, "compose:compose.yaml:app")
    assert app.stage == "runtime"
    assert steps(app) == [("generate", "ops/run.sh", 3)]
    assert app.entry_scripts[0].path == "ops/run.sh" and app.entry_scripts[0].ends_with_exec


def test_compose_entrypoint_clears_cmd(write_tree: WriteTree) -> None:
    tree = {
        "docker-compose.yml": "services:\n  app:\n    build: .\n"
        '    entrypoint: ["/app/bin/start.sh"]\n',
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n"
        'ENTRYPOINT ["/app/bin/boot.sh"]\nCMD ["npm", "run", "migrate"]\n',
        "bin/start.sh": "#!/bin/sh\nexec node server.js\n",
        "bin/boot.sh": '#!/bin/sh\nexec "$@"\n',
        "package.json": PACKAGE,
    }
    app = path(facts(write_tree, tree), "compose:docker-compose.yml:app")
    assert app.argv == ("/app/bin/start.sh",)
    assert app.commands == ()
    assert [lk.kind for lk in app.links] == ["compose-entrypoint", "script"]


def test_entrypoint_args_and_positional_case(write_tree: WriteTree) -> None:
    tree = {
        "docker-compose.yml": "services:\n  app:\n    build: .\n  migrate:\n    build: .\n"
        '    command: ["migrate"]\n',
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n"
        'ENTRYPOINT ["./docker-entrypoint.sh"]\nCMD ["npm", "start"]\n',
        "docker-entrypoint.sh": '#!/bin/sh\nset -e\ncase "$1" in\n'
        "  migrate) exec npx prisma migrate deploy ;;\n"
        "  seed) exec npx prisma db seed ;;\n"
        '  *) exec "$@" ;;\nesac\n',
        "package.json": json.dumps(
            {"scripts": {"start": "prisma migrate deploy && node dist/main.js"}}, indent=2
        ),
    }
    f = facts(write_tree, tree)
    app = path(f, "compose:docker-compose.yml:app")
    # CMD `npm start` -> `*)` arm -> exec npm start -> the start script
    assert steps(app) == [("migrate deploy", "package.json", 3)]
    assert [lk.kind for lk in app.links][-2:] == ["package-script", "prisma"]
    migrate = path(f, "compose:docker-compose.yml:migrate")
    assert steps(migrate) == [("migrate deploy", "docker-entrypoint.sh", 4)]
    # the `seed` arm runs on neither path: a developer command
    seed = [s for s in f.commands if s.command == "db seed"]
    assert [s.context for s in seed] == ["developer"]


def test_bind_mount_resolves_scripts(write_tree: WriteTree) -> None:
    tree = {
        "docker-compose.yml": "services:\n  app:\n    image: node:20\n    working_dir: /code\n"
        "    volumes:\n      - ./:/code\n    command: sh ./scripts/start.sh\n",
        "scripts/start.sh": "#!/bin/sh\nnpx prisma db push\nexec npm run dev\n",
        "package.json": json.dumps({"scripts": {"dev": "tsx watch src/index.ts"}}),
    }
    app = path(facts(write_tree, tree), "compose:docker-compose.yml:app")
    assert app.image == "node:20"
    assert steps(app) == [("db push", "scripts/start.sh", 2)]


def test_program_files_and_built_output_twin(write_tree: WriteTree) -> None:
    tree = {
        "docker-compose.yml": "services:\n  app:\n    build: .\n",
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build\n"
        'CMD ["node", "dist/scripts/start.js"]\n',
        "scripts/start.ts": 'import { execSync } from "node:child_process";\n'
        'execSync("npx prisma migrate deploy", { stdio: "inherit" });\n'
        'spawn("npx", ["prisma", "db", "seed"]);\n',
        "package.json": PACKAGE,
    }
    app = path(facts(write_tree, tree), "compose:docker-compose.yml:app")
    assert steps(app) == [
        ("migrate deploy", "scripts/start.ts", 2),
        ("db seed", "scripts/start.ts", 3),
    ]
    assert "program" in [lk.kind for lk in app.links]


def test_dockerfile_without_compose_and_run_steps(write_tree: WriteTree) -> None:
    tree = {
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n"
        "RUN npm ci && \\\n    npx prisma migrate deploy\n"
        'CMD ["npm", "run", "start"]\n',
        "package.json": json.dumps(
            {"scripts": {"start": "prisma migrate deploy; node dist/main.js"}}, indent=2
        ),
    }
    f = facts(write_tree, tree)
    image = path(f, "dockerfile:Dockerfile")
    assert steps(image) == [("migrate deploy", "package.json", 3)]
    run = path(f, "run:Dockerfile:4")
    assert run.context == "build" and steps(run) == [("migrate deploy", "Dockerfile", 5)]


def test_platform_paths(write_tree: WriteTree) -> None:
    tree = {
        "Procfile": "release: npm run migrate\nweb: npm start\n",
        "fly.toml": '[deploy]\n  release_command = "npx prisma migrate deploy"\n',
        "package.json": PACKAGE,
        "turbo.json": '{"tasks": {"build": {"dependsOn": ["db:migrate"]}}}\n',
    }
    f = facts(write_tree, tree)
    release = path(f, "platform:Procfile:release::1")
    assert release.context == "deploy"
    assert steps(release) == [("migrate deploy", "package.json", 6)]
    fly = path(f, "platform:fly.toml:[deploy] release_command:2")
    assert steps(fly) == [("migrate deploy", "fly.toml", 2)]
    turbo = path(f, "turbo:turbo.json:build")
    assert turbo.context == "build" and steps(turbo) == [("migrate dev", "package.json", 7)]


def test_makefile_targets_are_developer_and_followed_from_scripts(write_tree: WriteTree) -> None:
    tree = {
        "Makefile": "migrate:\n\tnpx prisma migrate deploy\nreset:\n\tnpx prisma migrate reset --force\n",
        "docker-compose.yml": "services:\n  app:\n    image: node:20\n    working_dir: /app\n"
        '    volumes:\n      - .:/app\n    command: ["make", "migrate"]\n',
    }
    f = facts(write_tree, tree)
    app = path(f, "compose:docker-compose.yml:app")
    assert steps(app) == [("migrate deploy", "Makefile", 2)]
    reset = next(s for s in f.commands if s.command == "migrate reset")
    assert reset.context == "developer" and reset.chain[0].label == "make reset"


def test_opt_in_records(write_tree: WriteTree) -> None:
    entry = (
        "#!/bin/sh\nset -e\n"
        ': "${RUN_MIGRATIONS:=true}"\n'
        'if [ "$RUN_MIGRATIONS" = "true" ]; then npx prisma migrate deploy; fi\n'
        'if [ "$DATABASE_SETUP" = 1 ]; then npx prisma db push; fi\n'
        'if [ -n "$SEED" ]; then npx prisma db seed; fi\n'
        'exec "$@"\n'
    )
    tree = {
        "docker-compose.yml": "services:\n  app:\n    build: .\n    environment:\n"
        '      SEED: "yes"\n',
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n"
        'ENTRYPOINT ["/app/entry.sh"]\nCMD ["node", "server.js"]\n',
        "entry.sh": entry,
    }
    app = path(facts(write_tree, tree), "compose:docker-compose.yml:app")
    by_cmd = {s.command: s for s in app.commands}
    deploy = by_cmd["migrate deploy"]
    assert [o.on for o in deploy.opt_ins] == [True]
    assert deploy.opt_ins[0].source == "script default"
    push = by_cmd["db push"]
    assert [(o.label, o.on, o.set_by) for o in push.opt_ins] == [
        ("$DATABASE_SETUP = 1", False, None)
    ]
    assert push.opt_in_off
    seed = by_cmd["db seed"]
    assert seed.opt_ins[0].on and seed.opt_ins[0].set_by is not None
    assert seed.opt_ins[0].set_by.path == "docker-compose.yml"


def test_unresolved_entrypoint_still_follows_cmd(write_tree: WriteTree) -> None:
    tree = {
        "docker-compose.yml": "services:\n  app:\n    build: .\n"
        '    command: ["npx", "prisma", "migrate", "deploy"]\n',
        "Dockerfile": 'FROM node:20\nENTRYPOINT ["docker-entrypoint.sh"]\n',
    }
    app = path(facts(write_tree, tree), "compose:docker-compose.yml:app")
    assert steps(app) == [("migrate deploy", "docker-compose.yml", 4)]
    assert [u.label for u in app.unresolved] == ["docker-entrypoint.sh (not found in the project)"]


def test_destructive_docker_commands_fact(write_tree: WriteTree) -> None:
    tree = {"scripts/clean.sh": "#!/bin/sh\ndocker compose -f a.yml down -v\ndocker compose down\n"}
    f = facts(write_tree, tree)
    assert [(d.location.line, d.what) for d in f.docker_commands] == [
        (2, "the project's volumes (docker compose down -v)")
    ]


def test_developer_script_finds_the_package_json_up_the_tree(write_tree: WriteTree) -> None:
    tree = {
        "package.json": json.dumps({"scripts": {"db:reset": "prisma migrate reset --force"}}),
        "scripts/dev/reset.sh": "#!/bin/sh\nset -e\nnpm run db:reset\n",
        ".env.example": "DATABASE_SETUP=1\n",
    }
    f = facts(write_tree, tree)
    reset = path(f, "script:scripts/dev/reset.sh")
    assert steps(reset) == [("migrate reset", "package.json", 1)]
    assert [lk.kind for lk in reset.commands[0].chain] == [
        "script",
        "command",
        "package-script",
        "prisma",
    ]


def test_unreadable_script_string_is_reported_with_its_file(write_tree: WriteTree) -> None:
    tree = {
        "package.json": '{\n  "scripts": {\n    "start": "echo \\"unterminated && node x.js"\n  }\n}\n',
        "Procfile": "web: npm start\n",
    }
    analysis = analyze(write_tree(tree))
    problems = [f for f in analysis.findings if f.rule == "KD001"]
    assert [(p.location.path, p.location.line) for p in problems] == [("package.json", 3)]
    assert "unterminated double quote" in problems[0].message


def test_opt_in_values_of_secret_variables_are_masked(write_tree: WriteTree) -> None:
    tree = {
        "docker-compose.yml": "services:\n  app:\n    build: .\n    environment:\n"
        "      MIGRATION_TOKEN: s3cr3t-value\n",
        "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["sh", "/app/start.sh"]\n',
        "start.sh": 'if [ -n "$MIGRATION_TOKEN" ]; then npx prisma migrate deploy; fi\n'
        "PGPASSWORD=hunter2 psql -c 'select 1'\nexec node server.js\n",
    }
    app = path(facts(write_tree, tree), "compose:docker-compose.yml:app")
    (opt,) = app.commands[0].opt_ins
    assert opt.on and opt.set_value == "****"
    assert "s3cr3t" not in repr(app)


def test_apps_with_copied_files_each_point_at_their_own(write_tree: WriteTree) -> None:
    # a monorepo whose apps carry the same entrypoint and package.json: one parse serves the
    # copies, and every step and problem still names the copy it is in
    entry = '#!/bin/sh\nset -e\nif [ -n "$X" ]; then\n  npx prisma migrate deploy\nexec "$@"\n'
    package = json.dumps({"scripts": {"start": "prisma migrate deploy && node dist/main.js"}})
    tree = {
        "docker-compose.yml": "services:\n"
        + "".join(f"  {a}:\n    build: ./apps/{a}\n" for a in ("web", "api")),
    }
    for a in ("web", "api"):
        tree[f"apps/{a}/Dockerfile"] = (
            'FROM node:20\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\n'
            'CMD ["npm", "start"]\n'
        )
        tree[f"apps/{a}/entrypoint.sh"] = entry
        tree[f"apps/{a}/package.json"] = package
    analysis = analyze(write_tree(tree))
    f = analysis.fact(startup_paths)
    for a in ("web", "api"):
        app = path(f, f"compose:docker-compose.yml:{a}")
        assert steps(app) == [
            ("migrate deploy", f"apps/{a}/entrypoint.sh", 4),
            ("migrate deploy", f"apps/{a}/package.json", 1),
        ]
        developer = path(f, f"package:apps/{a}/package.json:start")
        assert steps(developer) == [("migrate deploy", f"apps/{a}/package.json", 1)]
    # the unreadable `if` (no `fi`) is reported once per copy, at the copy
    kd001 = sorted(
        (x.location.path, x.location.line) for x in analysis.findings if x.rule == "KD001"
    )
    assert kd001 == [("apps/api/entrypoint.sh", 3), ("apps/web/entrypoint.sh", 3)]
