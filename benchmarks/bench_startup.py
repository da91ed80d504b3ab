"""Benchmark: the startup area (shell, package.json and program parsers, the startup fact and
the startup rules) on a project of 50 realistic entrypoint scripts and 10 package.json files
(19 compose services, 10 Dockerfiles).

    python -m benchmarks.bench_startup [--runs N]

Prints the median and the worst of N runs of:

- parse: the 50 scripts and 10 package.json files parsed (`parse_shell`, `parse_package_json`);
- cold: the startup fact and rules on a fresh run whose parse cache was cleared (every script,
  package.json, program and embedded command string is parsed again);
- warm: the same on a new run with the parse cache kept (what a watch event costs).

The facts the startup fact reads from other areas (compose stacks, images, databases) are
computed before the clock starts, so the numbers are the startup area's own cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analysis.context import Context, clear_parse_cache
from analysis.discover import discover
from analysis.facts.compose import compose_stacks
from analysis.facts.databases import databases
from analysis.facts.images.builds import images
from analysis.facts.startup.paths import startup_paths
from analysis.parsers.package_json.package import parse_package_json
from analysis.parsers.shell.scripts import parse_shell
from analysis.rules.registry import run_area
from analysis.sources import SourceFile

SEED_SCRIPT = (
    Path(__file__).resolve().parent.parent / "tests/fixtures/startup/seed/scripts/wait-for-db.sh"
)

SCRIPTS = {
    # the seed's own script: a bounded wait loop, migrate deploy with a db push fallback
    "wait-for-db": SEED_SCRIPT.read_text(),
    # a wait tool, an opt-in seed, a package.json script, exec
    "entrypoint": """#!/usr/bin/env bash
set -euo pipefail

log() { printf '[entrypoint] %s\\n' "$*"; }

: "${DATABASE_URL:?DATABASE_URL must be set}"
/usr/local/bin/wait-for-it.sh "${DB_HOST:-db}:${DB_PORT:-5432}" -t 60 -- echo "database is up"

log "applying migrations"
npm run migrate:deploy

if [ "${SEED_ON_START:-false}" = "true" ]; then
  log "seeding"
  npx prisma db seed
fi

trap 'log "stopping"' TERM INT
exec node dist/main.js "$@"
""",
    # a dispatcher on the first argument
    "docker-cmd": """#!/bin/sh
set -e
cd /app

case "$1" in
  migrate)
    shift
    npx prisma migrate deploy "$@"
    ;;
  reset)
    if [ "$ALLOW_RESET" = "yes" ]; then
      npx prisma migrate reset --force --skip-seed
    else
      echo "refusing to reset without ALLOW_RESET=yes" >&2
      exit 1
    fi
    ;;
  worker)
    exec node dist/worker.js
    ;;
  *)
    exec "$@"
    ;;
esac
""",
    # functions, a retry loop around the migration, a heredoc
    "start": """#!/bin/bash
set -Eeuo pipefail

attempts=0
max_attempts=${MIGRATION_ATTEMPTS:-10}

run_migrations() {
  until npx prisma migrate deploy; do
    attempts=$((attempts + 1))
    if [ "$attempts" -ge "$max_attempts" ]; then
      echo "migrations failed $attempts times" >&2
      return 1
    fi
    sleep $((attempts * 2))
  done
}

write_config() {
  cat > /tmp/app.json <<EOF
{"port": ${PORT:-3000}, "env": "${NODE_ENV:-production}"}
EOF
}

write_config
run_migrations
node scripts/migrate-data.js --dry-run=false
exec node --enable-source-maps dist/server.js
""",
    # a release script with a pipe, a subshell and a status check
    "release": """#!/bin/sh
set -eu
export NODE_ENV=production

echo "release $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if ! npx prisma migrate status > /tmp/status.txt 2>&1; then
  grep -q "have not yet been applied" /tmp/status.txt && echo "pending migrations"
fi
npx prisma migrate deploy 2>&1 | tee -a /var/log/migrate.log
status=$?
if [ "$status" -ne 0 ]; then
  echo "migration failed ($status)" >&2
  exit "$status"
fi
( cd /app && npx prisma generate )
exec npm run start
""",
}

PROGRAM = """const { execSync } = require("node:child_process");

function run(cmd) {
  console.log(`> ${cmd}`);
  execSync(cmd, { stdio: "inherit" });
}

if (process.env.SKIP_MIGRATIONS !== "1") {
  run("npx prisma migrate deploy");
}
"""

DOCKERFILE = """FROM node:20-alpine AS deps
WORKDIR /app
COPY package*.json ./
RUN npm ci

