"""KD301-KD308 on realistic projects: each rule fires where it must and stays quiet on the traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Finding, Severity
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "image"


def found(root: Path, rule: str) -> list[Finding]:
    analysis = analyze(root)
    assert analysis.errors == ()
    return [f for f in analysis.findings if f.rule == rule]


def image_findings(root: Path) -> list[Finding]:
    analysis = analyze(root)
    assert analysis.errors == ()
    return [f for f in analysis.findings if f.rule.startswith("KD3")]


# -- whole fixture projects ---------------------------------------------------------------------
def test_good_nextjs_standalone_image_has_no_image_findings() -> None:
    assert image_findings(FIXTURES / "nextjs-good") == []


def test_broken_nestjs_image() -> None:
    root = FIXTURES / "nestjs-broken"
    by_rule = {f.rule: f for f in image_findings(root)}
    assert set(by_rule) == {"KD301", "KD303", "KD304", "KD307"}

    kd301 = by_rule["KD301"]
    assert (kd301.severity, kd301.location.path, kd301.location.line) == (
        Severity.MEDIUM,
        "Dockerfile",
        5,
    )
    assert [r.location.line for r in kd301.related] == [6]

    kd303 = by_rule["KD303"]
    assert kd303.severity is Severity.HIGH
    # at the .dockerignore line that hides the migrations
    assert (kd303.location.path, kd303.location.line) == (".dockerignore", 3)
    related = {(r.location.path, r.location.line) for r in kd303.related}
    assert ("package.json", 9) in related  # the `prisma migrate deploy` line
    assert ("Dockerfile", 17) in related  # the CMD that starts it

    kd304 = by_rule["KD304"]
    assert (kd304.severity, kd304.location.line) == (Severity.HIGH, 11)
    assert "nestpass" not in kd304.message and "****" in kd304.message

    kd307 = by_rule["KD307"]
    assert (kd307.location.path, kd307.location.line) == ("Dockerfile", 6)


# -- KD301 generate-before-schema-copy ----------------------------------------------------------
PKG = """{
  "name": "api",
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "start": "node dist/main.js"
  },
  "dependencies": {"@prisma/client": "6.2.0"},
  "devDependencies": {"prisma": "6.2.0", "typescript": "5.6.0"}
}
"""
SCHEMA = 'generator client {\n  provider = "prisma-client-js"\n}\n'
MIGRATION = "prisma/migrations/20240101000000_init/migration.sql"


def test_kd301_fires_through_postinstall_before_schema(write_tree) -> None:
    pkg = PKG.replace('"build"', '"postinstall": "prisma generate",\n    "build"')
    root = write_tree(
        {
            "package.json": pkg,
            "prisma/schema.prisma": SCHEMA,
            ".dockerignore": "node_modules\n",
            "Dockerfile": (
                "FROM node:20-alpine\n"
                "WORKDIR /app\n"
                "COPY package.json package-lock.json ./\n"
                "RUN npm ci\n"
                "COPY . .\n"
                "RUN npm run build\n"
                'CMD ["node", "dist/main.js"]\n'
            ),
        }
    )
    (f,) = found(root, "KD301")
    assert (f.location.path, f.location.line) == ("package.json", 4)  # the prisma command
    assert ("Dockerfile", 4) in {(r.location.path, r.location.line) for r in f.related}


def test_kd301_quiet_when_regenerated_after_copy(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            ".dockerignore": "node_modules\n",
            "Dockerfile": (
                "FROM node:20-alpine AS deps\n"
                "WORKDIR /app\n"
                "COPY package.json ./\n"
                "RUN npm install && npx prisma generate || true\n"
                "FROM deps AS build\n"
                "COPY . .\n"
                "RUN npx prisma generate && npm run build\n"
                'CMD ["node", "dist/main.js"]\n'
            ),
        }
    )
    assert found(root, "KD301") == []


# -- KD302 no-prisma-generate -------------------------------------------------------------------
NO_GENERATE = (
    "FROM node:20-alpine\n"
    "WORKDIR /app\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm ci\n"
    "COPY . .\n"
    "RUN npm run build\n"
)


def test_kd302_fires_when_nothing_generates(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            ".dockerignore": "node_modules\n",
            "Dockerfile": NO_GENERATE + 'CMD ["node", "dist/main.js"]\n',
        }
    )
    (f,) = found(root, "KD302")
    assert (f.severity, f.location.path, f.location.line) == (Severity.MEDIUM, "Dockerfile", 1)


def test_kd302_quiet_when_startup_generates(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            ".dockerignore": "node_modules\n",
            "Dockerfile": NO_GENERATE + "CMD npx prisma generate && node dist/main.js\n",
        }
    )
    assert found(root, "KD302") == []


def test_kd302_quiet_when_client_install_hook_sees_the_schema(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            ".dockerignore": "node_modules\n",
            "Dockerfile": (
                "FROM node:20-alpine\n"
                "WORKDIR /app\n"
                "COPY package.json package-lock.json ./\n"
                "COPY prisma ./prisma\n"
                "RUN npm ci\n"
                "COPY . .\n"
                'CMD ["node", "dist/main.js"]\n'
            ),
        }
    )
    assert found(root, "KD302") == []


def test_kd302_quiet_for_a_database_image_beside_a_schema(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            "Dockerfile": "FROM node:20\nCOPY . /app\nRUN npx prisma generate\n",
            "docker/db.Dockerfile": (
                "FROM postgres:16\nCOPY docker/init.sql /docker-entrypoint-initdb.d/\n"
            ),
            "docker/init.sql": "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n",
            "compose.yaml": (
                "services:\n"
                "  db:\n"
                "    build:\n"
                "      context: .\n"
                "      dockerfile: docker/db.Dockerfile\n"
            ),
        }
    )
    assert found(root, "KD302") == []


# -- KD303 migrations-not-in-image --------------------------------------------------------------
def _migrating_project(dockerignore: str, final_copies: str) -> dict[str, str]:
    return {
        "package.json": PKG,
        "prisma/schema.prisma": SCHEMA,
        MIGRATION: 'CREATE TABLE "A" ("id" INTEGER);\n',
        ".dockerignore": dockerignore,
        "entrypoint.sh": "#!/bin/sh\nset -e\nnpx prisma migrate deploy\nexec node dist/main.js\n",
        "Dockerfile": (
            "FROM node:20-alpine AS builder\n"
            "WORKDIR /app\n"
            "COPY . .\n"
            "RUN npm ci && npx prisma generate && npm run build\n"
            "\n"
            "FROM node:20-alpine\n"
            "WORKDIR /app\n"
            "COPY --from=builder /app/node_modules ./node_modules\n"
            "COPY --from=builder /app/dist ./dist\n"
            f"{final_copies}"
            "COPY entrypoint.sh ./\n"
            'ENTRYPOINT ["./entrypoint.sh"]\n'
        ),
    }


def test_kd303_fires_when_dockerignore_hides_migrations(write_tree) -> None:
    root = write_tree(
        _migrating_project(
            "node_modules\n**/migrations\n", "COPY --from=builder /app/prisma ./prisma\n"
        )
    )
    (f,) = found(root, "KD303")
    assert (f.severity, f.location.path, f.location.line) == (Severity.HIGH, ".dockerignore", 2)
    related = {(r.location.path, r.location.line) for r in f.related}
    assert ("Dockerfile", 10) in related  # the COPY that would bring them
    assert ("entrypoint.sh", 3) in related  # the `prisma migrate deploy` line


def test_kd303_fires_when_no_copy_brings_migrations(write_tree) -> None:
    root = write_tree(_migrating_project("node_modules\n", ""))
    (f,) = found(root, "KD303")
    assert (f.location.path, f.location.line) == ("Dockerfile", 6)  # the final stage's FROM
    assert "no COPY brings prisma/migrations into the final stage" in f.message


def test_kd303_quiet_when_builder_prisma_folder_is_copied(write_tree) -> None:
    root = write_tree(
        _migrating_project("node_modules\n.env\n", "COPY --from=builder /app/prisma ./prisma\n")
    )
    assert found(root, "KD303") == []


def test_kd303_quiet_when_a_later_pattern_reincludes_migrations(write_tree) -> None:
    root = write_tree(
        _migrating_project(
            "node_modules\nprisma\n!prisma/migrations\n!prisma/schema.prisma\n",
            "COPY --from=builder /app/prisma ./prisma\n",
        )
    )
    assert found(root, "KD303") == []


# -- KD304 secret-in-image ----------------------------------------------------------------------
def test_kd304_fires_on_password_and_url(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": (
                "FROM node:20-alpine AS build\n"
                "ENV DATABASE_URL=postgresql://user:dummy@localhost:5432/db\n"
                "RUN echo build\n"
                "FROM node:20-alpine\n"
                "ARG ADMIN_PASSWORD=hunter2\n"
                'ENV REDIS_URL="redis://:s3cr3t@cache:6379"\n'
                'CMD ["node", "x.js"]\n'
            )
        }
    )
    by_line = {f.location.line: f for f in found(root, "KD304")}
    # line 2: a placeholder (`dummy`) in a build stage the image is not built FROM is not
    # KD304 (RULES.md, "What is not a finding")
    assert set(by_line) == {5, 6}
    assert by_line[6].severity is Severity.HIGH and "s3cr3t" not in by_line[6].message
    assert by_line[5].severity is Severity.HIGH and "hunter2" not in by_line[5].message


def test_kd304_real_secret_in_a_build_stage_is_one_level_lower(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": (
                "FROM node:20-alpine AS build\n"
                'ENV AUTH_SECRET="dummy_secret_for_build_only_32chars!"\n'
                "ENV STRIPE_SECRET=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n"
                "RUN npm run build\n"
                "FROM node:20-alpine\n"
                'CMD ["node", "x.js"]\n'
            )
        }
    )
    by_line = {f.location.line: f for f in found(root, "KD304")}
    assert set(by_line) == {3}  # the placeholder on line 2 is quiet (inbox-zero's shape)
    assert by_line[3].severity is Severity.MEDIUM


def test_kd304_quiet_on_references_and_plain_values(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": (
                "FROM node:20-alpine\n"
                "ARG DATABASE_URL\n"
                "ARG NPM_TOKEN\n"
                "ENV DATABASE_URL=${DATABASE_URL}\n"
                "ENV DB_PASSWORD_FILE=/run/secrets/db_password\n"
                "ENV PGPASSWORD=$PGPASSWORD\n"
                "ENV API_URL=https://api.example.com/v1 NODE_ENV=production\n"
            )
        }
    )
    # DB_PASSWORD_FILE names the file that holds the password (Docker secrets convention)
    assert found(root, "KD304") == []


def test_kd304_a_switch_is_not_a_secret(write_tree) -> None:
    # openpanel: `ENV COREPACK_INTEGRITY_KEYS=0` turns a check off; a real key still fires
    image = "FROM node:20-alpine\nENV COREPACK_INTEGRITY_KEYS=0\nENV SESSION_SECRET_KEY=false\n"
    assert found(write_tree({"Dockerfile": image}), "KD304") == []
    real = image + "ENV STRIPE_SECRET_KEY=sk_live_51Habc\n"
    assert [f.location.line for f in found(write_tree({"Dockerfile": real}), "KD304")] == [4]


# -- KD305 migrate-at-build-time ----------------------------------------------------------------
def test_kd305_fires_on_run_and_through_a_script(write_tree) -> None:
    pkg = PKG.replace('"tsc -p tsconfig.build.json"', '"prisma db push && tsc"')
    root = write_tree(
        {
            "package.json": pkg,
            "prisma/schema.prisma": SCHEMA,
            "Dockerfile": (
                "FROM node:20-alpine\n"
                "WORKDIR /app\n"
                "COPY . .\n"
                "RUN npm ci && \\\n"
                "    npx prisma generate && \\\n"
                "    npx prisma migrate deploy\n"
                "RUN npm run build\n"
                'CMD ["node", "dist/main.js"]\n'
            ),
        }
    )
    hits = sorted(found(root, "KD305"), key=lambda f: f.location.path)
    assert [(f.location.path, f.location.line) for f in hits] == [
        ("Dockerfile", 6),
        ("package.json", 4),
    ]
    assert all(f.severity is Severity.HIGH for f in hits)
    assert ("Dockerfile", 7) in {(r.location.path, r.location.line) for r in hits[1].related}


def test_kd305_quiet_for_generate_and_unused_stage(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            "Dockerfile": (
                "FROM node:20-alpine AS migrate-tool\n"
                "RUN npx prisma migrate deploy\n"
                "FROM node:20-alpine\n"
                "WORKDIR /app\n"
                "COPY . .\n"
                "RUN npm ci && npx prisma generate && npm run build\n"
                'CMD ["sh", "-c", "npx prisma migrate deploy && node dist/main.js"]\n'
            ),
        }
    )
    assert found(root, "KD305") == []


# -- KD306 stale-client-volume ------------------------------------------------------------------
DEV_DOCKERFILE = (
    "FROM node:20\n"
    "WORKDIR /app\n"
    "COPY package*.json ./\n"
    "COPY prisma ./prisma\n"
    "RUN npm ci\n"
    "RUN npx prisma generate\n"
    "COPY . .\n"
    'CMD ["npm", "run", "dev"]\n'
)
DEV_COMPOSE = """services:
  api:
    build: .
    command: npm run dev
    volumes:
      - .:/app
      - /app/node_modules
    ports:
      - "127.0.0.1:3000:3000"
