"""Benchmark: the whole `keepdata check` process beside squawk, on the same migrations.

    python -m benchmarks.bench_cli [--runs N] [--sizes 240,1000,4000]

For each size, a project shaped like a real Prisma history is generated once (N migrations
of 1-8 statements each over 300 models, the large schema they build, three compose files (a
PostgreSQL service and an app whose entrypoint runs `prisma migrate deploy`, an override, a
staging stack) and three Dockerfiles). Then, interleaved run by run so machine load hits all
alike:
- cold: `keepdata check --no-cache --format json ROOT` in a new process (start-up, imports,
  analysis, exit);
- cache miss: the same without `--no-cache`, on an empty cache (the walk and digests of the
  cache key, the analysis, writing the entry);
- cached: the same without `--no-cache`, the result cache (in a temporary folder) filled by
  one untimed run first;
- one edit: one migration changed since the last run (a comment appended), so the result
  cache misses and the on-disk parse cache (`tui.parse_store`) gives the other files' parses;
- `squawk` (the Rust PostgreSQL migration linter, PyPI `squawk-cli`, a benchmark-only
  extra: `pip install -e '.[bench]'`) over the same `migration.sql` files.
keepdata runs from .pyc files (written to a temporary PYTHONPYCACHEPREFIX by the untimed
first run), as after `pip install`; `--no-bytecode` measures it compiling every module.
Printed per size: median wall and CPU seconds (user + system of the child), keepdata's peak
RSS, and the ratios keepdata / squawk (CPU); then the 1-minute load average and the targets
of issue 13. Without squawk on the PATH, only keepdata is timed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_migrations import generate

COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
  app:
    build: .
    depends_on:
      db:
        condition: service_healthy
    environment:
      DATABASE_URL: postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/app
volumes:
  pgdata:
"""
DOCKERFILE = """\
FROM node:20-slim
WORKDIR /app
COPY package.json ./
RUN npm ci
COPY . .
RUN npx prisma generate
ENTRYPOINT ["./entrypoint.sh"]
CMD ["node", "dist/server.js"]
"""
ENTRYPOINT = """\
#!/bin/sh
set -e
npx prisma migrate deploy
exec "$@"
"""
PACKAGE = '{"name": "app", "dependencies": {"@prisma/client": "6.1.0", "prisma": "6.1.0"}}\n'


OVERRIDE = """\
services:
  app:
    build:
      context: .
      dockerfile: Dockerfile.dev
    volumes:
      - .:/app
  worker:
    build:
      context: .
      dockerfile: Dockerfile.worker
    depends_on: [db]
    command: ["node", "dist/worker.js"]
"""
STAGING = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
    volumes:
      - staging-data:/var/lib/postgresql/data
  app:
    build: ../..
    environment:
      DATABASE_URL: postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/app
volumes:
  staging-data:
