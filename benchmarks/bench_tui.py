"""Benchmarks of the live inspector, driven headlessly (`App.run_test`).

    python -m benchmarks.bench_tui [--edits N] [--saves N] [--keys N] [--samples N]
                                   [--only start|save|keys|flood|actions]

1. start: a fresh `python` process until the first full screen (the last frame the compositor
   renders once the analysis landed, every pane filled and the app quiet) on each example
   (target < 0.8 s for seed-app), with the first frame (the screen drawn, "analyzing…"),
   whether it came before the analysis, and the frame that finished showing the analysis on
   screen (before the panes under the other tabs are filled); from .pyc files as after
   `pip install` (`--no-bytecode`: compiling every module, as an editable install with
   PYTHONDONTWRITEBYTECODE does). After the first full screen the inspector lays out and
   renders the panes never shown yet, one per refresh, unseen (tui.warm): that writes no
   frame, so it is not counted here (a key pressed meanwhile waits for one pane at most;
   the actions benchmark's untimed first keys and pauses come then);
2. save to screen: a file saved until the frame that finished showing its analysis and until
   the last frame (every pane filled), and the process's CPU time meanwhile, median over N
   edits, debounce included (target < 250 ms);
3. responsiveness: key-press latency while a large project (300 models, 1,000 migrations,
   generated) is re-analyzed in the worker, against the same keys when idle;
4. flood: N rapid saves; the screen must end equal to a fresh analysis, and the thread count
   must not grow;
5. actions: on a generated project with about 500 findings (50 models, 240 migrations, a
   compose file, two Dockerfiles), the p95 latency of each key, from the key to the repainted
   screen: opening the drill-down (Enter), `n`, `p`, `Esc`, typing a filter, switching panes
   (target <= 50 ms each); and the first full screen of examples/seed-app (target <= 0.8 s),
   with the first paint (the screen drawn, "analyzing…") before it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.tui_frames import Frame, on_screen, record_frames, settle

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
VOLUME_LINE = "      - postgres_data:/var/lib/postgresql/data\n"


# -- 1. start-up -------------------------------------------------------------------------------
CHILD = """
import asyncio, sys
from pathlib import Path
from benchmarks.tui_frames import on_screen, record_frames, settle
from tui.app import KeepdataApp

async def main():
    app = KeepdataApp(Path(sys.argv[1]), watch=False)
    frames = []
    record_frames(app, frames)
    async with app.run_test(size=(120, 40)):
        await app.wait_for_analysis()
        await settle(app)  # the landed analysis is painted and the app is quiet
        first, last, shown = frames[0], frames[-1], on_screen(frames)
        print(first.wall, last.wall, last.cpu, first.landed, shown.wall, shown.cpu)

