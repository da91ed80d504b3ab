"""Issue 12, compose side: real project layouts (compose files found by content, the project's
own published image, build contexts, compose semantics, vendor data paths).

Each fixture copies the shape of a public repository of the real-world corpus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.context import Context
from analysis.discover import discover, looks_like_compose
from analysis.engine import analyze
from analysis.facts.compose import compose_stacks
from analysis.model import Finding
from analysis.sources import FileKind

if TYPE_CHECKING:
    from analysis.facts.images.records import Image

SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'


def only_image(root: Path) -> Image:
    """The one image build of the project."""
    from analysis.facts.images.builds import images

    (image,) = Context(root, discover(root)).fact(images)
    return image


def run(root: Path, *rules: str) -> list[Finding]:
    result = analyze(root)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.rule in set(rules)]


# -- 1. compose files by content ----------------------------------------------------------------
# reactive-resume keeps its compose files in tools/compose/<purpose>.yml, teable in
# dockers/<service>.yml, coolify-style templates in self-hosting/<platform>.yml.
SIMPLE_YML = """\
# In this Docker Compose example, it assumes that you maintain a reverse proxy externally.

services:
  # Database (Postgres)
  postgres:
    image: postgres:16-alpine
    restart: unless-stopped
    environment:
      POSTGRES_DB: postgres
      POSTGRES_USER: postgres
      POSTGRES_PASSWORD: postgres

  app:
    image: amruthpillai/reactive-resume:latest
    restart: unless-stopped
    depends_on:
      - postgres
"""

TEABLE_DB = """\
version: '3.9'

services:
  teable-postgres:
    image: postgres:15.4
    volumes:
      - db_data:/var/lib/postgresql/data:rw

volumes:
  db_data:
"""

K8S = """\
apiVersion: v1
kind: Service
metadata:
  name: postgres
spec:
  ports:
    - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16
"""

WORKFLOW = """\
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        ports: ["5432:5432"]
    steps:
      - run: npx prisma migrate deploy
"""

GITLAB = """\
stages: [test]
services:
  - postgres:16
variables:
  POSTGRES_DB: app
test:
  image: node:20
  script: npx prisma migrate deploy
"""

RENDER = """\
services:
  - type: web
    name: app
    startCommand: npx prisma migrate deploy && node server.js
databases:
  - name: db
"""

WOODPECKER = """\
steps:
  test:
    image: node:20
    commands: [npm test]
services:
  database:
    image: postgres:16