"""


def make_project(root: Path, migrations: int) -> list[Path]:
    """Write the project; return its migration files."""
    generate(root, "postgresql", seed=migrations, migrations=migrations, per_migration=4)
    (root / "docker-compose.yml").write_text(COMPOSE)
    (root / "docker-compose.override.yml").write_text(OVERRIDE)
    (root / "deploy" / "staging").mkdir(parents=True)
    (root / "deploy" / "staging" / "docker-compose.yml").write_text(STAGING)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "Dockerfile.dev").write_text(DOCKERFILE.replace("npm ci", "npm install"))
    (root / "Dockerfile.worker").write_text(
        DOCKERFILE.replace('"dist/server.js"', '"dist/worker.js"')
    )
    (root / "entrypoint.sh").write_text(ENTRYPOINT)
    (root / "package.json").write_text(PACKAGE)
    return sorted((root / "prisma" / "migrations").glob("*/migration.sql"))


@dataclass(slots=True, frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    code: int


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run `argv` to completion; its wall time, CPU time and peak RSS from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _cpu(samples: list[Sample]) -> float:
    return median([s.cpu for s in samples])


def _ratio(ours: list[Sample], theirs: list[Sample]) -> float | None:
    return _cpu(ours) / _cpu(theirs) if theirs and _cpu(theirs) > 0 else None


def _fmt_ratio(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--sizes", default="240,1000,4000")
    ap.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run keepdata without .pyc files (by default they are written to a temporary "
        "PYTHONPYCACHEPREFIX by the first, untimed run, as pip's install compiles them)",
    )
    args = ap.parse_args()
    keepdata = [sys.executable, "-m", "tui.cli", "check", "--format", "json", "--exit-zero"]
    # the venv's own bin first: `pip install -e '.[bench]'` puts squawk there, not on PATH
    squawk = shutil.which("squawk", path=str(Path(sys.executable).parent)) or shutil.which("squawk")
    rows: list[tuple[int, list[Sample], list[Sample], list[Sample], list[Sample], list[Sample]]]
    rows = []
    with tempfile.TemporaryDirectory(prefix="keepdata-bench-cli-") as tmp:
        env = {**os.environ, "KEEPDATA_CACHE_DIR": str(Path(tmp) / "cache")}
        env.pop("KEEPDATA_ALL_MIGRATIONS", None)
        if not args.no_bytecode:  # as installed by pip: compiled once, read from .pyc after
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for size in (int(s) for s in args.sizes.split(",")):
            root = Path(tmp) / f"p{size}"
            root.mkdir()
            files = make_project(root, size)
            timed([*keepdata, str(root)], Path.cwd(), env)  # fills the cache
            cold: list[Sample] = []
            missed: list[Sample] = []
            cached: list[Sample] = []
            theirs: list[Sample] = []
            edited: list[Sample] = []
            for run in range(args.runs):
                cold.append(timed([*keepdata, "--no-cache", str(root)], Path.cwd(), env))
                empty = {**env, "KEEPDATA_CACHE_DIR": str(Path(tmp) / f"miss-{size}-{len(cold)}")}
                missed.append(timed([*keepdata, str(root)], Path.cwd(), empty))
                cached.append(timed([*keepdata, str(root)], Path.cwd(), env))
                with open(files[run % len(files)], "a", encoding="utf-8") as fh:
                    fh.write(f"-- edit {run}\n")
                edited.append(timed([*keepdata, str(root)], Path.cwd(), env))
                if squawk:
                    theirs.append(timed([squawk, *map(str, files)], root))
            rows.append((size, cold, missed, cached, edited, theirs))
    print(f"keepdata check --format json vs squawk, median of {args.runs} interleaved runs (CPU:")
    print(
        "user + system seconds of the process; wall in brackets); keepdata "
        + ("without .pyc files" if args.no_bytecode else "from .pyc files")
    )
    print()
    print(
        "| migrations | keepdata cold | cache miss | keepdata cached | one edit | squawk "
        "| cold / squawk | cached / squawk | peak RSS cold | peak RSS cached |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, cold, missed, cached, edited, theirs in rows:
        squawk_cell = (
            f"{_cpu(theirs):.3f} s ({median([s.wall for s in theirs]):.3f})" if theirs else "-"
        )
        print(
            f"| {size:,} | {_cpu(cold):.3f} s ({median([s.wall for s in cold]):.3f}) | "
            f"{_cpu(missed):.3f} s ({median([s.wall for s in missed]):.3f}) | "
            f"{_cpu(cached):.3f} s ({median([s.wall for s in cached]):.3f}) | "
            f"{_cpu(edited):.3f} s ({median([s.wall for s in edited]):.3f}) | {squawk_cell} | "
            f"{_fmt_ratio(_ratio(cold, theirs))} | {_fmt_ratio(_ratio(cached, theirs))} | "
            f"{max(s.rss_mb for s in cold):.0f} MB | {max(s.rss_mb for s in cached):.0f} MB |"
        )
    print()
    print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if not squawk:
        print("squawk is not installed: pip install -e '.[bench]'")
        return
    print()
    print("targets (issue 13): cached <= 0.5x squawk; cold <= 3x at 240, <= 1.5x at 4,000;")
    print("peak RSS <= 60 MB at 1,000")
    for size, cold, _missed, cached, _edited, theirs in rows:
        cold_limit = 3.0 if size <= 240 else 1.5 if size >= 4000 else None
        checks = [f"cached {_fmt_ratio(_ratio(cached, theirs))} (<= 0.5x)"]
        if cold_limit is not None:
            checks.append(f"cold {_fmt_ratio(_ratio(cold, theirs))} (<= {cold_limit}x)")
        if size == 1000:
            checks.append(f"RSS {max(s.rss_mb for s in cold):.0f} MB (<= 60)")
        verdicts = []
        for text in checks:
            value = float(text.split()[1].rstrip("xMB"))
            limit = float(text.split("<= ")[1].rstrip("x)"))
            verdicts.append(f"{text}: {'met' if value <= limit else 'NOT met'}")
        print(f"  {size:,}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
