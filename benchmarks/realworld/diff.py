"""Compare two `python -m benchmarks.realworld --json` files: new and vanished findings per repo.

python -m benchmarks.realworld.diff A.json B.json [--limit N] [--ignore-lines]

A finding is (rule, severity, path, line, message); a finding in B and not in A is new, one in
A and not in B vanished (counted as multisets, so a duplicate that appears is new too). Times
are ignored. Exit 0 when nothing differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

Key = tuple[str, str, str, int, str]


def _keys(repo: dict[str, Any], ignore_lines: bool) -> Counter[Key]:
    return Counter(
        (
            str(f.get("rule")),
            str(f.get("severity")),
            str(f.get("path")),
            0 if ignore_lines else int(f.get("line") or 0),
            str(f.get("message")),
        )
        for f in repo.get("findings", [])
    )


def diff(
    a: dict[str, Any], b: dict[str, Any], ignore_lines: bool = False
) -> dict[str, tuple[Counter[Key], Counter[Key]]]:
    """Per repository present in either file: (new, vanished)."""
    out: dict[str, tuple[Counter[Key], Counter[Key]]] = {}
    ra, rb = a.get("repos", {}), b.get("repos", {})
    for name in sorted(set(ra) | set(rb)):
        ka = _keys(ra.get(name, {}), ignore_lines)
        kb = _keys(rb.get(name, {}), ignore_lines)
        new, gone = kb - ka, ka - kb
        if new or gone:
            out[name] = (new, gone)
    return out


def _line(sign: str, key: Key, n: int) -> str:
    rule, sev, path, line, msg = key
    times = f" (x{n})" if n > 1 else ""
    return f"  {sign} {rule} {sev:8} {path}:{line}{times}: {msg[:160]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--limit", type=int, default=20, help="lines per repo and sign (0: all)")
    parser.add_argument("--ignore-lines", action="store_true", help="compare without line")
    args = parser.parse_args(argv)
    a = json.loads(args.a.read_text())
    b = json.loads(args.b.read_text())
    print(f"A: {args.a} ({a.get('keepdata')})\nB: {args.b} ({b.get('keepdata')})")
    changes = diff(a, b, args.ignore_lines)
    by_rule: Counter[str] = Counter()
    total_new = total_gone = 0
    for name, (new, gone) in changes.items():
        n_new, n_gone = sum(new.values()), sum(gone.values())
        total_new += n_new
        total_gone += n_gone
        print(f"\n{name}: {n_new} new, {n_gone} vanished")
        for sign, bag in (("+", new), ("-", gone)):
            for i, (key, n) in enumerate(sorted(bag.items())):
                by_rule[f"{sign}{key[0]}"] += n
                if args.limit and i >= args.limit:
                    print(f"  {sign} ... {len(bag) - args.limit} more")
                    break
                print(_line(sign, key, n))
    print(f"\n{len(changes)} repositories differ: {total_new} new, {total_gone} vanished findings")
    if by_rule:
        print("by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main())
