"""Benchmarks of the live inspector, driven headlessly (`App.run_test`).

    python -m benchmarks.bench_tui [--edits N] [--saves N] [--keys N]

1. start: a fresh `python` process until the first full screen (analysis landed, every pane
   filled) on each example (target < 1.5 s);
2. save to screen: a file saved until the panes show the new analysis, median over N edits,
   debounce included (target < 250 ms);
3. responsiveness: key-press latency while a large project (300 models, 1,000 migrations,
   generated) is re-analyzed in the worker, against the same keys when idle;
4. flood: N rapid saves; the screen must end equal to a fresh analysis, and the thread count
   must not grow.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
VOLUME_LINE = "      - postgres_data:/var/lib/postgresql/data\n"


# -- 1. start-up -------------------------------------------------------------------------------
CHILD = """
import asyncio, sys, time
from pathlib import Path
from tui.app import KeepdataApp

async def main():
    app = KeepdataApp(Path(sys.argv[1]), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        print(time.time())

asyncio.run(main())
"""


def first_screen(root: Path, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.time()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(root)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        out.append(float(done.stdout.strip().splitlines()[-1]) - start)
    return out


# -- 2. save to screen -------------------------------------------------------------------------
async def save_to_screen(root: Path, edits: int) -> list[float]:
    from tui.app import KeepdataApp

    compose = root / "docker-compose.yml"
    original = compose.read_text()
    variants = (original.replace(VOLUME_LINE, ""), original)
    app = KeepdataApp(root, watch=True, mask_volatile=True)
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        while app.watch_state != "watching":
            await pilot.pause()
        await pilot.press("5")
        for i in range(edits):
            landed = app.landed_generation
            start = time.perf_counter()
            compose.write_text(variants[i % 2])
            while app.landed_generation <= landed:
                await app.wait_for_analysis(after=landed + 1, timeout=10)
            await pilot.pause()  # the repaint
            times.append(time.perf_counter() - start)
        await pilot.press("q")
    return times


# -- 3. responsiveness during a large re-analysis ----------------------------------------------
def big_project(root: Path) -> None:
    from benchmarks.bench_migrations import generate

    generate(root)
    for rel in ("docker-compose.yml", "Dockerfile", "scripts/wait-for-db.sh", "package.json"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / "seed-app" / rel, root / rel)


async def press(app: object, key: str, moved: object) -> float:
    """Seconds from a key reaching the app to its effect (the cursor moved)."""
    from textual import events

    driver = app._driver  # type: ignore[attr-defined]
    start = time.perf_counter()
    driver.send_message(events.Key(key, None))
    while not moved():  # type: ignore[operator]
        await asyncio.sleep(0.0005)
    return time.perf_counter() - start


async def key_latency(root: Path, keys: int) -> dict[str, object]:
    from tui.app import KeepdataApp

    app = KeepdataApp(root, watch=False, mask_volatile=True)
    schema = root / "prisma" / "schema.prisma"
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis(timeout=60)
        await pilot.press("3")
        table = app.query_one("#history-table")
        table.focus()
        await pilot.pause()

        async def step(i: int) -> float:
            key = "down" if (i // 5) % 2 == 0 else "up"
            row = table.cursor_row  # type: ignore[attr-defined]
            return await press(app, key, lambda: table.cursor_row != row)  # type: ignore[attr-defined]

        idle = [await step(i) for i in range(keys)]
        schema.write_text(schema.read_text() + f"\n// edit {time.time()}\n")  # forces re-parse
        generation = app.request_analysis("bench")
        analysis_start = time.perf_counter()
        busy: list[float] = []
        i = 0
        while app.landed_generation < generation:
            busy.append(await step(i))
            i += 1
        analysis_time = time.perf_counter() - analysis_start
        update = app.update_seconds
        await pilot.press("q")
    busy_sorted = sorted(busy)
    return {
        "analysis_s": round(analysis_time, 3),
        "screen_update_ms": round(update * 1000, 1),
        "idle_median_ms": round(statistics.median(idle) * 1000, 1),
        "busy_median_ms": round(statistics.median(busy) * 1000, 1),
        "busy_p95_ms": round(busy_sorted[max(0, int(len(busy) * 0.95) - 1)] * 1000, 1),
        "busy_max_ms": round(max(busy) * 1000, 1),
        "keys_during_analysis": len(busy),
    }


# -- 4. flood ----------------------------------------------------------------------------------
async def flood(root: Path, saves: int) -> dict[str, object]:
    """`saves` rapid saves of the compose file, the last one different from all the others;
    wait until the screen shows it, then compare with a fresh analysis."""
    from analysis.engine import analyze
    from analysis.settings import load
    from tui.app import KeepdataApp

    compose = root / "docker-compose.yml"
    original = compose.read_text()
    app = KeepdataApp(root, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        while app.watch_state != "watching":
            await pilot.pause()
        threads_before = threading.active_count()
        peak = threads_before
        start = time.perf_counter()
        for i in range(saves - 1):
            compose.write_text(original + f"# save {i}\n")
            if i % 10 == 0:
                await asyncio.sleep(0)  # let the watcher and the workers run meanwhile
            peak = max(peak, threading.active_count())
        compose.write_text(original.replace(VOLUME_LINE, ""))  # the last save is different
        written = time.perf_counter() - start
        while True:
            snap = app.snapshot
            if (
                snap is not None
                and any(f.rule == "KD101" for f in snap.active)
                and app.landed_generation == app.requested_generation
            ):
                break
            await app.wait_for_analysis(after=app.landed_generation + 1, timeout=30)
            peak = max(peak, threading.active_count())
        settled = time.perf_counter() - start
        await pilot.pause()
        fresh = analyze(root, load(root))
        shown = {f.identity for f in app.snapshot.active}  # type: ignore[union-attr]
        expected = {f.identity for f in fresh.active}
        rows = set(app.findings_pane.table.keys)
        requested = app.requested_generation
        threads_after = threading.active_count()
        await pilot.press("q")
    return {
        "saves": saves,
        "write_s": round(written, 3),
        "settled_s": round(settled, 3),
        "analyses_requested": requested,
        "equal_to_fresh_analysis": shown == expected,
        "table_rows_equal": len(rows) == len(expected),
        "threads_before": threads_before,
        "threads_peak": peak,
        "threads_after": threads_after,
    }


def copy_example(name: str, into: Path) -> Path:
    root = into / name
    shutil.copytree(EXAMPLES / name, root)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--only", choices=("start", "save", "keys", "flood"), default=None)
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.only in (None, "start"):
            for name in ("seed-app", "risky-app"):
                times = first_screen(EXAMPLES / name, args.starts)
                results[f"start_{name}_s"] = {
                    "median": round(statistics.median(times), 3),
                    "max": round(max(times), 3),
                }
                print(
                    f"start → first full screen  {name:10} median {statistics.median(times):.3f} s  max {max(times):.3f} s"
                )
        if args.only in (None, "save"):
            for name in ("seed-app", "risky-app"):
                root = copy_example(name, tmp_path / "save")
                times = asyncio.run(save_to_screen(root, args.edits))
                results[f"save_to_screen_{name}_ms"] = {
                    "median": round(statistics.median(times) * 1000, 1),
                    "max": round(max(times) * 1000, 1),
                    "edits": len(times),
                }
                print(
                    f"save → updated screen      {name:10} median {statistics.median(times) * 1000:.0f} ms"
                    f"  max {max(times) * 1000:.0f} ms  ({len(times)} edits, debounce included)"
                )
        if args.only in (None, "keys"):
            root = tmp_path / "big"
            root.mkdir()
            big_project(root)
            lat = asyncio.run(key_latency(root, args.keys))
            results["keys_during_large_reanalysis"] = lat
            print(
                f"keys during re-analysis    300 models / 1,000 migrations: analysis {lat['analysis_s']} s "
                f"(+{lat['screen_update_ms']} ms to update the screen); key latency idle "
                f"{lat['idle_median_ms']} ms, during the analysis median {lat['busy_median_ms']} ms, "
                f"p95 {lat['busy_p95_ms']} ms, max {lat['busy_max_ms']} ms "
                f"({lat['keys_during_analysis']} keys)"
            )
        if args.only in (None, "flood"):
            root = copy_example("seed-app", tmp_path / "flood")
            res = asyncio.run(flood(root, args.saves))
            results["flood"] = res
            print(
                f"{res['saves']} rapid saves          settled in {res['settled_s']} s, "
                f"{res['analyses_requested']} analyses, equal to a fresh analysis: "
                f"{res['equal_to_fresh_analysis']}, threads {res['threads_before']} → peak "
                f"{res['threads_peak']} → {res['threads_after']}"
            )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
