"""One install record: the image fact's installs (`npm ci --omit=dev` in a RUN) and the startup
fact's global Prisma CLI installs (`npm i -g prisma@5.1.0` on a path) are the same `InstallStep`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.context import Context
from analysis.discover import discover
from analysis.facts.images.packages import InstallStep, find_installs
from analysis.facts.startup.paths import startup_paths

DOCKERFILE = """\
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
RUN npm i -g prisma@5.1.0
COPY . .
CMD ["node", "server.js"]
"""


def test_a_global_cli_install_on_a_path(write_tree: Callable[[dict[str, str]], Path]) -> None:
    root = write_tree(
        {
            "Dockerfile": DOCKERFILE,
            "package.json": '{"name": "app", "devDependencies": {"prisma": "6.2.0"}}',
            "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
        }
    )
    facts = Context(root, discover(root)).fact(startup_paths)
    installs = [i for p in facts.paths for i in p.installs]
    assert len(installs) == 1
    (inst,) = installs
    assert isinstance(inst, InstallStep)
    assert (inst.manager, inst.kind, inst.version) == ("npm", "global", "5.1.0")
    assert inst.location is not None and (inst.location.path, inst.location.line) == (
        "Dockerfile",
        5,
    )
    assert inst.context == "build"


def test_a_dependency_install_in_shell_text() -> None:
    (inst,) = find_installs("cd /app && npm ci --omit=dev", {})
    assert isinstance(inst, InstallStep)
    assert (inst.manager, inst.kind, inst.dev_omitted, inst.version) == ("npm", "install", True, "")
    assert inst.offset == len("cd /app && ")
    assert inst.location is None