FROM node:20-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx prisma generate && npm run build

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY scripts ./scripts
COPY scripts/{entry}.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node", "dist/main.js"]
"""


def package(d: int) -> dict[str, object]:
    return {
        "name": f"app{d}",
        "private": True,
        "scripts": {
            "build": "tsc -p tsconfig.build.json",
            "postinstall": "prisma generate",
            "start": "node dist/main.js",
            "start:prod": "prisma migrate deploy && node dist/main.js",
            "migrate:deploy": "prisma migrate deploy",
            "migrate:dev": "prisma migrate dev",
            "db:push": "prisma db push --skip-generate",
            "db:reset": "prisma migrate reset --force",
            "db:seed": "tsx prisma/seed.ts",
            "dev": "run-s db:push dev:server",
            "dev:server": "tsx watch src/main.ts",
            "docker:clean": "docker compose down --remove-orphans",
            "test": "vitest run",
            "lint": "eslint . --max-warnings 0",
        },
        "prisma": {"seed": "tsx prisma/seed.ts"},
        "dependencies": {"@prisma/client": "6.4.1", "express": "^4.19.2"},
        "devDependencies": {"prisma": "6.4.1", "tsx": "^4.7.0", "typescript": "^5.4.0"},
    }


def make_project(root: Path) -> None:
    services = [
        "  db:\n    image: postgres:16-alpine\n    environment:\n"
        "      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n"
        "      POSTGRES_DB: app\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
        '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U app"]\n      interval: 5s\n'
    ]
    names = list(SCRIPTS)
    for i in range(19):
        d = i % 10
        command = ""
        if i >= 10:
            command = f'    command: ["sh", "-c", "./scripts/{names[i % 5]}.sh && npm run start"]\n'
        services.append(
            f"  app{i}:\n    build:\n      context: ./apps/app{d}\n"
            f"    environment:\n      DATABASE_URL: postgresql://app:${{POSTGRES_PASSWORD}}@db:5432/app\n"
            f"{command}"
            f"    depends_on:\n      db:\n        condition: service_healthy\n"
        )
    (root / "docker-compose.yml").write_text(
        "name: bench\nservices:\n" + "".join(services) + "volumes:\n  pgdata: {}\n"
    )
    (root / ".env").write_text("POSTGRES_PASSWORD=change-me-please\n")
    for d in range(10):
        app = root / "apps" / f"app{d}"
        (app / "scripts").mkdir(parents=True)
        (app / "prisma").mkdir(parents=True)
        (app / "Dockerfile").write_text(DOCKERFILE.replace("{entry}", names[d % 5]))
        (app / ".dockerignore").write_text("node_modules\n.env\n")
        (app / "package.json").write_text(json.dumps(package(d), indent=2) + "\n")
        (app / "prisma" / "schema.prisma").write_text(
            'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
        )
        (app / "scripts" / "migrate-data.js").write_text(PROGRAM)
        for name, text in SCRIPTS.items():
            # the same five kinds in every app, each with its own tweaks (and digest)
            (app / "scripts" / f"{name}.sh").write_text(text.replace("/app", f"/app{d}"))


def startup_area(ctx: Context) -> int:
    ctx.fact(startup_paths)
    return len(run_area(ctx, "startup"))


def measure(root: Path, cold: bool) -> float:
    if cold:
        clear_parse_cache()
    ctx = Context(root, discover(root))
    for dependency in (compose_stacks, images, databases):  # other areas' facts
        ctx.fact(dependency)
    start = time.perf_counter()
    startup_area(ctx)
    return (time.perf_counter() - start) * 1000


def parse_files(sources: list[SourceFile]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        for src in sources:
            if src.path.endswith(".json"):
                parse_package_json(src)
            else:
                parse_shell(src)
        return (time.perf_counter() - start) * 1000

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root)
        files = sorted(p for p in root.rglob("*") if p.suffix == ".sh" or p.name == "package.json")
        sources = [
            SourceFile(str(p.relative_to(root)), p.read_text(), str(k), p.stat().st_size)
            for k, p in enumerate(files)
        ]
        ctx = Context(root, discover(root))
        paths = ctx.fact(startup_paths)
        findings = run_area(ctx, "startup")  # start-up: imports, first parse
        scripts = sum(1 for s in sources if s.path.endswith(".sh"))
        print(
            f"project: {scripts} scripts, {len(sources) - scripts} package.json, "
            f"{len(paths.paths)} startup paths, {len(paths.commands)} Prisma commands, "
            f"{len(findings)} startup findings"
        )
        rows: list[tuple[str, Callable[[], float]]] = [
            ("parse (scripts + package.json)", parse_files(sources)),
            ("cold (parse + fact + rules)", lambda: measure(root, True)),
            ("warm (fact + rules)", lambda: measure(root, False)),
        ]
        for label, fn in rows:
            times = [fn() for _ in range(args.runs)]
            print(
                f"{label:32} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms"
            )


if __name__ == "__main__":
    main()
