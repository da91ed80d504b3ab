"""Run keepdata on every exported corpus repository and print one row per repository.

python -m benchmarks.realworld [--dest DIR] [--json OUT] [--keepdata PATH] [--no-report] [NAME ...]

For each repository (exported first when DEST/<name> is missing): `keepdata check --format
json` as a subprocess (the keepdata installed next to this Python, or --keepdata), counting
findings by severity, parse problems (KD001/KD002/KD505/KD612) with their files, internal
errors (KD004, or a run that does not end with JSON), the exit code and the wall time; then,
unless --no-report, `keepdata report --format json` for the verdict and the startup links
keepdata could not resolve. When `keepdata check --help` offers `--all-migrations`, a second
check with it fills the "all-migrations" columns. `--json OUT` writes every finding (rule,
severity, path, line, message) per repository, for `python -m benchmarks.realworld.diff`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.realworld.corpus import DEFAULT_DEST, Repo, load, select
from benchmarks.realworld.export import export_repo

SEVERITIES = ("critical", "high", "medium", "low", "info")
PARSE_RULES = ("KD001", "KD002", "KD505", "KD612")
CRASH_RULE = "KD004"


def default_keepdata() -> str:
    beside = Path(sys.executable).parent / "keepdata"
    if beside.exists():
        return str(beside)
    found = shutil.which("keepdata")
    if found is None:
        raise SystemExit("no keepdata found; install it (pip install -e .) or pass --keepdata")
    return found


def _run(cmd: list[str], timeout: float) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {timeout:.0f} s", time.perf_counter() - start
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start


def _finding(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule": f.get("rule"),
        "severity": f.get("severity"),
        "path": f.get("path"),
        "line": f.get("line"),
        "message": f.get("message"),
    }


def check(keepdata: str, root: Path, timeout: float, *extra: str) -> dict[str, Any]:
    """One `keepdata check --format json` run, summarized."""
    rc, out, err, seconds = _run(
        [keepdata, "check", str(root), "--format", "json", *extra], timeout
    )
    result: dict[str, Any] = {"exit": rc, "seconds": round(seconds, 2)}
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        result["crash"] = (err.strip().splitlines() or ["no output"])[-1][:300]
        result["findings"] = []
        result["counts"] = dict.fromkeys(SEVERITIES, 0)
        return result
    findings = sorted(
        (_finding(f) for f in data.get("findings", [])),
        key=lambda f: (f["path"] or "", f["line"] or 0, f["rule"] or "", f["message"] or ""),
    )
    counts = Counter(f["severity"] for f in findings)
    result["counts"] = {s: counts.get(s, 0) for s in SEVERITIES}
    result["findings"] = findings
    return result


def report_facts(keepdata: str, root: Path, timeout: float) -> dict[str, Any]:
    """The verdict and the unresolved startup links, from `keepdata report --format json`."""
    _rc, out, err, seconds = _run([keepdata, "report", str(root), "--format", "json"], timeout)
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        return {"verdict": "CRASH", "unresolved": [], "error": err.strip()[-300:]}
    verdict = data.get("verdict")
    level = verdict.get("level") if isinstance(verdict, dict) else verdict
    unresolved: list[dict[str, Any]] = []
    paths = ((data.get("facts") or {}).get("startup_paths") or {}).get("paths") or []
    seen = set()
    for path in paths:
        for link in path.get("unresolved") or []:
            loc = link.get("location") or {}
            key = (link.get("label"), loc.get("path"), loc.get("line"))
            if key not in seen:
                seen.add(key)
                unresolved.append({"label": key[0], "path": key[1], "line": key[2]})
    return {"verdict": level, "unresolved": unresolved, "report_seconds": round(seconds, 2)}


def run_repo(
    repo: Repo, dest: Path, keepdata: str, timeout: float, report: bool, all_migrations: bool
) -> dict[str, Any]:
    root = dest / repo.name
    if not root.is_dir():
        made = export_repo(repo, dest)
        if isinstance(made, str):
            return {"missing": made}
    result = check(keepdata, root, timeout)
    result["commit"] = repo.commit
    if all_migrations:
        full = check(keepdata, root, timeout, "--all-migrations")
        result["all_migrations"] = {"counts": full["counts"], "exit": full["exit"]}
    if report:
        result.update(report_facts(keepdata, root, timeout))
    return result


def _parse_problems(findings: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for f in findings:
        if f["rule"] in PARSE_RULES:
            out.setdefault(f["rule"], Counter())[f["path"]] += 1
    return out


def print_table(results: dict[str, dict[str, Any]], all_migrations: bool, report: bool) -> None:
    head = ["repo", "crit", "high", "med", "low", "info", "total", "parse", "KD004", "exit", "s"]
    if all_migrations:
        head[7:7] = ["all:crit", "all:high", "all:med"]
    if report:
        head += ["unres", "verdict"]
    rows: list[list[str]] = []
    totals: Counter[str] = Counter()
    for name, r in results.items():
        if "missing" in r:
            rows.append([name, "missing", *[""] * (len(head) - 2)])
            continue
        c = r["counts"]
        parse = sum(1 for f in r["findings"] if f["rule"] in PARSE_RULES)
        crashes = sum(1 for f in r["findings"] if f["rule"] == CRASH_RULE) + ("crash" in r)
        row = [name, *(str(c[s]) for s in SEVERITIES), str(sum(c.values()))]
        row += [str(parse), str(crashes), str(r["exit"]), f"{r['seconds']:.1f}"]
        for s in SEVERITIES:
            totals[s] += c[s]
        totals["parse"] += parse
        totals["crash"] += crashes
        totals["seconds"] += r["seconds"]
        if all_migrations:
            a = r["all_migrations"]["counts"]
            row[7:7] = [str(a["critical"]), str(a["high"]), str(a["medium"])]
            for s in ("critical", "high", "medium"):
                totals["all:" + s] += a[s]
        if report:
            row += [str(len(r.get("unresolved", []))), str(r.get("verdict"))]
            totals["unres"] += len(r.get("unresolved", []))
        rows.append(row)
    total = [
        "TOTAL",
        *(str(totals[s]) for s in SEVERITIES),
        str(sum(totals[s] for s in SEVERITIES)),
    ]
    total += [str(totals["parse"]), str(totals["crash"]), "", f"{totals['seconds']:.1f}"]
    if all_migrations:
        total[7:7] = [str(totals["all:" + s]) for s in ("critical", "high", "medium")]
    if report:
        total += [str(totals["unres"]), ""]
    rows.append(total)
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(fmt(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(fmt(row))


def print_details(results: dict[str, dict[str, Any]]) -> None:
    for name, r in results.items():
        if "missing" in r:
            print(f"\n{name}: {r['missing']}")
            continue
        lines: list[str] = []
        if "crash" in r:
            lines.append(f"  crash (exit {r['exit']}): {r['crash']}")
        for f in r["findings"]:
            if f["rule"] == CRASH_RULE:
                lines.append(f"  KD004 {f['path']}:{f['line']}: {f['message']}")
        for rule, files in sorted(_parse_problems(r["findings"]).items()):
            listed = ", ".join(f"{p} ({n})" if n > 1 else str(p) for p, n in sorted(files.items()))
            lines.append(f"  {rule} in {listed}")
        for u in r.get("unresolved", []):
            lines.append(f"  unresolved {u['label']} at {u['path']}:{u['line']}")
        if lines:
            print(f"\n{name}:")
            print("\n".join(lines))


def keepdata_version(keepdata: str) -> str:
    rc, out, err, _ = _run([keepdata, "--version"], 60)
    return (out or err).strip() if rc == 0 else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="corpus names (default: all)")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--json", type=Path, help="write every repository's findings here")
    parser.add_argument("--keepdata", default=None, help="keepdata executable to run")
    parser.add_argument("--no-report", action="store_true", help="skip the report run")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--quiet", action="store_true", help="table only, no details")
    args = parser.parse_args(argv)
    keepdata = args.keepdata or default_keepdata()
    _, help_text, _, _ = _run([keepdata, "check", "--help"], 60)
    all_migrations = "--all-migrations" in help_text
    dest = args.dest.resolve()
    dest.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    for repo in select(load(), args.names):
        print(f"… {repo.name}", file=sys.stderr, flush=True)
        results[repo.name] = run_repo(
            repo, dest, keepdata, args.timeout, not args.no_report, all_migrations
        )
    print_table(results, all_migrations, not args.no_report)
    if not args.quiet:
        print_details(results)
    if args.json:
        payload = {"keepdata": keepdata_version(keepdata), "repos": results}
        args.json.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
