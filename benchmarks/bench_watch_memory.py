"""Benchmark: the inspector's memory over many saves (watch mode), in one process.

    python -m benchmarks.bench_watch_memory [--saves N] [--big-saves N] [--big-kib N]

Each save rewrites a file and runs what the watch worker runs after a change
(`tui.watch.take_snapshot`: the analysis, every fact the panes show, checklist and verdict),
then drops the previous snapshot as the app does. Two sessions:
1. small: `--saves` saves (default 5,000) of `docker-compose.yml` in a copy of
   examples/seed-app;
2. big: `--big-saves` saves (default 50) of a `--big-kib` KiB (default 1,024) migration.sql.
The resident set size (VmRSS) is printed at checkpoints; after the first tenth of the saves
(caches warm) it must stay within 10 MB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tui.watch import take_snapshot

REPO = Path(__file__).resolve().parent.parent
TOLERANCE_MB = 10.0


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def session(label: str, root: Path, saves: int, rewrite: Callable[[int], None]) -> bool:
    checkpoints = sorted({max(1, saves // 10), *range(0, saves + 1, max(1, saves // 10))} - {0})
    print(f"{label}: {saves} saves")
    print(f"  {'save':>6} {'RSS MB':>8} {'analysis ms':>12}")
    snapshot = take_snapshot(root, root.name)
    start_rss = rss_mb()
    print(f"  {0:>6} {start_rss:8.1f} {snapshot.duration * 1000:12.1f}")
    baseline: float | None = None
    worst = 0.0
    for i in range(1, saves + 1):
        rewrite(i)
        snapshot = take_snapshot(root, root.name, trigger="modified")
        if i in checkpoints:
            now = rss_mb()
            print(f"  {i:>6} {now:8.1f} {snapshot.duration * 1000:12.1f}")
            if baseline is None:
                baseline = now
            else:
                worst = max(worst, abs(now - baseline))
    ok = worst <= TOLERANCE_MB
    verdict = "flat" if ok else "GROWS"
    print(
        f"  after warm-up: largest change {worst:.1f} MB ({verdict}, tolerance {TOLERANCE_MB} MB)"
    )
    return ok


def big_migration(kib: int, version: int) -> str:
    head = f"-- save {version}\n"
    parts = [head]
    size = len(head)
    i = 0
    while size < kib * 1024:
        stmt = (
            f'-- CreateTable\nCREATE TABLE "T{i}" (\n    "id" SERIAL NOT NULL,\n'
            f'    "name" TEXT NOT NULL,\n    CONSTRAINT "T{i}_pkey" PRIMARY KEY ("id")\n);\n\n'
            f'-- AlterTable\nALTER TABLE "T{i}" ADD COLUMN "note" TEXT;\n\n'
        )
        parts.append(stmt)
        size += len(stmt)
        i += 1
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=5000)
    parser.add_argument("--big-saves", type=int, default=50)
    parser.add_argument("--big-kib", type=int, default=1024)
    args = parser.parse_args()
    started = time.perf_counter()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "seed-app"
        shutil.copytree(REPO / "examples" / "seed-app", root)
        compose = root / "docker-compose.yml"
        original = compose.read_text()

        def small(i: int) -> None:
            compose.write_text(f"# save {i}\n{original}")

        if args.saves:
            ok &= session("small file", root, args.saves, small)

        big_root = Path(tmp) / "big"
        shutil.copytree(REPO / "examples" / "seed-app", big_root)
        folder = big_root / "prisma" / "migrations" / "20990101000000_big"
        folder.mkdir(parents=True)
        sql = folder / "migration.sql"
        sql.write_text(big_migration(args.big_kib, 0))

        def big(i: int) -> None:
            sql.write_text(big_migration(args.big_kib, i))

        if args.big_saves:
            ok &= session(f"{args.big_kib} KiB migration", big_root, args.big_saves, big)
    print(f"total {time.perf_counter() - started:.0f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
