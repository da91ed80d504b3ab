"""Benchmark: parsing + rules for a project of 20 compose services, 10 Dockerfiles, 50 scripts.

    python -m benchmarks.bench_core [--runs N]

Prints the median and the worst of N cold runs (parse cache cleared: every file parsed) and of
N warm runs (nothing changed: what a watch event with no real change costs), after start-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from analysis.context import clear_parse_cache
from analysis.engine import analyze

SCRIPT = """#!/bin/sh
set -e
MAX_ATTEMPTS=30
attempt=0
until nc -z db 5432; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "database not reachable after $MAX_ATTEMPTS attempts" >&2
    exit 1
  fi
  sleep 2
done
if [ -d prisma/migrations ] && [ "$(ls -A prisma/migrations)" ]; then
  npx prisma migrate deploy
else
  echo "WARNING: no migrations; using prisma db push (development only)"
  npx prisma db push
fi
npx prisma generate
exec "$@"
"""

DOCKERFILE = """FROM node:20-alpine AS deps
WORKDIR /app
COPY package*.json ./
RUN npm ci

FROM node:20-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY prisma ./prisma
RUN npx prisma generate
COPY . .
RUN npm run build

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY scripts/entrypoint-{n}.sh /app/entrypoint.sh
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["node", "dist/main.js"]
"""


def make_project(root: Path) -> None:
    services = [
        "  db:\n    image: postgres:16-alpine\n    environment:\n"
        "      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n"
        "      POSTGRES_DB: app\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"
        '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U app"]\n      interval: 5s\n'
    ]
    for i in range(19):
        d = i % 10
        services.append(
            f"  app{i}:\n    build:\n      context: ./apps/app{d}\n      dockerfile: Dockerfile\n"
            f"    environment:\n      DATABASE_URL: postgresql://app:${{POSTGRES_PASSWORD}}@db:5432/app\n"
            f"    depends_on:\n      db:\n        condition: service_healthy\n"
            f'    ports:\n      - "127.0.0.1:{3000 + i}:3000"\n'
        )
    (root / "docker-compose.yml").write_text(
        "name: bench\nservices:\n" + "".join(services) + "volumes:\n  pgdata: {}\n"
    )
    (root / ".env").write_text("POSTGRES_PASSWORD=change-me-please\n")
    (root / ".gitignore").write_text("node_modules\n.env\n")
    for d in range(10):
        app = root / "apps" / f"app{d}"
        (app / "scripts").mkdir(parents=True)
        (app / "prisma" / "migrations").mkdir(parents=True)
        (app / "Dockerfile").write_text(DOCKERFILE.replace("{n}", str(d)))
        (app / ".dockerignore").write_text("node_modules\n.env\n")
        package = {
            "name": f"app{d}",
            "scripts": {
                "build": "tsc",
                "start": "node dist/main.js",
                "db:migrate": "prisma migrate dev",
            },
            "dependencies": {"@prisma/client": "6.4.1", "prisma": "6.4.1"},
        }
        (app / "package.json").write_text(json.dumps(package, indent=2) + "\n")
        for s in range(5):
            (app / "scripts" / f"entrypoint-{s if s else d}.sh").write_text(SCRIPT)


def timed(root: Path, cold: bool) -> float:
    if cold:
        clear_parse_cache()
    start = time.perf_counter()
    analyze(root)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root)
        analysis = analyze(root)  # start-up: imports, first parse
        print(f"project: {len(analysis.files)} files read, {len(analysis.findings)} findings")
        for label, cold in (("cold (parse + rules)", True), ("warm (rules, cached parse)", False)):
            times = [timed(root, cold) for _ in range(args.runs)]
            print(
                f"{label:28} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms"
            )


if __name__ == "__main__":
    main()
