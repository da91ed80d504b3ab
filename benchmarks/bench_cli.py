"""Benchmark: the whole `keepdata check` process beside squawk, on the same migrations.

    python -m benchmarks.bench_cli [--runs N] [--sizes 240,1000,4000]

For each size, a project shaped like a real Prisma history is generated once (N migrations
of 1-8 statements each over 300 models, the schema they build, a compose stack with a
PostgreSQL service and an app whose entrypoint runs `prisma migrate deploy`, a Dockerfile).
Then, interleaved run by run so machine load hits both alike:
- `keepdata check --format json ROOT` in a new process (start-up, imports, analysis, exit);
- `squawk` (the Rust PostgreSQL migration linter, PyPI `squawk-cli`, a benchmark-only
  extra: `pip install -e '.[bench]'`) over the same `migration.sql` files.
Printed per size: median wall and CPU seconds (user + system of the child), keepdata's peak
RSS, and the ratio keepdata / squawk; then the 1-minute load average. Without squawk on the
PATH, only keepdata is timed.
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


def make_project(root: Path, migrations: int) -> list[Path]:
    """Write the project; return its migration files."""
    generate(root, "postgresql", seed=migrations, migrations=migrations, per_migration=4)
    (root / "docker-compose.yml").write_text(COMPOSE)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "entrypoint.sh").write_text(ENTRYPOINT)
    (root / "package.json").write_text(PACKAGE)
    return sorted((root / "prisma" / "migrations").glob("*/migration.sql"))


@dataclass(slots=True, frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    code: int


def timed(argv: list[str], cwd: Path) -> Sample:
    """Run `argv` to completion; its wall time, CPU time and peak RSS from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--sizes", default="240,1000,4000")
    args = ap.parse_args()
    keepdata = [sys.executable, "-m", "tui.cli", "check", "--format", "json", "--exit-zero"]
    squawk = shutil.which("squawk")
    rows: list[tuple[int, list[Sample], list[Sample]]] = []
    with tempfile.TemporaryDirectory(prefix="keepdata-bench-cli-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            root = Path(tmp) / f"p{size}"
            root.mkdir()
            files = make_project(root, size)
            ours: list[Sample] = []
            theirs: list[Sample] = []
            for _ in range(args.runs):
                ours.append(timed([*keepdata, str(root)], Path.cwd()))
                if squawk:
                    theirs.append(timed([squawk, *map(str, files)], root))
            rows.append((size, ours, theirs))
    print(f"keepdata check --format json vs squawk, median of {args.runs} interleaved runs")
    print()
    print(
        "| migrations | keepdata wall | keepdata CPU | peak RSS | squawk wall | squawk CPU | ratio (CPU) |"
    )
    print("|---|---|---|---|---|---|---|")
    for size, ours, theirs in rows:
        k_cpu = median([s.cpu for s in ours])
        s_cpu = median([s.cpu for s in theirs])
        ratio = f"{k_cpu / s_cpu:.1f}x" if theirs and s_cpu > 0 else "-"
        print(
            f"| {size:,} | {median([s.wall for s in ours]):.3f} s | {k_cpu:.3f} s | "
            f"{max(s.rss_mb for s in ours):.0f} MB | "
            + (
                f"{median([s.wall for s in theirs]):.3f} s | {s_cpu:.3f} s | {ratio} |"
                if theirs
                else "- | - | - |"
            )
        )
    print()
    print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if not squawk:
        print("squawk is not installed: pip install -e '.[bench]'")


if __name__ == "__main__":
    main()
