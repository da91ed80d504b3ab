"""Benchmark: what `keepdata check` imports, per project shape (issue 13: `check` imports only
what the project's files need).

    python -m benchmarks.bench_imports [--runs N] [--tree DIR]

For each generated project shape, `python -X importtime -m tui.cli check --no-cache --format
json ROOT` runs N times in a new process, from .pyc files (written to a temporary
PYTHONPYCACHEPREFIX by one untimed run first, as after `pip install`). Printed per shape: the
modules imported (interpreter start-up included), the import time (the sum of every module's
own time, as `-X importtime` reports it), the rule modules imported out of all of them, and the
process's CPU time (user + system), each the median of the runs; then the 1-minute load
average. `--tree DIR` runs another checkout's code (its folder first on PYTHONPATH; `python -P`
keeps the working directory off the path); `--against DIR` measures another checkout run by run
in turn with this one, to compare two versions under the same load.

Shapes:
- migrations: `prisma/migrations` only (20 PostgreSQL migrations and the lock file);
- compose: one `docker-compose.yml` (a PostgreSQL service and an app);
- schema: `prisma/schema.prisma` only;
- full: migrations, the schema, three compose files, three Dockerfiles, an entrypoint and
  `package.json` (the project of `benchmarks.bench_cli`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_cli import COMPOSE, make_project
from benchmarks.bench_migrations import generate

MIGRATIONS = 20


def migrations_only(root: Path) -> None:
    generate(root, "postgresql", seed=MIGRATIONS, migrations=MIGRATIONS, per_migration=4)
    (root / "prisma" / "schema.prisma").unlink()


def compose_only(root: Path) -> None:
    (root / "docker-compose.yml").write_text(COMPOSE)


def schema_only(root: Path) -> None:
    generate(root, "postgresql", seed=MIGRATIONS, migrations=MIGRATIONS, per_migration=4)
    shutil.rmtree(root / "prisma" / "migrations")


def full(root: Path) -> None:
    make_project(root, MIGRATIONS)


SHAPES: dict[str, Callable[[Path], None]] = {
    "migrations": migrations_only,
    "compose": compose_only,
    "schema": schema_only,
    "full": full,
}


@dataclass(slots=True, frozen=True)
class Imports:
    modules: int
    rule_modules: int
    import_ms: float


def measure(root: Path, env: dict[str, str]) -> Imports:
    """One `check` process under `-X importtime`: what it imported, and how long that took."""
    argv = [sys.executable, "-P", "-X", "importtime", "-m", "tui.cli", "check", "--no-cache"]
    argv += ["--format", "json", "--exit-zero", str(root)]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, err = proc.communicate()
    rows = [line for line in err.splitlines() if line.startswith("import time:")]
    names: list[str] = []
    own_us = 0
    for line in rows[1:]:  # the first is the header
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        own_us += int(self_us)
        names.append(name.strip())
    if proc.returncode != 0:
        raise SystemExit(f"check failed ({proc.returncode}) on {root}:\n{err[-2000:]}")
    rules = sum(1 for n in names if n.startswith("analysis.rules.") and ".kd" in n)
    return Imports(len(names), rules, own_us / 1000)


def cpu_of(root: Path, env: dict[str, str]) -> float:
    """The CPU time (ms, user + system) of one `check` process without `-X importtime`."""
    argv = [sys.executable, "-P", "-m", "tui.cli", "check", "--no-cache", "--format", "json"]
    argv += ["--exit-zero", str(root)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _status, usage = os.wait4(proc.pid, 0)
    return (usage.ru_utime + usage.ru_stime) * 1000


def total_rule_modules(env: dict[str, str]) -> int:
    code = "from analysis.rules.registry import RULES; print(len(RULES))"
    done = subprocess.run(
        [sys.executable, "-P", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def _env(tmp: str, tree: str | None) -> dict[str, str]:
    env = {**os.environ, "KEEPDATA_CACHE_DIR": str(Path(tmp) / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
    if tree:
        first = str(Path(tree).resolve())
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (first, env.get("PYTHONPATH"))))
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tree", help="a checkout of keepdata to run instead of this one")
    ap.add_argument(
        "--against",
        help="another checkout, measured run by run in turn with this one (a row each)",
    )
    ap.add_argument("--shapes", default=",".join(SHAPES))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="keepdata-bench-imports-") as tmp:
        trees = {"this": _env(tmp, args.tree)}
        if args.against:
            trees[Path(args.against).name] = _env(tmp, args.against)
        every = {label: total_rule_modules(env) for label, env in trees.items()}
        head = f"{'shape':12} {'tree':>14} {'modules':>8} {'rule modules':>13} {'import ms':>10}"
        print(f"{head} {'CPU ms':>8}")
        for name in args.shapes.split(","):
            root = Path(tmp) / name
            root.mkdir()
            SHAPES[name](root)
            seen: dict[str, list[Imports]] = {label: [] for label in trees}
            cpu: dict[str, list[float]] = {label: [] for label in trees}
            for env in trees.values():
                measure(root, env)  # writes the .pyc files
            for _ in range(args.runs):  # in turn, so that load changes hit every tree alike
                for label, env in trees.items():
                    seen[label].append(measure(root, env))
                    cpu[label].append(cpu_of(root, env))
            for label in trees:
                modules = int(statistics.median(s.modules for s in seen[label]))
                rules = int(statistics.median(s.rule_modules for s in seen[label]))
                ms = statistics.median(s.import_ms for s in seen[label])
                print(
                    f"{name:12} {label:>14} {modules:8d} {rules:>6d} of {every[label]:<3d} "
                    f"{ms:10.1f} {statistics.median(cpu[label]):8.1f}"
                )
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