"""


@pytest.mark.parametrize(
    ("dev_script", "fires"),
    [("nest start --watch", True), ("prisma generate && nest start --watch", False)],
)
def test_kd306_stale_client_volume(write_tree, dev_script: str, fires: bool) -> None:
    pkg = PKG.replace('"start": "node dist/main.js"', f'"dev": "{dev_script}"')
    root = write_tree(
        {
            "package.json": pkg,
            "prisma/schema.prisma": SCHEMA,
            "Dockerfile": DEV_DOCKERFILE,
            "compose.yaml": DEV_COMPOSE,
        }
    )
    hits = found(root, "KD306")
    if not fires:
        assert hits == []
        return
    (f,) = hits
    assert (f.severity, f.location.path, f.location.line) == (
        Severity.MEDIUM,
        "compose.yaml",
        7,
    )
    assert ("compose.yaml", 6) in {(r.location.path, r.location.line) for r in f.related}


def test_kd306_quiet_without_node_modules_volume(write_tree) -> None:
    root = write_tree(
        {
            "package.json": PKG,
            "prisma/schema.prisma": SCHEMA,
            "Dockerfile": DEV_DOCKERFILE,
            "compose.yaml": DEV_COMPOSE.replace("      - /app/node_modules\n", ""),
        }
    )
    assert found(root, "KD306") == []


# -- KD307 env-in-build-context -----------------------------------------------------------------
ENV_DOCKERFILE = 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n'


def test_kd307_fires_without_dockerignore(write_tree) -> None:
    root = write_tree(
        {"Dockerfile": ENV_DOCKERFILE, ".env": "DATABASE_URL=postgresql://a:b@db/app\n"}
    )
    (f,) = found(root, "KD307")
    assert (f.severity, f.location.path, f.location.line) == (Severity.HIGH, "Dockerfile", 3)
    assert "no .dockerignore" in f.message


def test_kd307_fires_on_reinclusion_line(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": ENV_DOCKERFILE,
            ".dockerignore": "node_modules\n.env*\n!.env.production\n",
            ".env.production": "DATABASE_URL=postgresql://a:b@db/app\n",
            ".env": "X=1\n",
        }
    )
    (f,) = found(root, "KD307")
    assert (f.location.path, f.location.line) == (".dockerignore", 3)
    assert ".env.production" in f.message


def test_kd307_quiet_when_excluded_or_not_copied(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": ENV_DOCKERFILE,
            ".dockerignore": "**/.env\n.env.*\n!.env.example\n",
            ".env": "X=1\n",
            "apps/api/.env": "X=1\n",
            ".env.local": "X=1\n",
            ".env.example": "X=\n",
            "tools/Dockerfile": 'FROM alpine\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n',
            "tools/.env": "Y=2\n",
        }
    )
    assert found(root, "KD307") == []


def test_kd307_dockerfile_specific_ignore_file_wins(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": ENV_DOCKERFILE,
            "Dockerfile.dockerignore": "node_modules\n",
            ".dockerignore": ".env\n",
            ".env": "X=1\n",
        }
    )
    (f,) = found(root, "KD307")
    assert "Dockerfile.dockerignore does not exclude it" in f.message


# -- KD308 migrations-gitignored ----------------------------------------------------------------
def _gitignored(gitignore: str) -> dict[str, str]:
    pkg = PKG.replace('"start": "node dist/main.js"', '"db:deploy": "prisma migrate deploy"')
    return {
        ".gitignore": gitignore,
        "package.json": pkg,
        "prisma/schema.prisma": SCHEMA,
        MIGRATION: 'CREATE TABLE "A" ("id" INTEGER);\n',
    }


def test_kd308_fires_on_the_gitignore_line(write_tree) -> None:
    root = write_tree(_gitignored("node_modules\n.env\nprisma/migrations/\n"))
    (f,) = found(root, "KD308")
    assert (f.severity, f.location.path, f.location.line) == (Severity.HIGH, ".gitignore", 3)
    assert ("package.json", 5) in {(r.location.path, r.location.line) for r in f.related}


def test_kd308_fires_on_a_sql_glob(write_tree) -> None:
    root = write_tree(_gitignored("*.sql\n"))
    (f,) = found(root, "KD308")
    assert f.location.line == 1 and "migration.sql" in f.message


def test_kd308_quiet_when_negation_keeps_migrations(write_tree) -> None:
    root = write_tree(_gitignored("prisma/*\n!prisma/migrations/\n!prisma/schema.prisma\n"))
    assert found(root, "KD308") == []


def test_kd308_quiet_when_nothing_applies_migrations(write_tree) -> None:
    files = _gitignored("prisma/migrations/\n")
    files["package.json"] = PKG
    root = write_tree(files)
    assert found(root, "KD308") == []


def test_kd308_fires_for_a_missing_folder_that_a_clean_clone_lacks(write_tree) -> None:
    root = write_tree(
        {
            "legacy/.gitignore": "node_modules/\n*.db\nprisma/migrations/\n",
            "legacy/package.json": PKG,
            "legacy/prisma/schema.prisma": (
                'datasource db {\n  provider = "sqlite"\n  url = "file:./dev.db"\n}\n'
            ),
            "legacy/docker-entrypoint.sh": "#!/bin/sh\nset -e\nnpx prisma migrate deploy\n",
            "legacy/Dockerfile": (
                'FROM node:18-alpine\nWORKDIR /app\nCOPY . .\nCMD ["sh", "./docker-entrypoint.sh"]\n'
            ),
        }
    )
    (f,) = found(root, "KD308")
    assert (f.location.path, f.location.line) == ("legacy/.gitignore", 3)
    assert ("legacy/docker-entrypoint.sh", 3) in {
        (r.location.path, r.location.line) for r in f.related
    }


def test_kd308_quiet_for_a_mongodb_schema(write_tree) -> None:
    files = _gitignored("prisma/migrations/\n")
    files["prisma/schema.prisma"] = 'datasource db {\n  provider = "mongodb"\n  url = "x"\n}\n'
    del files[MIGRATION]
    root = write_tree(files)
    assert found(root, "KD308") == []


# -- KD303 across services and projects ---------------------------------------------------------
MONOREPO_COMPOSE = """services:
  api:
    build: .
  worker:
    build:
      context: .
      dockerfile: Dockerfile.worker
    command: ["sh", "-c", "npx prisma migrate deploy; node dist/worker.js"]
