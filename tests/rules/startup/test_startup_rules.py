"""Startup rules KD111, KD201-KD221: each fires on a realistic project and stays quiet on the
traps RULES.md names."""

from __future__ import annotations

import json

import pytest

from analysis.engine import analyze
from analysis.model import Severity
from tests.conftest import EXAMPLES, REPO
from tests.rules.startup.trees import (
    DB_SERVICE,
    DOCKERFILE,
    MIGRATION,
    PACKAGE,
    SCHEMA,
    Tree,
    WriteTree,
    at,
    compose,
    one,
    project,
    run,
)

FIXTURES = REPO / "tests" / "fixtures" / "startup"

SAFE_ENTRYPOINT = """#!/bin/sh
set -e
npx prisma migrate deploy
exec "$@"
"""


# -- the seed ------------------------------------------------------------------------------------


def test_seed_project_findings() -> None:
    analysis = analyze(FIXTURES / "seed")
    assert analysis.errors == ()
    got = {(f.rule, f.severity, f.location.path, f.location.line) for f in analysis.findings}
    assert ("KD206", Severity.LOW, "scripts/wait-for-db.sh", 31) in got
    assert ("KD203", Severity.MEDIUM, "package.json", 12) in got  # developer `db:reset`
    assert ("KD214", Severity.LOW, "docker-compose.yml", 32) in got  # sh -c "... && npm run dev"
    for quiet in ("KD205", "KD209", "KD210", "KD211", "KD212", "KD207", "KD208", "KD201"):
        assert not any(f.rule == quiet for f in analysis.findings), quiet
    kd206 = next(f for f in analysis.findings if f.rule == "KD206")
    assert "has_migrations" in kd206.message
    related = {(r.location.path, r.location.line) for r in kd206.related}
    assert ("docker-compose.yml", 32) in related  # the chain's first link: compose command
    assert ("scripts/wait-for-db.sh", 27) in related  # the migrate deploy it replaces


# -- KD111 ---------------------------------------------------------------------------------------


def test_kd111_destructive_docker_commands(write_tree: WriteTree) -> None:
    tree = project(
        SAFE_ENTRYPOINT,
        Makefile="clean:\n\tdocker compose down -v --remove-orphans\nstop:\n\tdocker compose down\n",
        package={
            **PACKAGE,
            "scripts": {"nuke": "docker-compose down --volumes && docker volume prune -f"},
        },
        scripts__reset_DOT_sh="#!/bin/sh\necho 'never run docker compose down -v'\ndocker volume rm app_pgdata\n",
    )
    found = run(write_tree, tree, "KD111")
    assert sorted(at(f) for f in found) == [
        ("Makefile", 2),
        ("package.json", 4),
        ("package.json", 4),  # two commands on one line: one finding, the other folded in it
        ("scripts/reset.sh", 3),
    ]
    assert all(f.severity == Severity.HIGH for f in found)


def test_kd111_on_a_named_dev_or_test_stack_is_graded_by_that_context(
    write_tree: WriteTree,
) -> None:
    # langfuse's "infra:dev:prune": `docker compose -f ./docker-compose.dev.yml down -v`
    tree = project(
        SAFE_ENTRYPOINT,
        package={
            **PACKAGE,
            "scripts": {
                "prune": "docker compose -f ./docker-compose.dev.yml down -v",
                "e2e:down": "docker compose -f docker-compose.e2e.yml down -v",
                "wipe": "docker compose -f docker-compose.yml -f docker-compose.dev.yml down -v",
                "clean": "docker compose -f docker-compose.yml -f deploy/prod.yml down -v",
            },
        },
    )
    found = {f.message.split("`")[1]: f for f in run(write_tree, tree, "KD111")}
    dev = found["docker compose -f ./docker-compose.dev.yml down -v"]
    assert dev.severity == Severity.MEDIUM and dev.context == "development"
    assert "development context" in dev.message
    assert found["docker compose -f docker-compose.e2e.yml down -v"].severity == Severity.INFO
    # a base file with a dev overlay is the dev stack (timelines' "docker:destroy")
    chain = found["docker compose -f docker-compose.yml -f docker-compose.dev.yml down -v"]
    assert chain.severity == Severity.MEDIUM
    # a production stack keeps its severity
    prod = found["docker compose -f docker-compose.yml -f deploy/prod.yml down -v"]
    assert prod.severity == Severity.HIGH and prod.context is None


def test_kd111_quiet_on_safe_docker_commands(write_tree: WriteTree) -> None:
    tree = project(
        SAFE_ENTRYPOINT,
        Makefile="down:\n\tdocker compose down --remove-orphans\nls:\n\tdocker volume ls\n"
        "prune:\n\tdocker system prune -f\n",
        scripts__notes_DOT_sh='#!/bin/sh\necho "docker compose down -v deletes the database"\n',
    )
    assert run(write_tree, tree, "KD111") == []


# -- KD201 / KD202 / KD203 ----------------------------------------------------------------------


