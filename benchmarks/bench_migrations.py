"""Benchmark: 1,000 PostgreSQL migrations (~20,000 statements) and a 300-model schema.

    python -m benchmarks.bench_migrations [--runs N] [--provider postgresql|mysql|sqlite]

Measures the migrations part of an analysis, as a watch event triggers it:
- cold: parse caches and the replay cache cleared; every migration.sql parsed, the history
  replayed, the schema compared (drift), KD6xx and KD7xx rules run;
- schema edit: only `schema.prisma` changed; no migration may be re-parsed (the count is
  checked) and the replay comes from its cache;
- warm: nothing changed.
Discovery and file reads are included (a fresh `Context` per run), the other areas are not.
Each figure is the median of `--runs` runs, wall clock and CPU time of the process (steadier
when other work loads the machine), with the cold run's steps timed apart; the 1-minute load
average tells how busy the machine was.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import analysis.parsers.migration_sql.parse as migration_sql
from analysis.context import Context, clear_parse_cache
from analysis.discover import discover
from analysis.facts.drift import pending_changes
from analysis.facts.migrations import migration_histories
from analysis.facts.replay import clear_replay_cache
from analysis.facts.schema import schemas
from analysis.rules.registry import run_area

MODELS = 300
MIGRATIONS = 1000
PER_MIGRATION = 20

_FIRST_DAY = datetime.date(2015, 1, 1)


def q(name: str, provider: str) -> str:
    return f"`{name}`" if provider == "mysql" else f'"{name}"'


def generate(
    root: Path,
    provider: str = "postgresql",
    seed: int = 7,
    migrations: int = MIGRATIONS,
    per_migration: int = PER_MIGRATION,
) -> int:
    """Write the project; return the number of statements."""
    rnd = random.Random(seed)
    mig_dir = root / "prisma" / "migrations"
    mig_dir.mkdir(parents=True)
    (mig_dir / "migration_lock.toml").write_text(f'provider = "{provider}"\n')
    text_t = {"postgresql": "TEXT", "mysql": "VARCHAR(191)", "sqlite": "TEXT"}[provider]
    columns: list[list[str]] = []
    indexes: list[list[str]] = []
    created = 0
    total = 0
    per_model = max(1, migrations // MODELS)
    for i in range(migrations):
        out: list[str] = []
        if (created < MODELS and i % per_model == 0) or (migrations - i) <= (MODELS - created):
            k = created
            t = f"M{k}"
            if provider == "sqlite":
                fk = (
                    f',\n    CONSTRAINT "{t}_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES '
                    f'"M{k - 1}" ("id") ON DELETE SET NULL ON UPDATE CASCADE'
                    if k
                    else ""
                )
                out.append(
                    f'-- CreateTable\nCREATE TABLE "{t}" (\n    "id" INTEGER NOT NULL PRIMARY KEY '
                    f'AUTOINCREMENT,\n    "name" TEXT NOT NULL,\n    "createdAt" DATETIME NOT NULL '
                    f'DEFAULT CURRENT_TIMESTAMP,\n    "parentId" INTEGER{fk}\n);'
                )
            elif provider == "mysql":
                out.append(
                    f"-- CreateTable\nCREATE TABLE `{t}` (\n    `id` INTEGER NOT NULL AUTO_INCREMENT,\n"
                    f"    `name` VARCHAR(191) NOT NULL,\n    `createdAt` DATETIME(3) NOT NULL DEFAULT "
                    f"CURRENT_TIMESTAMP(3),\n    `parentId` INTEGER NULL,\n\n    PRIMARY KEY (`id`)\n"
                    ") DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
                )
            else:
                out.append(
                    f'-- CreateTable\nCREATE TABLE "{t}" (\n    "id" SERIAL NOT NULL,\n    "name" '
                    f'TEXT NOT NULL,\n    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,'
                    f'\n    "parentId" INTEGER,\n\n    CONSTRAINT "{t}_pkey" PRIMARY KEY ("id")\n);'
                )
            out.append(
                f"-- CreateIndex\nCREATE INDEX {q(t + '_parentId_idx', provider)} ON "
                f"{q(t, provider)}({q('parentId', provider)});"
            )
            if k and provider != "sqlite":
                out.append(
                    f"-- AddForeignKey\nALTER TABLE {q(t, provider)} ADD CONSTRAINT "
                    f"{q(t + '_parentId_fkey', provider)} FOREIGN KEY ({q('parentId', provider)}) "
                    f"REFERENCES {q(f'M{k - 1}', provider)}({q('id', provider)}) ON DELETE SET NULL "
                    "ON UPDATE CASCADE;"
                )
            columns.append([])
            indexes.append([])
            created += 1
        while len(out) < per_migration:
            k = rnd.randrange(created)
            t = f"M{k}"
            if columns[k] and rnd.random() < 0.25:
                c = rnd.choice(columns[k])
                if c not in indexes[k]:
                    indexes[k].append(c)
                    out.append(
                        f"-- CreateIndex\nCREATE INDEX {q(f'{t}_{c}_idx', provider)} ON "
                        f"{q(t, provider)}({q(c, provider)});"
                    )
                    continue
            c = f"f{sum(len(x) for x in columns)}"
            columns[k].append(c)
            out.append(
                f"-- AlterTable\nALTER TABLE {q(t, provider)} ADD COLUMN {q(c, provider)} {text_t};"
            )
        total += len(out)
        # one migration a day at noon, as real timestamps (YYYYMMDDHHMMSS) are: a made-up
        # number such as 20200101006000 is no date and sends keepdata down a slower path
        day = _FIRST_DAY + datetime.timedelta(days=i)
        d = mig_dir / f"{day:%Y%m%d}120000_step_{i}"
        d.mkdir()
        (d / "migration.sql").write_text("\n\n".join(out) + "\n")
    (root / "prisma" / "schema.prisma").write_text(schema_text(provider, columns, indexes))
    return total


def schema_text(provider: str, columns: list[list[str]], indexes: list[list[str]]) -> str:
    url = '"file:./dev.db"' if provider == "sqlite" else 'env("DATABASE_URL")'
    out = [f'datasource db {{\n  provider = "{provider}"\n  url      = {url}\n}}\n']
    n = len(columns)
    for k in range(n):
        lines = [
            f"model M{k} {{",
            "  id        Int      @id @default(autoincrement())",
            "  name      String",
            "  createdAt DateTime @default(now())",
            "  parentId  Int?",
        ]
        if k:
            lines.append(
                f'  parent    M{k - 1}?     @relation("R{k}", fields: [parentId], references: [id], '
                "onDelete: SetNull)"
            )
        if k + 1 < n:
            lines.append(f'  children  M{k + 1}[]    @relation("R{k + 1}")')
        lines += [f"  {c} String?" for c in columns[k]]
        lines.append("")
        lines.append("  @@index([parentId])")
        lines += [f"  @@index([{c}])" for c in indexes[k]]
        lines.append("}\n")
        out.append("\n".join(lines))
    return "\n".join(out)


class _Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.original = migration_sql.parse_migration_sql

    def __enter__(self) -> _Counter:
        def counting(*args, **kwargs):
            self.calls += 1
            return self.original(*args, **kwargs)

        migration_sql.parse_migration_sql = counting
        return self

    def __exit__(self, *exc: object) -> None:
        migration_sql.parse_migration_sql = self.original


@dataclass(frozen=True)
class Run:
    """One analysis of the migrations part."""

    wall: float
    cpu: float
    """CPU seconds of this process: steadier than `wall` when other work loads the machine."""
    findings: int
    statements: int
    phases: dict[str, float]
    """Wall seconds per step: discovery (with the Context), the schema (parsed by the schema
    helper's code, first needed by the migrations), migration histories (reading, parsing and
    replaying the migrations), drift (pending changes), rules (KD6xx and KD7xx)."""


def run_once(root: Path) -> Run:
    """One analysis of the migrations part, timed as a whole and per step."""
    start, cpu_start = time.perf_counter(), time.process_time()
    marks = [start]
    ctx = Context(root, discover(root))
    marks.append(time.perf_counter())
    ctx.fact(schemas)  # what migration_histories asks for first; timed on its own
    marks.append(time.perf_counter())
    histories = ctx.fact(migration_histories)
    marks.append(time.perf_counter())
    ctx.fact(pending_changes)
    marks.append(time.perf_counter())
    findings = run_area(ctx, "migrations") + run_area(ctx, "drift")
    marks.append(time.perf_counter())
    cpu = time.process_time() - cpu_start
    phases = {name: marks[i + 1] - marks[i] for i, name in enumerate(PHASES)}
    return Run(
        marks[-1] - start,
        cpu,
        len(findings),
        sum(h.statement_count for h in histories),
        phases,
    )


PHASES = ("discover", "schema", "migrations", "drift", "rules")


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--provider", default="postgresql")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        statements = generate(root, args.provider)
        run_once(root)  # start-up: imports, lazy module loads
        cold: list[Run] = []
        edit: list[Run] = []
        warm: list[Run] = []
        reparsed = 0
        schema = root / "prisma" / "schema.prisma"
        for r in range(args.runs):
            clear_parse_cache()
            clear_replay_cache()
            cold.append(run_once(root))
            schema.write_text(schema.read_text() + f"\n// edit {r}\n")
            with _Counter() as counter:
                edit.append(run_once(root))
            reparsed += counter.calls
            warm.append(run_once(root))
        result = {
            "provider": args.provider,
            "migrations": MIGRATIONS,
            "statements_written": statements,
            "statements_parsed": cold[-1].statements,
            "models": MODELS,
            "findings": cold[-1].findings,
            "cold_median_s": _median([x.wall for x in cold]),
            "cold_max_s": round(max(x.wall for x in cold), 3),
            "cold_cpu_median_s": _median([x.cpu for x in cold]),
            "cold_phases_median_s": {p: _median([x.phases[p] for x in cold]) for p in PHASES},
            "schema_edit_median_s": _median([x.wall for x in edit]),
            "schema_edit_cpu_median_s": _median([x.cpu for x in edit]),
            "schema_edit_migrations_reparsed": reparsed,
            "warm_median_s": _median([x.wall for x in warm]),
            "warm_cpu_median_s": _median([x.cpu for x in warm]),
            "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