"""


def test_compose_file_found_by_content_wherever_it_lives(write_tree) -> None:
    root = write_tree(
        {
            "tools/compose/simple.yml": SIMPLE_YML,
            "dockers/database-postgres.yml": TEABLE_DB,
            "package.json": '{"name": "reactive-resume"}',
        }
    )
    inventory = discover(root)
    assert set(inventory.of(FileKind.COMPOSE)) == {
        "tools/compose/simple.yml",
        "dockers/database-postgres.yml",
    }
    stacks = Context(root, inventory).fact(compose_stacks)
    assert sorted(s.files for s in stacks) == [
        ("dockers/database-postgres.yml",),
        ("tools/compose/simple.yml",),
    ]
    # the Postgres of tools/compose/simple.yml keeps its data in the container: KD101 fires there
    found = run(root, "KD101")
    assert [(f.rule, f.location.path) for f in found] == [("KD101", "tools/compose/simple.yml")]


def test_other_yaml_is_not_compose(write_tree) -> None:
    root = write_tree(
        {
            "k8s/postgres.yaml": K8S,
            ".github/workflows/ci.yml": WORKFLOW,
            ".gitlab-ci.yml": GITLAB,
            "render.yaml": RENDER,
            ".woodpecker/test.yml": WOODPECKER,
            "pnpm-workspace.yaml": "packages:\n  - apps/*\n",
            "openapi.yaml": "openapi: 3.0.0\ninfo:\n  title: x\npaths: {}\n",
        }
    )
    assert discover(root).of(FileKind.COMPOSE) == ()
    assert run(root, "KD101", "KD104") == []


def test_a_chained_fragment_found_by_content_joins_its_chain(write_tree) -> None:
    # trigger-dev: `docker compose -f docker/services-compose.yml -f docker/dev-compose.yml`
    root = write_tree(
        {
            "docker/services-compose.yml": TEABLE_DB,
            "docker/dev-compose.yml": "services:\n  app:\n    build: ..\n    command: node x.js\n",
            "package.json": '{"scripts": {"docker": '
            '"docker compose -f docker/services-compose.yml -f docker/dev-compose.yml up"}}',
        }
    )
    stacks = Context(root, discover(root)).fact(compose_stacks)
    assert ("docker/services-compose.yml", "docker/dev-compose.yml") in [s.files for s in stacks]
    assert ("docker/dev-compose.yml",) not in [s.files for s in stacks]


def test_looks_like_compose_textual_check() -> None:
    assert looks_like_compose(SIMPLE_YML)
    assert looks_like_compose("services:\n  api:\n    build: .\n")
    assert looks_like_compose("x-common: &c\n  restart: always\nservices:\n  w:\n    command: x\n")
    # a top-level key compose rejects, services as a list, no service attribute, no services
    assert not looks_like_compose(WORKFLOW)
    assert not looks_like_compose(GITLAB)
    assert not looks_like_compose(RENDER)
    assert not looks_like_compose(WOODPECKER)
    assert not looks_like_compose("services:\n  api:\n    replicas: 2\n")
    assert not looks_like_compose("volumes:\n  data:\n")


# -- 2. the project's own published image -------------------------------------------------------
# linkwarden: the root Dockerfile builds the image; docker-compose.yml pulls
# ghcr.io/linkwarden/linkwarden:latest; the image's CMD migrates at start.
LINKWARDEN_DOCKERFILE = """\
FROM node:22-bullseye-slim AS main-app
WORKDIR /data
COPY ./package.json ./yarn.lock ./
COPY ./packages/prisma/package.json ./packages/prisma/
RUN yarn install --frozen-lockfile
COPY . .
RUN yarn prisma:generate && yarn web:build
CMD ["sh", "-c", "prisma migrate deploy --schema=/data/packages/prisma/schema.prisma && exec next start"]
"""

LINKWARDEN_COMPOSE = """\
services:
  postgres:
    image: postgres:16-alpine
    restart: always
    volumes:
      - ./pgdata:/var/lib/postgresql/data
  linkwarden:
    environment:
      - DATABASE_URL=postgresql://postgres:${POSTGRES_PASSWORD}@postgres:5432/postgres
    restart: always
    image: ghcr.io/linkwarden/linkwarden:latest
    ports:
      - 3000:3000
    depends_on:
      - postgres
      - meilisearch
  meilisearch:
    image: getmeili/meilisearch:v1.13.3
    restart: always
"""

LINKWARDEN = {
    "Dockerfile": LINKWARDEN_DOCKERFILE,
    "docker-compose.yml": LINKWARDEN_COMPOSE,
    "package.json": '{"name": "linkwarden", "private": true, "workspaces": ["apps/*", "packages/*"]}',
    "packages/prisma/package.json": '{"name": "@linkwarden/prisma"}',
    "packages/prisma/schema.prisma": SCHEMA,
    "packages/prisma/migrations/20240101000000_init/migration.sql": "CREATE TABLE a (id int);\n",
    "packages/prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
}


def test_published_image_by_repository_name_gets_the_dockerfile_start(write_tree) -> None:
    root = write_tree(LINKWARDEN)
    found = run(root, "KD219")
    assert [(f.rule, f.location.path, f.location.line) for f in found] == [
        ("KD219", "docker-compose.yml", 11)
    ]
    f = found[0]
    assert "inferred" in f.message and "Dockerfile" in f.message
    assert "Dockerfile" in [r.location.path for r in f.related]
    # the startup path says why it was followed
    from analysis.facts.startup.paths import startup_paths

    path = Context(root, discover(root)).fact(startup_paths).for_service("linkwarden")
    assert path is not None and path.dockerfile == "Dockerfile"
    inferred = [lk for lk in path.links if lk.kind == "inferred-image"]
    assert inferred and "its name 'linkwarden' is the project's" in inferred[0].label


def test_third_party_and_pinned_images_are_not_linked(write_tree) -> None:
    files = dict(LINKWARDEN)
    files["docker-compose.yml"] = LINKWARDEN_COMPOSE.replace(
        "ghcr.io/linkwarden/linkwarden:latest", "ghcr.io/linkwarden/linkwarden:v2.9.3"
    )
    root = write_tree(files)
    assert run(root, "KD219") == []
    from analysis.facts.startup.paths import startup_paths

    paths = Context(root, discover(root)).fact(startup_paths)
    meili = paths.for_service("meilisearch")
    assert meili is None or meili.dockerfile is None


GHOSTFOLIO_COMPOSE = """\
name: ghostfolio
services:
  ghostfolio:
    image: docker.io/ghostfolio/ghostfolio:latest
    init: true
    env_file:
      - ../.env
    depends_on:
      postgres:
        condition: service_healthy
  postgres:
    image: docker.io/library/postgres:15-alpine
    volumes:
      - postgres:/var/lib/postgresql/data
    healthcheck:
      test: ['CMD-SHELL', 'pg_isready -d "$${POSTGRES_DB}" -U $${POSTGRES_USER}']