asyncio.run(main())
"""


def bytecode_env(tmp: Path, bytecode: bool) -> dict[str, str]:
    """The children's environment: with `bytecode`, modules are read from .pyc files (written
    to a temporary PYTHONPYCACHEPREFIX by an untimed first run), as after `pip install`,
    which compiles them; without, every start compiles every module (an editable install
    with PYTHONDONTWRITEBYTECODE set)."""
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def first_screen(
    root: Path, runs: int, env: dict[str, str] | None = None
) -> dict[str, list[float]]:
    """Per fresh process (after one untimed run, which writes the .pyc files when `env`
    allows), in seconds from its launch: `paint`, the first frame rendered; `shown`, the frame
    that finished showing the analysis on screen (`tui_frames.on_screen`); `full`, the last
    frame once every pane was filled and the app quiet (the first full screen); `cpu`, the
    process's CPU seconds at `full` (the interpreter's start-up included); `paint_first`, 1.0
    when the first frame came before the analysis landed."""
    out: dict[str, list[float]] = {
        "paint": [],
        "shown": [],
        "full": [],
        "cpu": [],
        "paint_first": [],
    }
    command = [sys.executable, "-c", CHILD, str(root)]
    subprocess.run(command, capture_output=True, check=True, cwd=REPO, env=env)
    for _ in range(runs):
        start = time.time()
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env=env,
        )
        first, last, last_cpu, landed, shown, _ = done.stdout.strip().splitlines()[-1].split()
        out["paint"].append(float(first) - start)
        out["shown"].append(float(shown) - start)
        out["full"].append(float(last) - start)
        out["cpu"].append(float(last_cpu))
        out["paint_first"].append(float(landed == "0"))
    return out


# -- 2. save to screen -------------------------------------------------------------------------
async def save_to_screen(root: Path, edits: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds from a save of the compose file to the last frame painted once its analysis
    landed (the app quiet again: `settle`), the process's CPU seconds meanwhile (the watcher,
    the analysis worker and the UI), and seconds to the frame that finished showing it on
    screen (`tui_frames.on_screen`), per edit; the app idles between edits."""
    from tui.app import KeepdataApp

    compose = root / "docker-compose.yml"
    original = compose.read_text()
    variants = (original.replace(VOLUME_LINE, ""), original)
    app = KeepdataApp(root, watch=True, mask_volatile=True)
    frames: list[Frame] = []
    record_frames(app, frames)
    times: list[float] = []
    cpu: list[float] = []
    visible: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        while app.watch_state != "watching":
            await pilot.pause()
        await pilot.press("5")
        for i in range(edits):
            await pilot.pause()  # idle: what the last landing scheduled has run
            landed = app.analyses_landed
            start, start_cpu = time.perf_counter(), time.process_time()
            compose.write_text(variants[i % 2])
            while app.analyses_landed <= landed:
                await app.wait_for_analysis(after=landed, timeout=10)
            await settle(app)  # the repaint
            last, shown = frames[-1], on_screen(frames)
            times.append(last.clock - start)
            cpu.append(last.cpu - start_cpu)
            visible.append(shown.clock - start)
        await pilot.press("q")
    return times, cpu, visible


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
        app.request_analysis("bench")
        analysis_start = time.perf_counter()
        busy: list[float] = []
        i = 0
        while app.analyzing:
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
                and not app.analyzing
            ):
                break
            await app.wait_for_analysis(after=app.analyses_landed, timeout=30)
            peak = max(peak, threading.active_count())
        settled = time.perf_counter() - start
        await pilot.pause()
        fresh = analyze(root, load(root))
        shown = {f.identity for f in app.snapshot.active}  # type: ignore[union-attr]
        expected = {f.identity for f in fresh.active}
        rows = set(app.findings_pane.table.keys)
        requested = app.analyses_requested
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


# -- 5. actions on a project with about 500 findings ------------------------------------------
ACTIONS_COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
  web:
    build: .
    depends_on: [db]
    environment:
      DATABASE_URL: postgresql://postgres:postgres@db:5432/app
  worker:
    build:
      context: .
      dockerfile: Dockerfile.worker
    environment:
      DATABASE_URL: postgresql://postgres:postgres@db:5432/app
