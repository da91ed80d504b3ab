"""Benchmark: hostile inputs at growing sizes, each analyzed in a fresh child process.

    python -m benchmarks.bench_hostile [--max-kib N] [--min-kib N] [--shapes a,b] [--timeout S]
                                       [--repeat N]

Shapes (one hostile file in an otherwise small project whose startup path reaches it):
- run-and-chain     a Dockerfile `RUN a && b && ...` (`&&` list of n commands)
- script-and-chain  an entrypoint script that is one `&&` list
- script-mixed-list an entrypoint script of `a && b || c; d` lists
- npm-and-chain     a package.json `start` script that is one `&&` list (Dockerfile `npm start`)
- deep-if           an entrypoint script of `if` nested n deep
- deep-subst        an entrypoint script of `$(` nested n deep
- compose-services  a compose file with n services that depend on one database
- create-drop       one migration.sql of n `CREATE TABLE` + `DROP TABLE` pairs
- json-deep         a package.json with an object nested n deep
- prisma-default    a schema.prisma with a field default nested n deep
- prisma-list       an entrypoint script that is one `&&` list of n `npx prisma` commands
                    (each one a startup step)
- fn-fanout         an entrypoint script of n functions, each calling the next twice
                    (`f0() { f1; f1; }`, ...: 2**n calls if every call were walked)

Sizes double from `--min-kib` to `--max-kib` (default 1 KiB to 2 MiB, the read limit). Each
run is `analysis.engine.analyze` in a new `python` process (no cache survives); the child
times the call and reports its peak RSS. The table shows, per shape and size: seconds, peak
RSS, the ratio to the previous size's CPU time (about 2 when time grows linearly, once the size
dominates start-up costs), findings and keepdata internal errors. A summary follows: per shape
the CPU time at each size from 256 KiB, the growth per doubling over those sizes (2.0 =
linear), the peak RSS at the largest size, and OVER for a shape with a run over budget.
Budget: every file up to the read limit within 5 s of CPU time and 300 MB (CPU time, not wall
time: on a loaded machine wall time measures the neighbours). Exit status 1 when a run is
over budget or fails.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analysis.sources import MAX_FILE_BYTES

BUDGET_SECONDS = 5.0
BUDGET_MB = 300.0

COMPOSE = """services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
    volumes:
      - pgdata:/var/lib/postgresql/data
  app:
    build: .
    depends_on:
      - db
    environment:
      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app
volumes:
  pgdata: {}
"""
SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"""
PACKAGE = {
    "name": "hostile",
    "scripts": {"start": "node main.js"},
    "dependencies": {"@prisma/client": "6.4.1", "prisma": "6.4.1"},
}
DOCKERFILE_SCRIPT = """FROM node:20
WORKDIR /app
COPY . .
COPY entrypoint.sh /app/entrypoint.sh
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["node", "main.js"]
"""
DOCKERFILE_NPM = """FROM node:20
WORKDIR /app
COPY . .
CMD ["npm", "start"]
"""

Files = dict[str, str]


def base(**overrides: str) -> Files:
    files: Files = {
        "docker-compose.yml": COMPOSE,
        "Dockerfile": DOCKERFILE_SCRIPT,
        "entrypoint.sh": '#!/bin/sh\nset -e\nnpx prisma migrate deploy\nexec "$@"\n',
        "package.json": json.dumps(PACKAGE, indent=2) + "\n",
        "prisma/schema.prisma": SCHEMA,
    }
    files.update(overrides)
    return files


def repeat_to(size: int, head: str, unit: Callable[[int], str], tail: str, sep: str = "") -> str:
    """`head + unit(0) + sep + unit(1) ... + tail`, as many units as fit in `size` bytes."""
    parts = [head]
    used = len(head.encode()) + len(tail.encode())
    i = 0
    while True:
        piece = (sep if i else "") + unit(i)
        n = len(piece.encode())
        if used + n > size and i:
            break
        parts.append(piece)
        used += n
        i += 1
    parts.append(tail)
    return "".join(parts)