volumes:
  postgres:
"""

GHOSTFOLIO_BUILD = """\
name: ghostfolio_build
services:
  ghostfolio:
    build: ../
    image: ghostfolio/ghostfolio:local
    extends:
      file: docker-compose.yml
      service: ghostfolio
"""


def test_published_image_built_by_the_same_service_elsewhere(write_tree) -> None:
    # ghostfolio: docker/docker-compose.build.yml builds the service that
    # docker/docker-compose.yml pulls from Docker Hub
    root = write_tree(
        {
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n"
            'CMD ["/bin/sh", "-c", "npx prisma migrate deploy && exec node main"]\n',
            "package.json": '{"name": "ghostfolio-app"}',
            "docker/docker-compose.yml": GHOSTFOLIO_COMPOSE,
            "docker/docker-compose.build.yml": GHOSTFOLIO_BUILD,
            "prisma/schema.prisma": SCHEMA,
        }
    )
    found = run(root, "KD219")
    assert [(f.location.path, f.location.line) for f in found] == [("docker/docker-compose.yml", 4)]
    assert "inferred to be built from Dockerfile" in found[0].message
    # why: the build file's service of the same name builds it
    assert any("docker/docker-compose.build.yml" in r.message for r in found[0].related)


def test_kd219_for_image_and_build_unless_pull_policy_build(write_tree) -> None:
    compose = """\
services:
  api:
    image: ghcr.io/acme/api:latest
    build: .
    command: sh -c "npx prisma migrate deploy && exec node dist/main.js"