"""
ACTIONS_DOCKERFILE = """\
FROM node:20
WORKDIR /app
COPY . .
RUN npm install
RUN npx prisma generate
CMD npx prisma db push --accept-data-loss && node dist/server.js
"""
ACTIONS_PACKAGE = (
    '{"name": "app", "dependencies": {"@prisma/client": "6.1.0", "prisma": "6.1.0"}}\n'
)


def findings_project(root: Path, models: int = 50, migrations: int = 240, seed: int = 13) -> None:
    """A PostgreSQL project whose history drops, retypes and tightens columns: about 500
    findings (KD602, KD603, KD605, drift between schema and migrations, the compose stack and
    the Dockerfiles' startup path)."""
    rnd = random.Random(seed)
    folder = root / "prisma" / "migrations"
    folder.mkdir(parents=True)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    columns: dict[str, list[str]] = {f"M{k}": [] for k in range(models)}
    added = 0
    for i in range(migrations):
        out: list[str] = []
        if i < models:
            out.append(
                f'CREATE TABLE "M{i}" (\n    "id" SERIAL NOT NULL,\n    "name" TEXT NOT NULL,\n'
                f'    CONSTRAINT "M{i}_pkey" PRIMARY KEY ("id")\n);'
            )
        for _ in range(3 + i % 2):
            table = f"M{rnd.randrange(min(i + 1, models))}"
            cols = columns[table]
            kind = rnd.random()
            if cols and kind < 0.3:
                col = cols.pop(rnd.randrange(len(cols)))
                out.append(f'ALTER TABLE "{table}" DROP COLUMN "{col}";')
            elif cols and kind < 0.5:
                out.append(
                    f'ALTER TABLE "{table}" ALTER COLUMN "{rnd.choice(cols)}" SET DATA TYPE INTEGER;'
                )
            elif cols and kind < 0.65:
                out.append(f'ALTER TABLE "{table}" ALTER COLUMN "{rnd.choice(cols)}" SET NOT NULL;')
            else:
                added += 1
                cols.append(f"f{added}")
                out.append(f'ALTER TABLE "{table}" ADD COLUMN "f{added}" TEXT;')
        step = folder / f"{20200101000000 + i * 100:014d}_step_{i}"
        step.mkdir()
        (step / "migration.sql").write_text("\n\n".join(out) + "\n")
    schema = [
        'generator client {\n  provider = "prisma-client-js"\n}\n',
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    ]
    for table, cols in columns.items():
        fields = "".join(f"  {c} String?\n" for c in cols)
        schema.append(
            f"model {table} {{\n  id Int @id @default(autoincrement())\n  name String\n{fields}}}\n"
        )
    (root / "prisma" / "schema.prisma").write_text("\n".join(schema))
    (root / "docker-compose.yml").write_text(ACTIONS_COMPOSE)
    (root / "Dockerfile").write_text(ACTIONS_DOCKERFILE)
    (root / "Dockerfile.worker").write_text(ACTIONS_DOCKERFILE)
    (root / "package.json").write_text(ACTIONS_PACKAGE)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * 0.95) - 1))]


