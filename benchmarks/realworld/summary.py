"""Shrink a `python -m benchmarks.realworld --json` file to a committable summary.

python -m benchmarks.realworld.summary RESULTS.json OUT.json

Per repository: exit code, verdict, counts by severity, counts by rule and severity, the files
with parse problems, the unresolved startup links and the internal errors; no messages and no
times, so two summaries diff cleanly (the full files are over 2 MB and stay out of git).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.realworld.__main__ import CRASH_RULE, PARSE_RULES


def summarize(data: dict[str, Any]) -> dict[str, Any]:
    repos: dict[str, Any] = {}
    for name, r in sorted(data.get("repos", {}).items()):
        if "missing" in r:
            repos[name] = {"missing": r["missing"]}
            continue
        by_rule = Counter(f"{f['rule']}/{f['severity']}" for f in r["findings"])
        parse = Counter(
            f"{f['rule']} {f['path']}" for f in r["findings"] if f["rule"] in PARSE_RULES
        )
        repos[name] = {
            "commit": r.get("commit"),
            "exit": r.get("exit"),
            "verdict": r.get("verdict"),
            "counts": r.get("counts"),
            "by_rule": dict(sorted(by_rule.items())),
            "parse_problems": dict(sorted(parse.items())),
            "internal_errors": [
                f"{f['path']}:{f['line']}: {f['message']}"
                for f in r["findings"]
                if f["rule"] == CRASH_RULE
            ]
            + ([r["crash"]] if "crash" in r else []),
            "unresolved": [
                f"{u['label']} at {u['path']}:{u['line']}" for u in r.get("unresolved", [])
            ],
        }
    return {"keepdata": data.get("keepdata"), "repos": repos}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    summary = summarize(json.loads(args.results.read_text()))
    args.out.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