"""
    files = {
        "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n",
        "docker-compose.yml": compose,
        "prisma/schema.prisma": SCHEMA,
    }
    root = write_tree(files)
    assert [f.location.line for f in run(root, "KD219")] == [3]
    (root / "docker-compose.yml").write_text(compose + "    pull_policy: build\n")
    assert run(root, "KD219") == []


def test_a_coolify_template_found_by_content_is_not_a_compose_stack(write_tree) -> None:
    # openpanel/self-hosting/coolify.yml: Coolify fills ${SERVICE_PASSWORD_*} and the volumes
    coolify = (
        "# documentation: https://openpanel.dev/docs\n# slogan: analytics\n\nservices:\n"
        "  opdb:\n    image: postgres:16-alpine\n    volumes:\n      - opdb-data:/var/lib/postgresql/data\n"
        "    environment:\n      - POSTGRES_PASSWORD=${SERVICE_PASSWORD_POSTGRES}\n"
    )
    root = write_tree({"self-hosting/coolify.yml": coolify})
    assert discover(root).of(FileKind.COMPOSE) == ()


# -- 3. build contexts ----------------------------------------------------------------------------
# inbox-zero: docker/Dockerfile.web (no compose file builds it) copies the whole repository and
# starts apps/web/entrypoint.sh, which runs `prisma migrate dev`.
INBOX_WEB = """\
FROM node:24-alpine
WORKDIR /app
RUN npm install -g pnpm@11.0.9
COPY . .
WORKDIR /app/apps/web
CMD ["/bin/sh", "/app/apps/web/entrypoint.sh"]
"""


def test_dockerfile_context_is_the_root_when_its_start_script_lives_there(write_tree) -> None:
    root = write_tree(
        {
            "docker/Dockerfile.web": INBOX_WEB,
            "apps/web/entrypoint.sh": "#!/bin/bash\npnpm prisma migrate dev\npnpm run dev\n",
            "apps/web/package.json": '{"name": "web", "scripts": {"dev": "next dev"}}',
            "apps/web/prisma/schema.prisma": SCHEMA,
        }
    )
    image = only_image(root)
    assert image.context == "."
    assert "repository root" in image.context_reason and "inferred" in image.context_reason
    found = run(root, "KD204")
    assert [(f.location.path, f.location.line) for f in found] == [("apps/web/entrypoint.sh", 2)]


def test_dockerfile_context_stays_its_folder_when_its_sources_are_there(write_tree) -> None:
    root = write_tree(
        {
            "api/Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nCOPY src ./src\n"
            'CMD ["node", "src/main.js"]\n',
            "api/package.json": '{"name": "api"}',
            "api/src/main.js": "",
            "src/main.js": "",
        }
    )
    image = only_image(root)
    assert (image.context, image.context_reason) == (
        "api",
        "its folder (its COPY/ADD sources are there)",
    )


def test_dockerfile_context_from_a_docker_build_in_a_script(write_tree) -> None:
    root = write_tree(
        {
            "docker/app.Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n"
            'CMD ["node", "server.js"]\n',
            "scripts/build.sh": "#!/bin/sh\ndocker build -f docker/app.Dockerfile -t acme/app .\n",
            "server.js": "",
        }
    )
    image = only_image(root)
    assert image.context == "."
    assert image.context_reason == "`docker build` in scripts/build.sh:2 builds it"


def test_copy_of_a_file_into_an_existing_folder_lands_inside_it(write_tree) -> None:
    # `COPY docker/start.sh /usr/local/bin` (no trailing slash): /usr/local/bin/start.sh
    root = write_tree(
        {
            "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY docker/start.sh /usr/local/bin\n"
            'COPY package.json /app\nCOPY . .\nCMD ["/usr/local/bin/start.sh"]\n',
            "docker/start.sh": "#!/bin/sh\nnpx prisma migrate deploy || true\nexec node main.js\n",
            "package.json": '{"name": "app"}',
            "prisma/schema.prisma": SCHEMA,
        }
    )
    from analysis.facts.images.copies import image_paths

    image = only_image(root)
    assert "/usr/local/bin/start.sh" in image_paths(image, "docker/start.sh")  # and /app/docker
    assert "/app/package.json" in image_paths(image, "package.json")
    found = run(root, "KD209")
    assert [(f.location.path, f.location.line) for f in found] == [("docker/start.sh", 2)]


# -- 8. compose semantics ---------------------------------------------------------------------------
def test_tmpfs_over_a_volume_on_the_same_target_wins(write_tree) -> None:
    compose = """\
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
    tmpfs:
      - /var/lib/postgresql/data
volumes:
  pgdata:
"""
    root = write_tree({"docker-compose.yml": compose})
    assert [(f.rule, f.location.line) for f in run(root, "KD105", "KD101")] == [("KD105", 7)]
    (root / "docker-compose.yml").write_text(
        compose.replace("    tmpfs:\n", "    tmpfs:\n      - /tmp\n").replace(
            "      - /var/lib/postgresql/data\nvolumes", "volumes"
        )
    )
    assert run(root, "KD105", "KD101") == []


def test_a_database_volume_mounted_read_write_by_another_service(write_tree) -> None:
    compose = """\
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
  backup:
    image: prodrigestivill/postgres-backup-local
    volumes:
      - pgdata:/var/lib/postgresql/data{ro}
volumes:
  pgdata:
"""
    root = write_tree({"docker-compose.yml": compose.format(ro="")})
    found = run(root, "KD109")
    assert [(f.location.line) for f in found] == [9]
    assert "'backup'" in found[0].message and "read-write" in found[0].message
    (root / "docker-compose.yml").write_text(compose.format(ro=":ro"))
    assert run(root, "KD109") == []


PRISMA_APP = {
    "Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npx prisma generate\n"
    'CMD ["node", "main.js"]\n',
    "package.json": '{"name": "app", "dependencies": {"@prisma/client": "6.0.0"}, '
    '"devDependencies": {"prisma": "6.0.0"}}',
    "prisma/schema.prisma": SCHEMA,
    "prisma/migrations/20240101000000_init/migration.sql": "CREATE TABLE a (id int);\n",
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
}


def test_kd207_per_profile_when_the_migrator_needs_a_profile(write_tree) -> None:
    compose = """\
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
  migrate:
    build: .
    command: npx prisma migrate deploy
{profile}  app:
    build: .
    environment:
      DATABASE_URL: postgresql://postgres:postgres@db:5432/app
