"""Benchmark: 1,000 PostgreSQL migrations (~20,000 statements) and a 300-model schema.

    python -m benchmarks.bench_migrations [--runs N] [--provider postgresql|mysql|sqlite]

Measures the migrations part of an analysis, as a watch event triggers it:
- cold: parse caches and the replay cache cleared; every migration.sql parsed, the history
  replayed, the schema compared (drift), KD6xx and KD7xx rules run;
- schema edit: only `schema.prisma` changed; no migration may be re-parsed (the count is
  checked) and the replay comes from its cache;
- warm: nothing changed.
Discovery and file reads are included (a fresh `Context` per run), the other areas are not.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import analysis.parsers.migration_sql as migration_sql
from analysis.context import Context, clear_parse_cache
from analysis.discover import discover
from analysis.facts.drift import pending_changes
from analysis.facts.migrations import migration_histories
from analysis.facts.replay import clear_replay_cache
from analysis.rules import drift as drift_rules
from analysis.rules import migrations as migration_rules

MODELS = 300
MIGRATIONS = 1000
PER_MIGRATION = 20


def q(name: str, provider: str) -> str:
    return f"`{name}`" if provider == "mysql" else f'"{name}"'


def generate(root: Path, provider: str = "postgresql", seed: int = 7) -> int:
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
    per_model = max(1, MIGRATIONS // MODELS)
    for i in range(MIGRATIONS):
        out: list[str] = []
        if (created < MODELS and i % per_model == 0) or (MIGRATIONS - i) <= (MODELS - created):
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
        while len(out) < PER_MIGRATION:
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
        d = mig_dir / f"{20200101000000 + i * 100:014d}_step_{i}"
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


def run_once(root: Path) -> tuple[float, int, int]:
    """One analysis of the migrations part; (seconds, findings, statements)."""
    start = time.perf_counter()
    ctx = Context(root, discover(root))
    histories = ctx.fact(migration_histories)
    ctx.fact(pending_changes)
    findings = list(migration_rules.check(ctx)) + list(drift_rules.check(ctx))
    elapsed = time.perf_counter() - start
    return elapsed, len(findings), sum(h.statement_count for h in histories)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--provider", default="postgresql")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        statements = generate(root, args.provider)
        run_once(root)  # start-up: imports, lazy module loads
        cold: list[float] = []
        edit: list[float] = []
        warm: list[float] = []
        reparsed = 0
        nfind = nstat = 0
        schema = root / "prisma" / "schema.prisma"
        for r in range(args.runs):
            clear_parse_cache()
            clear_replay_cache()
            t, nfind, nstat = run_once(root)
            cold.append(t)
            schema.write_text(schema.read_text() + f"\n// edit {r}\n")
            with _Counter() as counter:
                t, _, _ = run_once(root)
            reparsed += counter.calls
            edit.append(t)
            warm.append(run_once(root)[0])
        result = {
            "provider": args.provider,
            "migrations": MIGRATIONS,
            "statements_written": statements,
            "statements_parsed": nstat,
            "models": MODELS,
            "findings": nfind,
            "cold_median_s": round(statistics.median(cold), 3),
            "cold_max_s": round(max(cold), 3),
            "schema_edit_median_s": round(statistics.median(edit), 3),
            "schema_edit_migrations_reparsed": reparsed,
            "warm_median_s": round(statistics.median(warm), 3),
        }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
