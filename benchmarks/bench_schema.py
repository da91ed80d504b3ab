"""Benchmark: parsing a Prisma schema of 300 models (about 5,900 lines), cold and warm.

python -m benchmarks.bench_schema [--models N] [--runs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

from analysis.parsers.prisma_schema import lines as schema_lines
from analysis.parsers.prisma_schema.files import parse_prisma_schema
from analysis.sources import SourceFile

GENERATOR = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "schemas" / "generate_large.py"
)


def large_schema(models: int) -> str:
    spec = importlib.util.spec_from_file_location("generate_large", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.generate(models))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    text = large_schema(args.models)
    source = SourceFile("schema.prisma", text, "bench", len(text))
    parse_prisma_schema(source)  # start-up
    cold, warm = [], []
    for _ in range(args.runs):
        schema_lines._LEX_CACHE.clear()
        start = time.perf_counter()
        parse_prisma_schema(source)
        cold.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        parse_prisma_schema(source)
        warm.append((time.perf_counter() - start) * 1000)
    print(f"{args.models} models, {text.count(chr(10))} lines")
    print(f"cold parse  median {statistics.median(cold):6.1f} ms   max {max(cold):6.1f} ms")
    print(f"warm parse  median {statistics.median(warm):6.1f} ms   max {max(warm):6.1f} ms")


if __name__ == "__main__":
    main()