volumes:
  pgdata:
"""
    files = dict(PRISMA_APP)
    files["docker-compose.yml"] = compose.format(profile="    profiles: [tools]\n")
    root = write_tree(files)
    found = run(root, "KD207")
    assert [(f.location.path, f.location.line) for f in found] == [("docker-compose.yml", 10)]
    assert "migrates only with --profile tools" in found[0].message
    (root / "docker-compose.yml").write_text(compose.format(profile=""))
    assert run(root, "KD207") == []


def test_kd218_pairs_a_job_and_an_app_of_the_same_dockerfile_and_single_database(
    write_tree,
) -> None:
    compose = """\
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
  migrate:
    build:
      context: .
      target: migrator
    command: npx prisma migrate deploy
{profile}  app:
    build:
      context: .
    environment:
      DATABASE_URL: postgresql://postgres:postgres@db:5432/app
volumes:
  pgdata:
"""
    files = dict(PRISMA_APP)
    files["Dockerfile"] = (
        "FROM node:20 AS migrator\nWORKDIR /app\nCOPY . .\n\nFROM migrator\n"
        'CMD ["node", "main.js"]\n'
    )
    files["docker-compose.yml"] = compose.format(profile="")
    root = write_tree(files)
    found = run(root, "KD218")
    assert [(f.location.path, f.location.line) for f in found] == [("docker-compose.yml", 11)]
    # a job that never runs with the app (disjoint profiles): nothing to wait for
    (root / "docker-compose.yml").write_text(
        compose.format(profile="    profiles: [ops]\n").replace(
            "    build:\n      context: .\n    environment",
            "    profiles: [web]\n    build:\n      context: .\n    environment",
        )
    )
    assert run(root, "KD218") == []


def test_a_missing_env_file_uses_its_template_and_says_so(write_tree) -> None:
    compose = """\
services:
  app:
    image: node:20
    command: node main.js
    env_file: .env
    environment:
      DATABASE_URL: ${DATABASE_URL}
"""
    root = write_tree(
        {
            "docker-compose.yml": compose,
            ".env.example": "DATABASE_URL=postgresql://postgres:postgres@db:5432/app\n",
        }
    )
    (stack,) = Context(root, discover(root)).fact(compose_stacks)
    assert [m.what for m in stack.missing] == [
        "env_file (its template .env.example defines its variables)"
    ]
    # the template defines ${DATABASE_URL}: no KD406; its sample values do not run
    assert run(root, "KD406") == []
    assert stack.service("app").env("DATABASE_URL").value in (None, "")  # type: ignore[union-attr]
    (root / ".env.example").unlink()
    (stack,) = Context(root, discover(root)).fact(compose_stacks)
    assert [m.what for m in stack.missing] == ["env_file"]
    assert [f.rule for f in run(root, "KD406")] == ["KD406"]


def test_compose_build_args_replace_arg_defaults_in_copy_and_start(write_tree) -> None:
    # one Dockerfile for several apps of a monorepo: `ARG APP`, chosen by compose build.args
    dockerfile = """\
FROM node:20
ARG APP=api
ENV APP_DIR=/app/apps/${APP}
WORKDIR /app
COPY apps/${APP} ./apps/${APP}
CMD sh -c "$APP_DIR/start.sh"
"""
    compose = """\
services:
  web:
    build:
      context: .
      args:
        APP: web