async def action_latency(
    root: Path, samples: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Seconds from each key to the repainted screen: the key goes to the app as the terminal
    driver delivers it, then `settle` waits for its messages and the paint."""
    from textual import events

    from tui.app import KeepdataApp

    app = KeepdataApp(root, watch=False, mask_volatile=True)
    times: dict[str, list[float]] = {
        "open drill-down (Enter)": [],
        "next finding (n)": [],
        "previous finding (p)": [],
        "close drill-down (Esc)": [],
        "filter keystroke": [],
        "switch pane (1-5)": [],
    }
    cpu_times: dict[str, list[float]] = {name: [] for name in times}

    async def timed(name: str, key: str) -> None:
        await settle(app)
        start = time.perf_counter()
        cpu = time.process_time()
        key_event = events.Key(key, key if len(key) == 1 else None)
        key_event.set_sender(app)
        app.post_message(key_event)  # as the driver does, without the hop through the loop
        await settle(app)
        times[name].append(time.perf_counter() - start)
        cpu_times[name].append(time.process_time() - cpu)

    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis(timeout=120)
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        for i in range(samples):
            await pilot.press(*(["down"] * (1 + i % 7)))
            await timed("open drill-down (Enter)", "enter")
            await timed("next finding (n)", "n")
            await timed("next finding (n)", "n")
            await timed("previous finding (p)", "p")
            await timed("close drill-down (Esc)", "escape")
        for i in range(samples):
            query = ("KD60", "sev:high", "migration")[i % 3]
            await pilot.press("slash")
            for ch in query:
                await timed("filter keystroke", ch)
            await pilot.press("escape")
            await pilot.pause()
        for i in range(samples):
            await timed("switch pane (1-5)", str(1 + i % 5))
        await pilot.press("q")
    return times, cpu_times, len(snapshot.active)


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
    parser.add_argument("--samples", type=int, default=20, help="rounds of each action")
    parser.add_argument(
        "--only", choices=("start", "save", "keys", "flood", "actions"), default=None
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="start without .pyc files (by default the untimed first start writes them to a "
        "temporary PYTHONPYCACHEPREFIX, as pip's install compiles them)",
    )
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.only in (None, "start"):
            env = bytecode_env(tmp_path, not args.no_bytecode)
            print("start-up " + ("without .pyc files" if args.no_bytecode else "from .pyc files"))
            for name in ("seed-app", "risky-app"):
                runs = first_screen(EXAMPLES / name, args.starts, env)
                med = {key: statistics.median(values) for key, values in runs.items()}
                before = int(sum(runs["paint_first"]))
                results[f"start_{name}_s"] = {
                    "first_paint_median": round(med["paint"], 3),
                    "shown_median": round(med["shown"], 3),
                    "median": round(med["full"], 3),
                    "max": round(max(runs["full"]), 3),
                    "cpu_median": round(med["cpu"], 3),
                    "first_paint_before_analysis": f"{before}/{args.starts}",
                }
                print(
                    f"start {name:10} first paint median {med['paint']:.3f} s (before the "
                    f"analysis landed: {before}/{args.starts}); analysis shown median "
                    f"{med['shown']:.3f} s; first full screen median {med['full']:.3f} s, max "
                    f"{max(runs['full']):.3f} s, CPU median {med['cpu']:.3f} s"
                )
        if args.only in (None, "save"):
            for name in ("seed-app", "risky-app"):
                root = copy_example(name, tmp_path / "save")
                times, save_cpu, shown = asyncio.run(save_to_screen(root, args.edits))
                results[f"save_to_screen_{name}_ms"] = {
                    "shown_median": round(statistics.median(shown) * 1000, 1),
                    "median": round(statistics.median(times) * 1000, 1),
                    "max": round(max(times) * 1000, 1),
                    "cpu_median": round(statistics.median(save_cpu) * 1000, 1),
                    "edits": len(times),
                }
                print(
                    f"save → updated screen      {name:10} shown median "
                    f"{statistics.median(shown) * 1000:.0f} ms, all panes median "
                    f"{statistics.median(times) * 1000:.0f} ms"
                    f"  max {max(times) * 1000:.0f} ms  CPU median {statistics.median(save_cpu) * 1000:.0f} ms"
                    f"  ({len(times)} edits, debounce included)"
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
        if args.only in (None, "actions"):
            root = tmp_path / "findings"
            root.mkdir()
            findings_project(root)
            wall, cpu, count = asyncio.run(action_latency(root, args.samples))
            table: dict[str, dict[str, float]] = {}
            print(f"actions on {count} findings at 120x40 (target: p95 <= 50 ms)")
            print("| action | samples | median ms | p95 ms | max ms | median CPU ms | p95 CPU ms |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for action, values in wall.items():
                row = {
                    "samples": len(values),
                    "median_ms": round(statistics.median(values) * 1000, 1),
                    "p95_ms": round(p95(values) * 1000, 1),
                    "max_ms": round(max(values) * 1000, 1),
                    "median_cpu_ms": round(statistics.median(cpu[action]) * 1000, 1),
                    "p95_cpu_ms": round(p95(cpu[action]) * 1000, 1),
                }
                table[action] = row
                print(
                    f"| {action} | {row['samples']} | {row['median_ms']} | {row['p95_ms']} "
                    f"| {row['max_ms']} | {row['median_cpu_ms']} | {row['p95_cpu_ms']} |"
                )
            results["actions"] = {"findings": count, "latency": table}
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