"""


def test_kd303_one_finding_for_two_services_hidden_by_one_line(write_tree) -> None:
    files = _migrating_project("node_modules\nprisma/migrations\n", "COPY prisma ./prisma\n")
    files["Dockerfile.worker"] = (
        "FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci --omit=dev\n"
        "COPY dist ./dist\nCOPY prisma ./prisma\nRUN npx prisma generate\n"
        'CMD ["node", "dist/worker.js"]\n'
    )
    files["compose.yaml"] = MONOREPO_COMPOSE
    root = write_tree(files)
    (f,) = found(root, "KD303")
    assert (f.location.path, f.location.line) == (".dockerignore", 2)
    assert "'api'" in f.message and "'worker'" in f.message
    related = {(r.location.path, r.location.line) for r in f.related}
    assert {("entrypoint.sh", 3), ("compose.yaml", 8), ("Dockerfile.worker", 6)} <= related


def test_kd303_ignores_another_projects_migrations_in_the_context(write_tree) -> None:
    files = _migrating_project(
        "node_modules\nprisma/migrations\n",
        "COPY --from=builder /app/prisma ./prisma\nCOPY --from=builder /app/edge ./edge\n",
    )
    # a side project inside the build context, with its own package.json and migrations
    files["edge/package.json"] = '{"name": "edge"}'
    files["edge/prisma/schema.prisma"] = SCHEMA
    files["edge/prisma/migrations/20240702090000_x/migration.sql"] = "CREATE TABLE b (id int);\n"
    root = write_tree(files)
    (f,) = found(root, "KD303")
    assert "excludes prisma/migrations" in f.message