def test_kd201_accept_data_loss_at_start_is_critical(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma db push --accept-data-loss\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD201")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.CRITICAL
    assert 'service "api"' in f.message
    assert ("Dockerfile", 12) in {(r.location.path, r.location.line) for r in f.related}


def test_kd201_developer_script_is_high_and_prisma8_is_recognised(write_tree: WriteTree) -> None:
    package = {**PACKAGE, "scripts": {"db:sync": "prisma db update --delete Post.legacy"}}
    f = one(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD201")
    assert at(f) == ("package.json", 4) and f.severity == Severity.HIGH
    assert "Prisma 8" in f.message


def test_kd201_quiet_without_the_flag(write_tree: WriteTree) -> None:
    entry = (
        "#!/bin/sh\nset -e\necho 'do not use --accept-data-loss'\nnpx prisma db push\nexec \"$@\"\n"
    )
    assert run(write_tree, project(entry), "KD201") == []


def test_kd202_force_reset_in_compose_command(write_tree: WriteTree) -> None:
    app = (
        "  api:\n    build: .\n"
        '    command: sh -c "npx prisma db push --force-reset && node dist/main.js"\n'
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    f = one(write_tree, project(compose_text=compose(app)), "KD202")
    assert at(f) == ("docker-compose.yml", 15) and f.severity == Severity.CRITICAL
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD202") == []


def test_kd203_reset_severity_by_context(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma migrate reset --force\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD203")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.CRITICAL

    package = {**PACKAGE, "scripts": {"db:reset": "prisma migrate reset"}}
    f = one(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD203")
    assert at(f) == ("package.json", 4) and f.severity == Severity.MEDIUM

    package = {**PACKAGE, "scripts": {"postinstall": "prisma migrate reset --force --skip-seed"}}
    f = one(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD203")
    assert f.severity == Severity.CRITICAL


def test_kd203_in_a_fly_release_command_is_critical(write_tree: WriteTree) -> None:
    tree = {
        "fly.toml": 'app = "api"\n\n[deploy]\n  release_command = "npx prisma migrate reset --force"\n',
        "package.json": json.dumps(PACKAGE),
    }
    f = one(write_tree, tree, "KD203")
    assert at(f) == ("fly.toml", 4) and f.severity == Severity.CRITICAL
    assert "deploy" in f.message


OPT_IN_ENTRY = """#!/bin/sh
set -e
if [ "$DATABASE_SETUP" = 1 ]; then
  npx prisma migrate reset --force
fi
npx prisma migrate deploy
exec "$@"
"""


def test_opt_in_condition_nothing_sets_is_one_level_lower(write_tree: WriteTree) -> None:
    f = one(write_tree, project(OPT_IN_ENTRY), "KD203")
    assert at(f) == ("docker/entrypoint.sh", 4)
    assert f.severity == Severity.HIGH
    assert "$DATABASE_SETUP = 1" in f.message and "one level lower" in f.message


def test_opt_in_condition_compose_sets_is_full_severity(write_tree: WriteTree) -> None:
    app = (
        "  api:\n    build: .\n    environment:\n      DATABASE_SETUP: 1\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    f = one(write_tree, project(OPT_IN_ENTRY, compose_text=compose(app)), "KD203")
    assert f.severity == Severity.CRITICAL
    assert ("docker-compose.yml", 16) in {(r.location.path, r.location.line) for r in f.related}


def test_opt_in_set_by_dotenv_and_positional_arguments(write_tree: WriteTree) -> None:
    tree = project(OPT_IN_ENTRY)
    tree[".env"] += "DATABASE_SETUP=1\n"
    assert one(write_tree, tree, "KD203").severity == Severity.CRITICAL
    # `case "$1"`: the CMD decides which arm runs at start
    entry = (
        '#!/bin/sh\nset -e\ncase "$1" in\n  reset) npx prisma migrate reset --force ;;\n'
        '  *) npx prisma migrate deploy; exec "$@" ;;\nesac\n'
    )
    f = one(write_tree, project(entry), "KD203")
    assert f.severity == Severity.MEDIUM and "developer" in f.message


# -- KD204 / KD205 / KD206 ----------------------------------------------------------------------


def test_kd204_migrate_dev_at_start(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma migrate dev --name auto\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD204")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.HIGH


def test_kd204_quiet_in_developer_script(write_tree: WriteTree) -> None:
    package = {**PACKAGE, "scripts": {"db:migrate": "prisma migrate dev"}}
    assert run(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD204") == []


def test_kd205_db_push_as_strategy(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma db push --skip-generate\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD205")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.MEDIUM
    assert run(write_tree, project(entry), "KD206") == []


def test_kd205_db_push_when_migrate_deploy_fails(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma migrate deploy || npx prisma db push\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD205")
    assert "whenever `migrate deploy` fails" in f.message
    assert run(write_tree, project(entry), "KD206") == []


def test_kd206_quiet_when_migrations_always_deploy(write_tree: WriteTree) -> None:
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD206") == []


# -- KD207 / KD208 -------------------------------------------------------------------------------


def test_kd207_no_migration_step(write_tree: WriteTree) -> None:
    dockerfile = DOCKERFILE.replace(
        'COPY docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh\nENTRYPOINT ["docker-entrypoint.sh"]\n',
        "",
    )
    f = one(write_tree, project(dockerfile=dockerfile), "KD207")
    assert at(f) == ("docker-compose.yml", 13) and f.severity == Severity.MEDIUM
    assert "prisma/migrations" in f.message


def test_kd207_quiet_with_a_migration_job(write_tree: WriteTree) -> None:
    dockerfile = DOCKERFILE.replace(
        'COPY docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh\nENTRYPOINT ["docker-entrypoint.sh"]\n',
        "",
    )
    app = (
        "  migrate:\n    build: .\n    command: npx prisma migrate deploy\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
        "  api:\n    build: .\n    depends_on:\n      migrate:\n"
        "        condition: service_completed_successfully\n"
    )
    tree = project(dockerfile=dockerfile, compose_text=compose(app))
    assert run(write_tree, tree, "KD207") == []
    assert run(write_tree, tree, "KD218") == []


def test_kd208_deploy_without_migrations(write_tree: WriteTree) -> None:
    f = one(write_tree, project(SAFE_ENTRYPOINT, migrations=False), "KD208")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.MEDIUM
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD208") == []


def test_kd208_quiet_for_the_seed_pattern_without_migrations(write_tree: WriteTree) -> None:
    seed = (FIXTURES / "seed" / "scripts" / "wait-for-db.sh").read_text()
    assert run(write_tree, project(seed, migrations=False), "KD208") == []


# -- KD209 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "line", "why"),
    [
        ("#!/bin/sh\nnpx prisma migrate deploy\nexec node dist/main.js\n", 2, "no `set -e`"),
        (
            '#!/bin/sh\nset -e\nnpx prisma migrate deploy | tee /tmp/m.log\nexec "$@"\n',
            3,
            "pipefail",
        ),
        ('#!/bin/sh\nset -e\nnpx prisma migrate deploy || true\nexec "$@"\n', 3, "|| true"),
        (
            "#!/bin/sh\nnpx prisma migrate deploy || echo 'migration failed'\nexec \"$@\"\n",
            2,
            "ignores its failure",
        ),
        (
            "#!/bin/sh\nset -e\nnpx prisma migrate deploy && echo 'migrated'\nexec \"$@\"\n",
            3,
            "`&&`",
        ),
        ('#!/bin/sh\nnpx prisma migrate deploy; echo continuing\nexec "$@"\n', 2, "no `set -e`"),
    ],
)
def test_kd209_failure_ignored(write_tree: WriteTree, entry: str, line: int, why: str) -> None:
    f = one(write_tree, project(entry), "KD209")
    assert at(f) == ("docker/entrypoint.sh", line) and f.severity == Severity.MEDIUM
    assert why in f.message


@pytest.mark.parametrize(
    "entry",
    [
        SAFE_ENTRYPOINT,
        "#!/bin/sh\nnpx prisma migrate deploy && exec node dist/main.js\n",
        '#!/bin/sh\nnpx prisma migrate deploy || exit 1\nexec "$@"\n',
        '#!/bin/sh\nif ! npx prisma migrate deploy; then\n  echo failed >&2\n  exit 1\nfi\nexec "$@"\n',
        '#!/bin/bash\nset -euo pipefail\nnpx prisma migrate deploy | tee /tmp/m.log\nexec "$@"\n',
        '#!/bin/sh\nnpx prisma migrate deploy\nif [ $? -ne 0 ]; then exit 1; fi\nexec "$@"\n',
        '#!/bin/bash -e\nnpx prisma migrate deploy\nexec "$@"\n',
    ],
)
def test_kd209_quiet_when_failure_stops_the_start(write_tree: WriteTree, entry: str) -> None:
    assert run(write_tree, project(entry), "KD209") == []


def test_kd209_through_a_package_script(write_tree: WriteTree) -> None:
    # `npm run migrate` is the script's last command before exec; set -e stops the start
    package = {**PACKAGE, "scripts": {"migrate": "prisma migrate deploy"}}
    entry = '#!/bin/sh\nset -e\nnpm run migrate\nexec "$@"\n'
    assert run(write_tree, project(entry, package=package), "KD209") == []
    entry = '#!/bin/sh\nnpm run migrate\nexec "$@"\n'
    f = one(write_tree, project(entry, package=package), "KD209")
    # the fix goes where the failure is ignored: the entrypoint's call, not the script
    assert at(f) == ("docker/entrypoint.sh", 2)
    assert ("package.json", 4) in [(r.location.path, r.location.line) for r in f.related]
    package = {**PACKAGE, "scripts": {"start:prod": "prisma migrate deploy; node dist/main.js"}}
    app = "  api:\n    build: .\n    command: npm run start:prod\n"
    tree = project(package=package, compose_text=compose(app))
    f = one(write_tree, tree, "KD209")
    assert at(f) == ("package.json", 4)


# -- KD210 / KD211 / KD212 ----------------------------------------------------------------------


UNBOUNDED = """#!/bin/sh
set -e
until pg_isready -h db -U app; do
  echo "waiting for the database"
  sleep 1
done
npx prisma migrate deploy
exec "$@"
"""


def test_kd210_unbounded_wait(write_tree: WriteTree) -> None:
    f = one(write_tree, project(UNBOUNDED), "KD210")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.LOW


def test_kd210_quiet_on_the_seed_bounded_wait(write_tree: WriteTree) -> None:
    seed = (FIXTURES / "seed" / "scripts" / "wait-for-db.sh").read_text()
    assert run(write_tree, project(seed), "KD210") == []
    tool = (
        '#!/bin/sh\nset -e\n/wait-for-it.sh db:5432 -t 60\nnpx prisma migrate deploy\nexec "$@"\n'
    )
    assert run(write_tree, project(tool), "KD210") == []


def test_kd211_no_wait(write_tree: WriteTree) -> None:
    app = "  api:\n    build: .\n    depends_on:\n      - db\n"
    f = one(write_tree, project(SAFE_ENTRYPOINT, compose_text=compose(app)), "KD211")
    # the service (no compose command): the prisma command and the depends_on are related
    assert at(f) == ("docker-compose.yml", 13) and f.severity == Severity.MEDIUM
    related = {(r.location.path, r.location.line) for r in f.related}
    assert ("docker/entrypoint.sh", 3) in related and ("docker-compose.yml", 16) in related


def test_kd211_quiet_with_healthy_dependency_or_wait_loop(write_tree: WriteTree) -> None:
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD211") == []
    app = "  api:\n    build: .\n    depends_on:\n      - db\n"
    assert run(write_tree, project(UNBOUNDED, compose_text=compose(app)), "KD211") == []


def test_kd212_db_without_healthcheck(write_tree: WriteTree) -> None:
    text = compose().replace(
        '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U app"]\n      interval: 5s\n', ""
    )
    f = one(write_tree, project(SAFE_ENTRYPOINT, compose_text=text), "KD212")
    assert at(f) == ("docker-compose.yml", 2) and f.severity == Severity.LOW
    assert any(r.location.line == 15 for r in f.related), f.related
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD212") == []


SQLITE_SCHEMA = 'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n'
NO_HEALTHCHECK = (
    '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U app"]\n      interval: 5s\n'
)


def sqlite_project(*, environment: str = "", env_line: str = "", dockerfile_env: str = "") -> Tree:
    """A SQLite app that migrates at start and depends on the (unhealthchecked) postgres of the
    stack without waiting: the URL comes from compose, the Dockerfile, `.env` or nowhere."""
    app = "  api:\n    build: .\n" + environment + "    depends_on:\n      - db\n"
    dockerfile = DOCKERFILE.replace(
        "WORKDIR /app\nCOPY --from", f"WORKDIR /app\n{dockerfile_env}COPY --from"
    )
    tree = project(
        SAFE_ENTRYPOINT,
        compose_text=compose(app).replace(NO_HEALTHCHECK, ""),
        dockerfile=dockerfile,
    )
    tree["prisma/schema.prisma"] = SQLITE_SCHEMA
    tree[".env"] += env_line
    return tree


@pytest.mark.parametrize(
    ("kwargs", "source", "line"),
    [
        ({"environment": "    environment:\n      DATABASE_URL: file:./dev.db\n"}, "compose", 13),
        ({"dockerfile_env": "ENV DATABASE_URL=file:/data/app.db\n"}, "Dockerfile ENV", 8),
        ({"env_line": "DATABASE_URL=file:./dev.db\n"}, ".env", 2),
        ({}, "schema provider", 2),
    ],
    ids=["compose-environment", "dockerfile-env", "dotenv", "schema-provider"],
)
def test_kd211_kd212_quiet_for_a_sqlite_file(
    write_tree: WriteTree, kwargs: dict[str, str], source: str, line: int
) -> None:
    # a SQLite `file:` database has no server to wait for: no KD211, and the app does not make
    # the stack's database a KD212 (nothing else depends on it)
    analysis = analyze(write_tree(sqlite_project(**kwargs)))
    assert analysis.errors == ()
    rules = {f.rule for f in analysis.findings}
    assert "KD211" not in rules and "KD212" not in rules
    from analysis.facts.startup.paths import startup_paths

    api = analysis.fact(startup_paths).for_service("api")
    assert api is not None and api.database is not None and api.database.sqlite
    assert api.database.source.startswith(source) and api.database.location.line == line


def test_kd211_kd212_still_fire_for_a_server_url_over_a_sqlite_looking_schema(
    write_tree: WriteTree,
) -> None:
    # the container's URL decides: a postgres URL means a server to wait for
    env = "    environment:\n      DATABASE_URL: postgresql://app:pw@db:5432/app\n"
    tree = sqlite_project(environment=env)
    assert at(one(write_tree, tree, "KD211")) == ("docker-compose.yml", 10)
    assert at(one(write_tree, tree, "KD212")) == ("docker-compose.yml", 2)


# -- KD213 / KD214 / KD215 ----------------------------------------------------------------------


def test_kd213_migrate_resolve_at_start(write_tree: WriteTree) -> None:
    entry = (
        "#!/bin/sh\nset -e\nnpx prisma migrate resolve --applied 20240101000000_init || true\n"
        'npx prisma migrate deploy\nexec "$@"\n'
    )
    f = one(write_tree, project(entry), "KD213")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.HIGH
    package = {**PACKAGE, "scripts": {"db:resolve": "prisma migrate resolve --rolled-back x"}}
    assert run(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD213") == []


def test_kd214_app_started_without_exec(write_tree: WriteTree) -> None:
    entry = "#!/bin/sh\nset -e\nnpx prisma migrate deploy\nnode dist/main.js\n"
    f = one(write_tree, project(entry), "KD214")
    assert at(f) == ("docker/entrypoint.sh", 4) and f.severity == Severity.LOW
    assert "exec node dist/main.js" in f.message


def test_kd214_quiet_with_exec_or_trap(write_tree: WriteTree) -> None:
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD214") == []
    entry = (
        "#!/bin/sh\nset -e\nnpx prisma migrate deploy\ntrap 'kill -TERM $PID' TERM INT\n"
        "node dist/main.js &\nPID=$!\nwait $PID\n"
    )
    assert run(write_tree, project(entry), "KD214") == []


def test_kd215_seed_on_every_start(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma migrate deploy\nnpx prisma db seed\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD215")
    assert at(f) == ("docker/entrypoint.sh", 4) and f.severity == Severity.MEDIUM
    entry = '#!/bin/sh\nset -e\nnpx prisma migrate deploy\nnpx tsx prisma/seed.ts\nexec "$@"\n'
    tree = project(entry, prisma__seed_DOT_ts="import { PrismaClient } from '@prisma/client';\n")
    f = one(write_tree, tree, "KD215")
    assert at(f) == ("docker/entrypoint.sh", 4)


def test_kd215_opt_in_seed_and_developer_seed(write_tree: WriteTree) -> None:
    entry = (
        "#!/bin/sh\nset -e\nnpx prisma migrate deploy\n"
        'if [ "$SEED_DATABASE" = "true" ]; then\n  npx prisma db seed\nfi\nexec "$@"\n'
    )
    f = one(write_tree, project(entry), "KD215")
    assert f.severity == Severity.LOW and "$SEED_DATABASE = true" in f.message
    package = {**PACKAGE, "scripts": {"db:seed": "prisma db seed"}}
    assert run(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD215") == []


# -- KD216 ---------------------------------------------------------------------------------------


def test_kd216_migrations_in_lifecycle_scripts(write_tree: WriteTree) -> None:
    package = {
        **PACKAGE,
        "scripts": {
            "postinstall": "prisma generate && prisma migrate deploy",
            "build": "prisma db push --accept-data-loss && next build",
        },
    }
    found = run(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD216")
    got = sorted((at(f), f.severity) for f in found)
    assert got == [(("package.json", 4), Severity.HIGH), (("package.json", 5), Severity.CRITICAL)]


def test_kd216_vercel_build_command_and_default(write_tree: WriteTree) -> None:
    tree = {
        "vercel.json": '{\n  "buildCommand": "prisma migrate deploy && next build"\n}\n',
        "package.json": json.dumps(PACKAGE),
    }
    f = one(write_tree, tree, "KD216")
    assert at(f) == ("vercel.json", 2) and f.severity == Severity.HIGH
    pkg = {**PACKAGE, "scripts": {"vercel-build": "prisma migrate deploy && next build"}}
    tree = {"vercel.json": '{"framework": "nextjs"}\n', "package.json": json.dumps(pkg, indent=2)}
    f = one(write_tree, tree, "KD216")
    assert at(f) == ("package.json", 4)
    assert any(r.location.path == "vercel.json" for r in f.related) or "vercel" in f.message


def test_kd216_quiet_for_generate(write_tree: WriteTree) -> None:
    package = {**PACKAGE, "scripts": {"postinstall": "prisma generate", "build": "tsc"}}
    assert run(write_tree, project(SAFE_ENTRYPOINT, package=package), "KD216") == []


# -- KD217 / KD218 / KD219 ----------------------------------------------------------------------


def test_kd217_two_services_migrate_the_same_database(write_tree: WriteTree) -> None:
    app = (
        "  api:\n    build: .\n    depends_on:\n      db:\n        condition: service_healthy\n"
        "  worker:\n    build: .\n    command: node dist/worker.js\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    f = one(write_tree, project(SAFE_ENTRYPOINT, compose_text=compose(app)), "KD217")
    assert f.severity == Severity.MEDIUM and "worker" in f.message and "api" in f.message


def test_kd217_replicas(write_tree: WriteTree) -> None:
    app = (
        "  api:\n    build: .\n    deploy:\n      replicas: 3\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    f = one(write_tree, project(SAFE_ENTRYPOINT, compose_text=compose(app)), "KD217")
    assert at(f) == ("docker-compose.yml", 16) and "3 replicas" in f.message
    assert ("docker/entrypoint.sh", 3) in {(r.location.path, r.location.line) for r in f.related}
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD217") == []


def test_kd218_migration_job_not_awaited(write_tree: WriteTree) -> None:
    dockerfile = DOCKERFILE.replace(
        'COPY docker/entrypoint.sh /usr/local/bin/docker-entrypoint.sh\nENTRYPOINT ["docker-entrypoint.sh"]\n',
        "",
    )
    app = (
        "  migrate:\n    build: .\n    command: npx prisma migrate deploy\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
        "  api:\n    build: .\n    depends_on:\n      migrate:\n        condition: service_started\n"
    )
    f = one(write_tree, project(dockerfile=dockerfile, compose_text=compose(app)), "KD218")
    assert at(f) == ("docker-compose.yml", 22) and f.severity == Severity.MEDIUM
    assert "service_completed_successfully" in f.message


def test_kd219_floating_image_migrates(write_tree: WriteTree) -> None:
    app = (
        "  api:\n    image: ghcr.io/acme/api:latest\n"
        '    command: sh -c "npx prisma migrate deploy && exec node dist/main.js"\n'
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    f = one(write_tree, project(compose_text=compose(app)), "KD219")
    assert at(f) == ("docker-compose.yml", 14) and f.severity == Severity.MEDIUM
    assert ("docker-compose.yml", 15) in {(r.location.path, r.location.line) for r in f.related}
    pinned = compose(app.replace(":latest", ":1.4.2"))
    assert run(write_tree, project(compose_text=pinned), "KD219") == []


# -- KD220 ---------------------------------------------------------------------------------------


def test_kd220_latest_cli(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma@latest migrate deploy\nexec "$@"\n'
    f = one(write_tree, project(entry), "KD220")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.MEDIUM
    assert any(r.location.path == "package.json" for r in f.related)


def test_kd220_global_install_and_dev_dependency_dropped(write_tree: WriteTree) -> None:
    dockerfile = DOCKERFILE.replace("RUN npm ci\n", "RUN npm ci\nRUN npm install -g prisma\n")
    f = one(write_tree, project(SAFE_ENTRYPOINT, dockerfile=dockerfile), "KD220")
    assert at(f) == ("Dockerfile", 5)
    dockerfile = DOCKERFILE.replace("RUN npm ci\n", "RUN npm ci --omit=dev\n").replace(
        "RUN npx prisma generate && npm run build\n", ""
    )
    f = one(write_tree, project(SAFE_ENTRYPOINT, dockerfile=dockerfile), "KD220")
    assert at(f) == ("docker/entrypoint.sh", 3) and "node_modules" in f.message


def test_kd220_quiet_when_pinned(write_tree: WriteTree) -> None:
    assert run(write_tree, project(SAFE_ENTRYPOINT), "KD220") == []
    dockerfile = DOCKERFILE.replace("RUN npm ci\n", "RUN npm ci\nRUN npm install -g prisma@6.4.1\n")
    assert run(write_tree, project(SAFE_ENTRYPOINT, dockerfile=dockerfile), "KD220") == []
    entry = '#!/bin/sh\nset -e\nnpx prisma@6.4.1 migrate deploy\nexec "$@"\n'
    assert run(write_tree, project(entry), "KD220") == []


# -- KD221 ---------------------------------------------------------------------------------------


def shared(url_b: str) -> str:
    return (
        "  api:\n    build: .\n    environment:\n"
        "      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
        "  billing:\n    build: ./billing\n    environment:\n"
        f"      DATABASE_URL: {url_b}\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )


def test_kd221_db_push_on_a_shared_database(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma db push\nexec "$@"\n'
    tree = project(
        entry, compose_text=compose(shared("postgresql://app:${POSTGRES_PASSWORD}@db:5432/app"))
    )
    tree["billing/Dockerfile"] = (
        'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n'
    )
    f = one(write_tree, tree, "KD221")
    assert at(f) == ("docker/entrypoint.sh", 3) and f.severity == Severity.HIGH
    assert "billing" in f.message
    assert any(r.location.line == 23 for r in f.related), f.related


def test_kd221_quiet_on_another_schema_or_database(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma db push\nexec "$@"\n'
    for url in (
        "postgresql://app:${POSTGRES_PASSWORD}@db:5432/billing",
        "postgresql://app:${POSTGRES_PASSWORD}@db:5432/app?schema=billing",
    ):
        tree = project(entry, compose_text=compose(shared(url)))
        tree["billing/Dockerfile"] = 'FROM node:20-alpine\nCMD ["node", "index.js"]\n'
        assert run(write_tree, tree, "KD221") == []


# -- more traps ------------------------------------------------------------------------------------


def test_docker_compose_exec_in_a_makefile_is_a_developer_command(write_tree: WriteTree) -> None:
    tree = project(
        SAFE_ENTRYPOINT,
        Makefile="reset-db:\n\tdocker compose exec api npx prisma migrate reset --force\n",
    )
    f = one(write_tree, tree, "KD203")
    assert at(f) == ("Makefile", 2) and f.severity == Severity.MEDIUM


def test_kd205_not_for_a_force_reset(write_tree: WriteTree) -> None:
    entry = '#!/bin/sh\nset -e\nnpx prisma db push --force-reset\nexec "$@"\n'
    tree = project(entry)
    assert run(write_tree, tree, "KD205") == []
    assert len(run(write_tree, tree, "KD202")) == 1


def test_kd207_for_an_image_built_elsewhere(write_tree: WriteTree) -> None:
    staging = (
        "name: staging\nservices:\n" + DB_SERVICE + "  api:\n    image: myorg/api:1.4.2\n"
        '    entrypoint: ["node", "dist/index.js"]\n'
        "    environment:\n      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
        "volumes:\n  pgdata: {}\n"
    )
    tree = project(SAFE_ENTRYPOINT)
    tree["deploy/staging/docker-compose.yml"] = staging
    f = one(write_tree, tree, "KD207")
    assert at(f) == ("deploy/staging/docker-compose.yml", 16)


def test_kd208_migrations_hidden_by_dockerignore(write_tree: WriteTree) -> None:
    tree = project(SAFE_ENTRYPOINT)
    tree[".dockerignore"] = "node_modules\n.env\nprisma/migrations\n"
    f = one(write_tree, tree, "KD208")
    assert at(f) == ("docker/entrypoint.sh", 3) and ".dockerignore" in f.message
    assert (".dockerignore", 3) in {(r.location.path, r.location.line) for r in f.related}
    # a bind mount of the project brings them back at run time, in this stack only
    app = (
        "  api:\n    build: .\n    volumes:\n      - .:/app\n"
        "    depends_on:\n      db:\n        condition: service_healthy\n"
    )
    tree = project(SAFE_ENTRYPOINT, compose_text=compose(app))
    tree[".dockerignore"] = "node_modules\n.env\nprisma/migrations\n"
    f = one(write_tree, tree, "KD208")
    assert "bind mount" in f.message
    assert ("docker-compose.yml", 16) in {(r.location.path, r.location.line) for r in f.related}
    # nothing hidden: quiet (same folder: the .dockerignore is emptied)
    tree = project(SAFE_ENTRYPOINT, compose_text=compose(app))
    tree[".dockerignore"] = "node_modules\n"
    assert run(write_tree, tree, "KD208") == []


def test_kd218_depends_on_the_job_whatever_the_url(write_tree: WriteTree) -> None:
    app = (
        '  migrate:\n    image: myorg/api:2.0.1\n    entrypoint: ["npx", "prisma", "migrate", "deploy"]\n'
        "    environment:\n      DATABASE_URL: postgresql://app:x@db:5432/app\n"
        "  api:\n    image: myorg/api:2.0.1\n"
        "    environment:\n      DATABASE_URL: postgresql://app:x@localhost:5432/app\n"
        "    depends_on:\n      - migrate\n"
    )
    f = one(write_tree, project(compose_text=compose(app)), "KD218")
    assert at(f) == ("docker-compose.yml", 23)


RISKY = EXAMPLES / "risky-app"


def test_risky_app_startup_traps_stay_quiet_and_messages_name_the_cause() -> None:
    """Where risky-app's startup findings are (rule, file, line, severity) is pinned once, by
    examples/risky-app/EXPECTED.md (tests/project/test_risky_app_expected.py) and the `check`
    snapshots (tests/report/test_output_snapshots.py); here: its traps and the messages."""
    analysis = analyze(RISKY)
    # `legacy` uses SQLite (`DATABASE_URL: file:./dev.db`): nothing to wait for
    assert not any(
        f.rule in ("KD211", "KD212") and at(f) == ("docker-compose.yml", 45)
        for f in analysis.findings
    )
    staging = {f.rule for f in analysis.findings if f.location.path.startswith("deploy/staging")}
    assert staging <= {"KD207"}
    kd202 = next(f for f in analysis.findings if f.rule == "KD202")
    assert "$RESET_DB = true" in kd202.message
    kd203 = next(
        f
        for f in analysis.findings
        if f.rule == "KD203" and f.location.path == "scripts/entrypoint.sh"
    )
    assert ("docker-compose.override.yml", 7) in {
        (r.location.path, r.location.line) for r in kd203.related
    }


# -- issue 7: programs a container starts; platform commands -------------------------------------

PROGRAMS = {
    ("javascript", "string"): (
        "scripts/sync.js",
        'const { execSync } = require("node:child_process");\n'
        'console.log("syncing the schema");\n'
        'execSync("npx prisma db push --accept-data-loss", { stdio: "inherit" });\n'
        'require("./server");\n',
    ),
    ("javascript", "array"): (
        "scripts/sync.js",
        'import { spawnSync } from "node:child_process";\n'
        'console.log("syncing the schema");\n'
        'spawnSync("npx", ["prisma", "db", "push", "--accept-data-loss"], { stdio: "inherit" });\n'
        'await import("./server.js");\n',
    ),
    ("python", "string"): (
        "scripts/sync.py",
        "import subprocess\n"
        'print("syncing the schema")\n'
        'subprocess.run("npx prisma db push --accept-data-loss", shell=True, check=True)\n'
        'subprocess.run(["gunicorn", "app:app"], check=True)\n',
    ),
    ("python", "array"): (
        "scripts/sync.py",
        "import subprocess\n"
        'print("syncing the schema")\n'
        'subprocess.check_call(["npx", "prisma", "db", "push", "--accept-data-loss"])\n'
        'subprocess.run(["gunicorn", "app:app"], check=True)\n',
    ),
}


@pytest.mark.parametrize("started_by", ["compose command", "Dockerfile CMD"])
@pytest.mark.parametrize(("language", "form"), list(PROGRAMS), ids="-".join)
def test_kd201_in_a_program_the_container_starts(
    write_tree: WriteTree, language: str, form: str, started_by: str
) -> None:
    program, text = PROGRAMS[(language, form)]
    runner = "node" if language == "javascript" else "python"
    base = "node:20-alpine" if language == "javascript" else "python:3.12-slim"
    start = f'["{runner}", "{program}"]'
    dockerfile = f"FROM {base}\nWORKDIR /app\nCOPY . .\n"
    tree: Tree = {program: text, "prisma/schema.prisma": SCHEMA}
    if started_by == "compose command":
        tree["Dockerfile"] = dockerfile + 'CMD ["sleep", "infinity"]\n'
        tree["docker-compose.yml"] = compose(
            f"  api:\n    build: .\n    command: {start}\n"
            "    depends_on:\n      db:\n        condition: service_healthy\n"
        )
        first = ("docker-compose.yml", 15)
    else:
        tree["Dockerfile"] = dockerfile + f"CMD {start}\n"
        first = ("Dockerfile", 4)
    if language == "javascript":
        tree["package.json"] = json.dumps(PACKAGE, indent=2) + "\n"
    f = one(write_tree, tree, "KD201")
    # on the line of the child-process call, critical: it runs at every start
    assert at(f) == (program, 3) and f.severity == Severity.CRITICAL
    assert "db push --accept-data-loss" in f.message and "starts" in f.message
    assert first in {(r.location.path, r.location.line) for r in f.related}


PLATFORM_FILES = {
    "fly.toml": (
        'app = "api"\n\n[deploy]\n  release_command = "npx prisma migrate deploy"\n',
        "[deploy] release_command",
        "deploy",
        ("fly.toml", 4),
    ),
    "vercel.json": (
        '{\n  "buildCommand": "prisma migrate deploy && next build"\n}\n',
        "buildCommand",
        "build",
        ("vercel.json", 2),
    ),
    "render.yaml": (
        "services:\n  - type: web\n    name: api\n    runtime: node\n"
        "    buildCommand: npm ci && npm run build\n"
        "    preDeployCommand: npx prisma migrate deploy\n"
        "    startCommand: node dist/main.js\n",
        "preDeployCommand",
        "deploy",
        ("render.yaml", 6),
    ),
    "Procfile": (
        "release: npx prisma migrate deploy\nweb: node dist/main.js\n",
        "release:",
        "deploy",
        ("Procfile", 1),
    ),
    "railway.json": (
        '{\n  "$schema": "https://railway.com/railway.schema.json",\n'
        '  "build": {"buildCommand": "npm run build"},\n'
        '  "deploy": {\n    "preDeployCommand": "npx prisma migrate deploy",\n'
        '    "startCommand": "node dist/main.js"\n  }\n}\n',
        "deploy.preDeployCommand",
        "deploy",
        ("railway.json", 5),
    ),
    "railway.json build": (
        '{\n  "build": {\n    "buildCommand": "npx prisma migrate deploy && npm run build"\n'
        "  }\n}\n",
        "build.buildCommand",
        "build",
        ("railway.json", 3),
    ),
}


@pytest.mark.parametrize("name", list(PLATFORM_FILES))
def test_platform_command_is_the_paths_migration_step(write_tree: WriteTree, name: str) -> None:
    from analysis.facts.startup.paths import startup_paths

    text, key, context, where = PLATFORM_FILES[name]
    rel = name.split()[0]
    tree: Tree = {
        rel: text,
        "package.json": json.dumps(PACKAGE, indent=2) + "\n",
        "prisma/schema.prisma": SCHEMA,
        "prisma/migrations/20240101000000_init/migration.sql": MIGRATION,
    }
    analysis = analyze(write_tree(tree))
    assert analysis.errors == ()
    facts = analysis.fact(startup_paths)
    # one path per platform command; the setting is the path's first link
    paths = [
        p
        for p in facts.paths
        if p.kind == "platform"
        and p.links[0].kind == "platform"
        and p.links[0].location.path == rel
        and f"{rel} {key} " in p.links[0].label
    ]
    assert len(paths) == 1, [p.links[0].label for p in facts.paths if p.links]
    (path,) = paths
    # ... and the Prisma command in it is the path's migration step
    assert path.context == context
    steps = [(s.command, s.context, (s.location.path, s.location.line)) for s in path.commands]
    assert steps == [("migrate deploy", context, where)]
    assert path.migrates == path.commands
    assert any(s.location == path.commands[0].location for s in facts.commands)
