"""The images fact: build contexts, what reaches the final image, node_modules, migrations."""

from __future__ import annotations

from pathlib import Path

from analysis.context import Context
from analysis.discover import discover
from analysis.facts.images.builds import images
from analysis.facts.images.commands import find_prisma_commands
from analysis.facts.images.copies import copy_bringing, image_paths, path_in_image
from analysis.facts.images.packages import find_installs
from analysis.facts.images.records import Image
from analysis.rules.image.common import startup_commands
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "image"


def load(root: Path) -> tuple[Image, ...]:
    ctx = Context(root, discover(root))
    return ctx.fact(images)


def only(root: Path) -> Image:
    (image,) = load(root)
    return image


def test_compose_build_with_target_and_effective_dockerignore() -> None:
    image = only(FIXTURES / "nextjs-good")
    assert image.dockerfile == "Dockerfile" and image.context == "." and image.target == "runner"
    assert [u.service for u in image.uses] == ["web"]
    assert image.dockerignore_path == ".dockerignore"
    assert image.stage is not None and image.stage.name == "runner"
    assert image.stages_used == (0, 1, 2, 3)
    assert image.final_chain == (0, 3)


def test_what_reaches_the_final_image() -> None:
    image = only(FIXTURES / "nextjs-good")
    assert image_paths(image, "prisma/schema.prisma") == ("/app/prisma/schema.prisma",)
    assert path_in_image(image, "prisma/migrations/20240105093000_init/migration.sql")
    assert path_in_image(image, "docker-entrypoint.sh")
    assert not path_in_image(image, "src/app/page.tsx")  # only the standalone build output
    assert not path_in_image(image, ".env")  # excluded by .dockerignore
    (mig,) = image.migrations
    assert mig.status == "in image" and mig.image_path == "/app/prisma/migrations"
    assert mig.copy is not None and mig.copy.line == 28
    copy = copy_bringing(image, "prisma/schema.prisma")
    assert copy is not None and copy.from_stage == "builder"


def test_prisma_generate_and_startup_commands() -> None:
    image = only(FIXTURES / "nextjs-good")
    explicit = [p for p in image.generate_commands if not p.implicit]
    assert [(p.location.line, p.schema_present) for p in explicit] == [(16, True)]
    # what the container runs at start comes from the startup fact, the one tracer
    root = FIXTURES / "nextjs-good"
    ctx = Context(root, discover(root))
    (start,) = startup_commands(ctx, ctx.fact(images)[0])
    assert start.command == "migrate deploy" and start.service == "web"
    assert (start.location.path, start.location.line) == ("docker-entrypoint.sh", 5)


def test_migrations_hidden_by_dockerignore_and_env_file_status() -> None:
    image = only(FIXTURES / "nestjs-broken")
    (mig,) = image.migrations
    assert mig.status == "excluded by .dockerignore"
    assert mig.ignored_by is not None and mig.ignored_by.line == 3
    (env,) = image.env_files
    assert env.reaches_context and env.copied_by is not None and env.copied_by.line == 6
    assert not env.in_final_image


def test_node_modules_without_dev_dependencies() -> None:
    image = only(FIXTURES / "nestjs-broken")
    nm = image.node_modules
    assert nm.present
    # the last copy only adds the generated client; the install above omitted devDependencies
    assert nm.dev_dependencies is False
    assert nm.prisma_cli is False  # `prisma` is a devDependency


def tree(write_tree, dockerfile: str, **extra: str) -> Path:
    files = {
        "Dockerfile": dockerfile,
        "package.json": '{"dependencies": {"@prisma/client": "6"}, '
        '"devDependencies": {"prisma": "6"}}',
        "prisma/schema.prisma": "generator client {}\n",
    }
    files.update({k.replace("__", "/"): v for k, v in extra.items()})
    return write_tree(files)