def nested(size: int, head: str, open_: str, middle: str, close: str, tail: str) -> str:
    """`head + open_*d + middle + close*d + tail` with the largest d that fits in `size`."""
    fixed = len((head + middle + tail).encode())
    depth = max(1, (size - fixed) // len((open_ + close).encode()))
    return head + open_ * depth + middle + close * depth + tail


def and_chain(size: int, head: str, tail: str, seps: tuple[str, ...] = (" && ",)) -> str:
    last = "npx prisma migrate deploy"
    body = repeat_to(
        size - len(seps[0] + last + tail),
        head,
        lambda i: f"{seps[i % len(seps)] if i else ''}echo step{i}",
        "",
    )
    return body + seps[0] + last + tail


def run_and_chain(size: int) -> Files:
    head = "FROM node:20\nWORKDIR /app\nRUN "
    tail = '\nCMD ["node", "main.js"]\n'
    return base(Dockerfile=and_chain(size, head, tail))


def script_and_chain(size: int) -> Files:
    return {"entrypoint.sh": and_chain(size, "#!/bin/sh\n", '\nexec "$@"\n')} | _base_rest()


def script_mixed_list(size: int) -> Files:
    text = and_chain(size, "#!/bin/sh\n", '\nexec "$@"\n', (" && ", " || ", "; ", "\n"))
    return {"entrypoint.sh": text} | _base_rest()


def npm_and_chain(size: int) -> Files:
    overhead = len(json.dumps(PACKAGE, indent=2)) + 8
    chain = and_chain(size - overhead, "", "")
    package = dict(PACKAGE, scripts={"start": chain})
    return base(Dockerfile=DOCKERFILE_NPM, **{"package.json": json.dumps(package, indent=2)})


def deep_if(size: int) -> Files:
    text = nested(
        size, "#!/bin/sh\n", "if true; then\n", "npx prisma migrate deploy\n", "fi\n", "exec node\n"
    )
    return {"entrypoint.sh": text} | _base_rest()


def deep_subst(size: int) -> Files:
    text = nested(size, "#!/bin/sh\necho ", "$(echo ", "x", ")", "\nnpx prisma migrate deploy\n")
    return {"entrypoint.sh": text} | _base_rest()


def compose_services(size: int) -> Files:
    head = COMPOSE.split("volumes:\n  pgdata")[0]
    tail = "volumes:\n  pgdata: {}\n"
    text = repeat_to(
        size,
        head,
        lambda i: (
            f"  app{i}:\n    image: node:20\n    depends_on: [db]\n"
            f"    environment:\n      DATABASE_URL: postgresql://app:pw@db:5432/app\n"
            f"    command: npx prisma migrate deploy\n"
        ),
        tail,
    )
    return base(**{"docker-compose.yml": text})


def create_drop(size: int) -> Files:
    text = repeat_to(
        size,
        "-- CreateTable\n",
        lambda i: f'CREATE TABLE "T{i}" (\n    "id" INTEGER NOT NULL\n);\nDROP TABLE "T{i}";\n',
        "",
    )
    return base(
        **{
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "prisma/migrations/20240101000000_init/migration.sql": text,
        }
    )


def json_deep(size: int) -> Files:
    head = json.dumps(PACKAGE)[:-1] + ', "config": '
    return base(**{"package.json": nested(size, head, '{"a": ', "1", "}", "}\n")})


def prisma_default(size: int) -> Files:
    head = SCHEMA[: SCHEMA.rindex("}")] + "  note  String @default(dbgenerated("
    text = nested(size, head, "f(", "1", ")", "))\n}\n")
    return base(**{"prisma/schema.prisma": text})


def prisma_list(size: int) -> Files:
    text = repeat_to(
        size, "#!/bin/sh\n", lambda i: "npx prisma migrate deploy", '\nexec "$@"\n', " && "
    )
    return {"entrypoint.sh": text} | _base_rest()


def fn_fanout(size: int) -> Files:
    tail = 'f0\nexec "$@"\n'
    body = repeat_to(size - 64, "#!/bin/sh\n", lambda i: f"f{i}() {{ f{i + 1}; f{i + 1}; }}\n", "")
    n = body.count("() {")
    text = body + f"f{n}() {{ npx prisma migrate deploy; }}\n" + tail
    return {"entrypoint.sh": text} | _base_rest()


def _base_rest() -> Files:
    files = base()
    del files["entrypoint.sh"]
    return files


SHAPES: dict[str, Callable[[int], Files]] = {
    "run-and-chain": run_and_chain,
    "script-and-chain": script_and_chain,
    "script-mixed-list": script_mixed_list,
    "npm-and-chain": npm_and_chain,
    "deep-if": deep_if,
    "deep-subst": deep_subst,
    "compose-services": compose_services,
    "create-drop": create_drop,
    "json-deep": json_deep,
    "prisma-default": prisma_default,
    "prisma-list": prisma_list,
    "fn-fanout": fn_fanout,
}
HOSTILE_FILE = {
    "run-and-chain": "Dockerfile",
    "npm-and-chain": "package.json",
    "compose-services": "docker-compose.yml",
    "create-drop": "prisma/migrations/20240101000000_init/migration.sql",
    "json-deep": "package.json",
    "prisma-default": "prisma/schema.prisma",
}


def write(root: Path, files: Files) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if (root / "entrypoint.sh").exists():
        (root / "entrypoint.sh").chmod(0o755)


CHILD = """
import json, resource, sys, time
from analysis.engine import analyze
start, cpu = time.perf_counter(), time.process_time()
result = analyze(sys.argv[1])
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
rules = {}
for f in result.findings:
    rules[f.rule] = rules.get(f.rule, 0) + 1
print(json.dumps({
    "seconds": seconds,
    "cpu": cpu,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rules": rules,
    "errors": [e.area + ": " + e.message[:120] for e in result.errors],
}))
"""


def run_child(root: Path, timeout: float) -> dict[str, object]:
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(root)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if out.returncode != 0:
        return {"crash": out.stderr.strip().splitlines()[-1:] or ["?"]}
    data: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def sizes(min_kib: int, max_kib: int) -> list[int]:
    out: list[int] = []
    kib = min_kib
    while kib <= max_kib:
        out.append(min(kib * 1024, MAX_FILE_BYTES))
        kib *= 2
    return out


SUMMARY_FROM = 256 * 1024
"""Sizes from here on dominate the fixed cost of an analysis: the summary's ratio per doubling
is measured over them."""


def per_doubling(points: list[tuple[int, float]]) -> float | None:
    """How much the CPU time grows when the size doubles (2.0 = linear), between the first
    point at or above `SUMMARY_FROM` and the last: the geometric mean over those doublings."""
    big = [(size, cpu) for size, cpu in points if _column(size) >= SUMMARY_FROM and cpu > 0]
    if len(big) < 2 or big[-1][0] <= big[0][0]:
        return None
    (s0, c0), (s1, c1) = big[0], big[-1]
    return float(2 ** (math.log(c1 / c0) / math.log(s1 / s0)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-kib", type=int, default=1)
    parser.add_argument("--max-kib", type=int, default=MAX_FILE_BYTES // 1024)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per child")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per shape and size; the least CPU time is shown (the machine's noise only "
        "adds time) with the largest peak RSS",
    )
    args = parser.parse_args()
    names = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in names if s not in SHAPES]
    if unknown:
        parser.error(f"unknown shape(s): {', '.join(unknown)}; known: {', '.join(SHAPES)}")
    print(
        f"{'shape':18} {'size':>9} {'seconds':>8} {'cpu s':>6} {'peak MB':>8} {'ratio':>6}  notes"
    )
    over_budget: list[str] = []
    # per shape: (size in bytes, CPU s, peak MB) of each run, and whether one failed
    results: dict[str, list[tuple[int, float, float]]] = {}
    failed: set[str] = set()
    started = time.perf_counter()
    for name in names:
        previous: float | None = None
        runs = results.setdefault(name, [])
        for size in sizes(args.min_kib, args.max_kib):
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                write(root, SHAPES[name](size))
                hostile = root / HOSTILE_FILE.get(name, "entrypoint.sh")
                actual = hostile.stat().st_size
                data = run_child(root, args.timeout)
                for _ in range(args.repeat - 1):
                    if data.get("timeout") or data.get("crash"):
                        break
                    data = _least(data, run_child(root, args.timeout))
            label = _size_label(actual)
            if data.get("timeout") or data.get("crash"):
                why = "timeout" if data.get("timeout") else f"crash: {data['crash']}"
                print(f"{name:18} {label:>9} {'-':>8} {'-':>6} {'-':>8} {'-':>6}  {why}")
                over_budget.append(f"{name} {label}: {why}")
                failed.add(name)
                break
            seconds = float(data["seconds"])  # type: ignore[arg-type]
            cpu = float(data["cpu"])  # type: ignore[arg-type]
            rss = float(data["rss_mb"])  # type: ignore[arg-type]
            ratio = f"{cpu / previous:.2f}" if previous else ""
            rules = data["rules"]
            assert isinstance(rules, dict)
            notes = " ".join(f"{k}x{v}" for k, v in sorted(rules.items()))
            errors = data["errors"]
            if errors:
                notes += f"  INTERNAL ERRORS: {errors}"
                failed.add(name)
            print(f"{name:18} {label:>9} {seconds:8.3f} {cpu:6.2f} {rss:8.1f} {ratio:>6}  {notes}")
            if cpu > BUDGET_SECONDS or rss > BUDGET_MB or errors:
                over_budget.append(f"{name} {label}: {cpu:.2f} s CPU, {rss:.0f} MB, {errors}")
            previous = cpu
            runs.append((actual, cpu, rss))
    print(f"total {time.perf_counter() - started:.0f} s")
    print_summary(results, failed)
    if over_budget:
        print(f"over budget ({BUDGET_SECONDS:.0f} s CPU, {BUDGET_MB:.0f} MB) or failed:")
        for line in over_budget:
            print(f"  {line}")
        sys.exit(1)
    print(f"every run within {BUDGET_SECONDS:.0f} s CPU and {BUDGET_MB:.0f} MB")


def _least(a: dict[str, object], b: dict[str, object]) -> dict[str, object]:
    """Of two runs of one input: the one with less CPU time, with the larger peak RSS (a
    failed run wins: it is reported)."""
    if b.get("timeout") or b.get("crash"):
        return b
    best = dict(a if float(a["cpu"]) <= float(b["cpu"]) else b)  # type: ignore[arg-type]
    best["rss_mb"] = max(float(a["rss_mb"]), float(b["rss_mb"]))  # type: ignore[arg-type]
    return best


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MiB"
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} B"


def print_summary(results: dict[str, list[tuple[int, float, float]]], failed: set[str]) -> None:
    """One line per shape: CPU seconds at each size from `SUMMARY_FROM` on, the ratio per
    doubling (2.0 = linear), the largest size's peak RSS, and OVER when a run broke the budget
    (or failed)."""
    every = sorted({_column(size) for runs in results.values() for size, _, _ in runs})
    columns = [c for c in every if c >= SUMMARY_FROM] or every[-4:]
    print()
    print(
        f"summary: CPU s by size; x/doubling = growth per doubling from "
        f"{SUMMARY_FROM // 1024} KiB (2.0 = linear); budget {BUDGET_SECONDS:.0f} s, "
        f"{BUDGET_MB:.0f} MB"
    )
    print(
        f"{'shape':18} "
        + " ".join(f"{_size_label(c):>8}" for c in columns)
        + f" {'x/doubling':>10} {'peak MB':>8}  budget"
    )
    for name, runs in results.items():
        by_column = {_column(size): cpu for size, cpu, _ in runs}
        cells = " ".join(f"{by_column[c]:8.2f}" if c in by_column else f"{'-':>8}" for c in columns)
        growth = per_doubling([(size, cpu) for size, cpu, _ in runs])
        growth_text = f"{growth:10.2f}" if growth is not None else f"{'-':>10}"
        peak = f"{runs[-1][2]:8.0f}" if runs else f"{'-':>8}"
        over = name in failed or any(
            cpu > BUDGET_SECONDS or rss > BUDGET_MB for _, cpu, rss in runs
        )
        print(f"{name:18} {cells} {growth_text} {peak}  {'OVER' if over else 'ok'}")


def _column(size: int) -> int:
    """The nominal size (a power of two KiB) a generated file's actual size belongs to."""
    return 1024 * 2 ** max(0, round(math.log2(max(size, 1) / 1024)))


if __name__ == "__main__":
    main()