"""
    root = write_tree(
        {
            "Dockerfile": dockerfile,
            "docker-compose.yml": compose,
            "apps/web/start.sh": "#!/bin/sh\nnpx prisma migrate deploy || true\nexec node main.js\n",
            "apps/api/start.sh": "#!/bin/sh\nexec node main.js\n",
            "apps/web/prisma/schema.prisma": SCHEMA,
        }
    )
    found = run(root, "KD209")
    assert [(f.location.path, f.location.line) for f in found] == [("apps/web/start.sh", 2)]
    (root / "docker-compose.yml").write_text(compose.replace("APP: web", "APP: api"))
    assert run(root, "KD209") == []


# -- done when: the report's facts show the inferred links ------------------------------------------
def test_report_json_facts_show_the_inferred_links(write_tree) -> None:
    from analysis.pipeline import run
    from analysis.report.json_report import report_json

    files = dict(LINKWARDEN)
    files["docker/web.Dockerfile"] = INBOX_WEB
    files["apps/web/entrypoint.sh"] = "#!/bin/sh\nexec node server.js\n"
    root = write_tree(files)
    data = report_json(run(root), "linkwarden")
    facts = data["facts"]
    (path,) = [p for p in facts["startup_paths"]["paths"] if p["service"] == "linkwarden"]
    (link,) = [lk for lk in path["links"] if lk["kind"] == "inferred-image"]
    assert link["label"].startswith("image ghcr.io/linkwarden/linkwarden:latest is built from")
    assert link["location"]["path"] == "docker-compose.yml"
    (web,) = [i for i in facts["images"] if i["dockerfile"] == "docker/web.Dockerfile"]
    assert web["context"] == "." and "inferred" in web["context_reason"]


def test_dockerfile_context_from_a_build_push_action_step(write_tree) -> None:
    workflow = """\
name: publish
on:
  push:
    tags: ["v*"]
jobs:
  docker:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build and push
        uses: docker/build-push-action@v6
        with:
          context: .
          file: ./docker/app.Dockerfile
          push: true
          tags: ghcr.io/acme/app:latest
"""
    root = write_tree(
        {
            "docker/app.Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
            ".github/workflows/publish.yml": workflow,
            "server.js": "",
        }
    )
    image = only_image(root)
    assert image.context == "."
    assert image.context_reason == "`docker build` in .github/workflows/publish.yml:10 builds it"


KD211_PROFILES = """\
services:
  db:
    image: postgres:16
    profiles: [dev]
    volumes:
      - pgdata:/var/lib/postgresql/data
{dev}  app:
    build: .
    profiles: [prod]
    command: sh -c "npx prisma migrate deploy && node main.js"
    environment:
      DATABASE_URL: ${{DATABASE_URL}}
volumes:
  pgdata:
"""

KD211_DEV_APP = """\
  app-dev:
    build: .
    profiles: [dev]
    command: sh -c "npx prisma migrate deploy && npm run dev"
    depends_on:
      - db
    environment:
      DATABASE_URL: postgresql://postgres:postgres@db:5432/app
"""


def test_kd211_per_profile_names_the_profile_that_starts_app_and_database(write_tree) -> None:
    # shaped like a self-hosting repository: `--profile dev` brings a local database and a dev
    # app; `--profile prod` runs the app against a managed database outside the stack
    files = dict(PRISMA_APP)
    files["docker-compose.yml"] = KD211_PROFILES.format(dev=KD211_DEV_APP)
    found = run(write_tree(files), "KD211")
    assert [(f.location.path, f.location.line) for f in found] == [("docker-compose.yml", 10)]
    assert "app-dev" in found[0].message
    assert "when it starts (with --profile dev)" in found[0].message


def test_kd211_per_profile_quiet_when_app_and_database_never_run_together(write_tree) -> None:
    # only the prod app migrates at start, and the database runs only with --profile dev
    files = dict(PRISMA_APP)
    files["docker-compose.yml"] = KD211_PROFILES.format(dev="")
    root = write_tree(files)
    assert run(root, "KD211") == []
    # without the prod profile the app runs in every configuration: with --profile dev it
    # meets the database
    compose = KD211_PROFILES.format(dev="").replace("    profiles: [prod]\n", "")
    (root / "docker-compose.yml").write_text(compose)
    found = run(root, "KD211")
    assert len(found) == 1
    assert "when it starts (with --profile dev), but" in found[0].message
    # no profiles at all: the default configuration, no profile named
    (root / "docker-compose.yml").write_text(compose.replace("    profiles: [dev]\n", ""))
    found = run(root, "KD211")
    assert len(found) == 1
    assert "when it starts, but nothing waits" in found[0].message