def test_node_modules_env_and_copy_from(write_tree) -> None:
    root = tree(
        write_tree,
        "FROM node:20 AS deps\nWORKDIR /app\nCOPY package.json ./\nENV NODE_ENV=production\n"
        "RUN npm ci\n"
        "FROM node:20\nWORKDIR /srv\nCOPY --from=deps /app/node_modules ./node_modules\n",
    )
    nm = only(root).node_modules
    assert nm.present and nm.dev_dependencies is False and nm.location is not None
    assert nm.location.line == 8 and "copied from stage 'deps'" in nm.how


def test_node_modules_with_dev_dependencies_and_whole_folder_copy(write_tree) -> None:
    root = tree(
        write_tree,
        "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n"
        "FROM node:20-slim\nCOPY --from=build /app /app\n",
    )
    nm = only(root).node_modules
    assert nm.present and nm.dev_dependencies is True and nm.prisma_cli is True


def test_prune_and_pnpm_prod(write_tree) -> None:
    root = tree(
        write_tree,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build && npm prune --omit=dev\n",
    )
    assert only(root).node_modules.dev_dependencies is False
    root2 = tree(write_tree, "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pnpm i -P\n")
    assert only(root2).node_modules.dev_dependencies is False


def test_copy_globs_parents_and_files(write_tree) -> None:
    root = tree(
        write_tree,
        "FROM node:20\nWORKDIR /app\n"
        "COPY package*.json ./\n"
        "COPY --parents packages/*/package.json ./\n"
        "COPY prisma/schema.prisma ./db/\n"
        "COPY scripts/start.sh /usr/local/bin/start\n",
        packages__api__package_json="{}",
        scripts__start_sh="#!/bin/sh\n",
    )
    image = only(root)
    assert image_paths(image, "package.json") == ("/app/package.json",)
    assert image_paths(image, "packages/api/package.json") == ("/app/packages/api/package.json",)
    assert image_paths(image, "prisma/schema.prisma") == ("/app/db/schema.prisma",)
    assert image_paths(image, "scripts/start.sh") == ("/usr/local/bin/start",)


def test_standalone_dockerfile_uses_its_folder_as_context(write_tree) -> None:
    root = write_tree(
        {
            "services/api/Dockerfile": "FROM node:20\nCOPY . /app\n",
            "services/api/.env": "X=1\n",
            "services/api/prisma/schema.prisma": "x\n",
            ".env": "Y=1\n",
        }
    )
    image = only(root)
    assert image.context == "services/api"
    assert [e.path for e in image.env_files] == ["services/api/.env"]
    assert image.schemas == ("services/api/prisma/schema.prisma",)
    assert path_in_image(image, "prisma/schema.prisma")


def test_unknown_target_falls_back_to_the_last_stage(write_tree) -> None:
    root = write_tree(
        {
            "Dockerfile": "FROM node:20 AS a\nFROM node:20 AS b\n",
            "compose.yaml": "services:\n  app:\n    build:\n      context: .\n      target: nope\n",
        }
    )
    image = only(root)
    assert image.target_missing and image.stage is not None and image.stage.name == "b"


def test_find_prisma_commands_vocabulary() -> None:
    text = (
        "npx prisma migrate deploy --schema ./db/schema.prisma && "
        "pnpm prisma db push --accept-data-loss; bunx prisma@6.1.0 generate\n"
        "npx prisma db migrate\nprisma db update --delete User\nprisma contract emit\n"
        "cp -r prisma dist/ && npm i prisma @prisma/client"
    )
    found = [(c.command, c.flags) for c in find_prisma_commands(text)]
    assert found == [
        ("migrate deploy", ("--schema",)),
        ("db push", ("--accept-data-loss",)),
        ("generate", ()),
        ("migrate deploy", ()),
        ("db push", ("--delete",)),
        ("generate", ()),
    ]


def test_find_installs() -> None:
    steps = find_installs(
        "npm ci --omit=dev && yarn install --production && pnpm install && "
        "NODE_ENV=production npm install && bun install -p && npm install --include=dev",
        {},
    )
    assert [(s.manager, s.dev_omitted) for s in steps] == [
        ("npm", True),
        ("yarn", True),
        ("pnpm", False),
        ("npm", True),
        ("bun", True),
        ("npm", False),
    ]
    assert find_installs("npm ci", {"NODE_ENV": "production"})[0].dev_omitted
