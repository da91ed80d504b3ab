#!/usr/bin/env python3
"""The keepdata GitHub Action's logic, runnable on any machine with Python 3.

    INPUT_PATH=examples/risky-app python3 .github/actions/keepdata/run.py

1. install keepdata into a virtual environment (from this checkout of the action, or the
   `version` input: a version number from PyPI, or any pip requirement such as a git URL),
   unless KEEPDATA_BIN names a keepdata command to use as it is;
2. run `keepdata check` on the `path` input(s) with `fail-on`, `format` and `args`, its
   output going to the log (with no `format`, under GitHub Actions: text plus workflow
   annotations);
3. with `sarif` = true or upload, write the SARIF log (`sarif-file`) for code scanning;
4. write a job summary to $GITHUB_STEP_SUMMARY (the verdict, each section's status, the counts
   and the top findings) and outputs to $GITHUB_OUTPUT (exit-code, verdict, findings,
   sarif-file);
5. exit with `keepdata check`'s exit code (0 clean, 1 findings at or above fail-on, 2 usage
   error or incomplete analysis).

Inputs come from INPUT_* environment variables (action.yml maps them). Standard library only.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ACTION_ROOT = HERE.parent.parent.parent
"""The keepdata checkout the action runs from (`.github/actions/keepdata/../../..`)."""

FORMATS = ("", "text", "json", "sarif", "github", "gitlab", "junit")
FAIL_LEVELS = ("", "critical", "high", "medium", "low", "info", "never")
SEVERITIES = ("critical", "high", "medium", "low", "info")
TOP = 10
"""Findings listed in the job summary."""
MESSAGE_CHARS = 280


class InputError(Exception):
    """An input the action cannot use: reported as a usage error (exit 2)."""


# -- inputs -----------------------------------------------------------------------------------
def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def flag(name: str, default: str = "false") -> bool:
    value = env(name, default).lower()
    if value in ("true", "yes", "1", "on"):
        return True
    if value in ("false", "no", "0", "off", ""):
        return False
    raise InputError(
        f"{name.removeprefix('INPUT_').lower()}: expected true or false, not {value!r}"
    )


def read_inputs() -> dict[str, Any]:
    paths = env("INPUT_PATH", ".").split() or ["."]
    fail_on = env("INPUT_FAIL_ON").lower()
    if fail_on not in FAIL_LEVELS:
        raise InputError(f"fail-on: {fail_on!r} is not one of {', '.join(FAIL_LEVELS[1:])}")
    fmt = env("INPUT_FORMAT").lower()
    if fmt not in FORMATS:
        raise InputError(f"format: {fmt!r} is not one of {', '.join(FORMATS[1:])}")
    sarif = env("INPUT_SARIF", "false").lower()
    if sarif not in ("true", "false", "upload", ""):
        raise InputError(f"sarif: expected true, false or upload, not {sarif!r}")
    return {
        "paths": paths,
        "fail_on": fail_on,
        "format": fmt,
        "sarif": sarif in ("true", "upload"),
        "sarif_file": env("INPUT_SARIF_FILE", "keepdata.sarif") or "keepdata.sarif",
        "summary": flag("INPUT_SUMMARY", "true"),
        "args": shlex.split(env("INPUT_ARGS")),
        "version": env("INPUT_VERSION"),
    }


# -- installing keepdata ----------------------------------------------------------------------
def install_requirement(version: str, action_root: Path = ACTION_ROOT) -> str:
    """What pip installs: the action's own checkout, `keepdata==X` for a version number, or
    the input as it is (a git URL, `keepdata>=1,<2`, a path)."""
    if not version:
        return str(action_root)
    if re.fullmatch(r"v?\d+(\.\d+)*([a-z]+\d*)?(\.(post|dev)\d+)?", version):
        return f"keepdata=={version.removeprefix('v')}"
    return version


def venv_bin(venv: Path, name: str) -> Path:
    return (
        venv
        / ("Scripts" if os.name == "nt" else "bin")
        / (name + (".exe" if os.name == "nt" else ""))
    )


def install(version: str) -> list[str]:
    """Install keepdata into a fresh virtual environment; the command that runs it."""
    given = env("KEEPDATA_BIN")
    if given:
        return shlex.split(given)
    base = Path(env("RUNNER_TEMP") or tempfile.gettempdir())
    venv = base / "keepdata-venv"
    requirement = install_requirement(version)
    print(f"::group::Install keepdata ({requirement})", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv_bin(venv, "python")), "-m", "pip", "install", "--disable-pip-version-check"]
        subprocess.run([*pip, "--quiet", requirement], check=True)
    finally:
        print("::endgroup::", flush=True)
    return [str(venv_bin(venv, "keepdata"))]


# -- running keepdata -------------------------------------------------------------------------
def check_command(keepdata: list[str], inputs: dict[str, Any], fmt: str) -> list[str]:
    cmd = [*keepdata, "check", *inputs["paths"]]
    if fmt:
        cmd += ["--format", fmt]
    if inputs["fail_on"]:
        cmd += ["--fail-on", inputs["fail_on"]]
    return cmd + inputs["args"]


_VALUE_OPTIONS = ("-o", "--output", "--format")
_DROPPED = ("--statistics", "-q", "--quiet")
_REPORT_OPTIONS = ("--config", "--base")


def internal_args(args: list[str]) -> tuple[list[str], list[str]]:
    """The user's `args` for the JSON run of `check` (without options that change where or
    what it prints) and for `report` (only --config and --base)."""
    for_check: list[str] = []
    for_report: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        name = a.split("=", 1)[0]
        takes_value = "=" not in a
        if name in _VALUE_OPTIONS:
            i += 2 if takes_value else 1
            continue
        if name in _DROPPED:
            i += 1
            continue
        if name in _REPORT_OPTIONS:
            chunk = args[i : i + (2 if takes_value else 1)]
            for_report += chunk
            for_check += chunk
            i += len(chunk)
            continue
        for_check.append(a)
        i += 1
    return for_check, for_report


def run_json(cmd: list[str]) -> tuple[Any, str]:
    """The JSON a keepdata command prints (None when it printed none), and its stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    try:
        return json.loads(proc.stdout), proc.stderr
    except ValueError:
        return None, proc.stderr or proc.stdout


# -- the job summary --------------------------------------------------------------------------
def cell(text: object, limit: int = MESSAGE_CHARS) -> str:
    """Text safe in a Markdown table cell: HTML escaped, one line, `|` escaped, shortened."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return html.escape(s, quote=False).replace("|", "\\|")


def shown_path(root: str, rel: str) -> str:
    root = root.replace("\\", "/")
    if root in ("", "."):
        return rel
    return posixpath.normpath(posixpath.join(root, rel))


def file_link(path: str, line: int) -> str:
    """`path:line`, linked to the file at this commit when GitHub's variables say where."""
    label = f"{cell(path, 120)}:{line}"
    server, repo, sha = env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_SHA")
    if not (server and repo and sha) or path.startswith(("/", "../")):
        return f"`{label}`"
    quoted = "/".join(_quote(p) for p in path.split("/"))
    return f"[`{label}`]({server}/{repo}/blob/{sha}/{quoted}#L{line})"


def _quote(part: str) -> str:
    from urllib.parse import quote

    return quote(part, safe="@._-~+")


def roots_of(doc: object) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    return list(doc["roots"]) if "roots" in doc else [doc]


def summary_markdown(
    check_doc: object,
    reports: dict[str, Any],
    exit_code: int,
    fail_on: str,
    problems: str = "",
    sarif_file: str | None = None,
) -> str:
    """The job summary: verdict per root, section statuses, counts and the top findings."""
    out = ["## keepdata", ""]
    roots = roots_of(check_doc)
    if not roots:
        out += [
            f"**keepdata could not analyze the project** (exit code {exit_code}).",
            "",
            "```",
            problems.strip()[-4000:] or "(no output)",
            "```",
            "",
        ]
        return "\n".join(out)
    findings: list[tuple[str, dict[str, Any]]] = []
    for root in roots:
        label = str(root.get("root", "."))
        report = reports.get(label) or {}
        verdict = report.get("verdict") or {}
        level = verdict.get("level", "UNKNOWN")
        out.append(f"### `{cell(label, 200)}`: {_badge(level)} {cell(level, 40)}")
        out.append("")
        if verdict.get("reason"):
            out += [cell(verdict["reason"], 500), ""]
        areas = verdict.get("areas") or []
        if areas:
            out += ["| Section | Status |", "|---|---|"]
            for area in areas:
                status = str(area.get("level", ""))
                out.append(
                    f"| {cell(area.get('title', area.get('id', '')), 80)} | "
                    f"{_badge(status)} {cell(status, 40)} |"
                )
            out.append("")
        s = root.get("summary", {})
        counts = ", ".join(f"{s.get(k, 0)} {k}" for k in SEVERITIES if s.get(k))
        total = s.get("total", 0)
        line = f"**{total} finding{'s' if total != 1 else ''}**"
        line += f" ({counts})" if counts else ""
        line += f" in {s.get('files', 0)} files"
        if s.get("suppressed"):
            line += f"; {s['suppressed']} suppressed"
        out += [line + ".", ""]
        for f in root.get("findings", []):
            if not f.get("suppressed"):
                findings.append((label, f))
    threshold = fail_on or "fail-on (keepdata.toml's, else high)"
    meaning = {
        0: f"no finding at or above {threshold}",
        1: f"findings at or above {threshold}",
        2: "usage error, or the analysis is incomplete",
    }.get(exit_code, "unexpected")
    out += [f"`keepdata check` exit code: **{exit_code}** ({meaning}).", ""]
    if findings:
        rank = {sev: i for i, sev in enumerate(SEVERITIES)}
        findings.sort(
            key=lambda lf: (
                rank.get(str(lf[1].get("severity")), 9),
                shown_path(lf[0], lf[1]["path"]),
                lf[1].get("line", 0),
            )
        )
        top = findings[:TOP]
        out += [f"#### Top findings ({len(top)} of {len(findings)})", ""]
        out += ["| Severity | Rule | Where | What |", "|---|---|---|---|"]
        for label, f in top:
            sev = str(f.get("severity", ""))
            where = file_link(shown_path(label, str(f["path"])), int(f.get("line", 1)))
            out.append(
                f"| {_badge(sev)} {cell(sev, 20)} | {cell(f.get('rule', ''), 10)} "
                f"`{cell(f.get('name', ''), 60)}` | {where} | {cell(f.get('message', ''))} |"
            )
        out.append("")
        if len(findings) > TOP:
            out.append(
                f"{len(findings) - TOP} more in the workflow log and annotations"
                + (f", and in `{cell(sarif_file, 200)}`" if sarif_file else "")
                + ". `keepdata explain RULE` says why each rule matters and how to fix it."
            )
            out.append("")
    if problems.strip():
        out += [
            "<details><summary>keepdata said on stderr</summary>",
            "",
            "```",
            problems.strip()[-4000:],
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(out)


_BADGES = {
    "critical": "🔴",
    "high": "🟠",
    "medium": "🟡",
    "low": "🔵",
    "info": "⚪",
    "UNSAFE": "🔴",
    "AT RISK": "🟠",
    "SAFE WITH WARNINGS": "🟡",
    "SAFE": "🟢",
}


def _badge(level: str) -> str:
    return _BADGES.get(level, "⚪")


def append(path_var: str, text: str) -> None:
    target = env(path_var)
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)


def set_outputs(values: dict[str, str]) -> None:
    lines = []
    for key, value in values.items():
        value = value.replace("\r", " ").replace("\n", " ")
        lines.append(f"{key}={value}\n")
    append("GITHUB_OUTPUT", "".join(lines))


# -- the whole step ---------------------------------------------------------------------------
def main() -> int:
    try:
        inputs = read_inputs()
    except InputError as err:
        print(f"::error title=keepdata action::{err}", flush=True)
        return 2
    try:
        keepdata = install(inputs["version"])
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"::error title=keepdata action::could not install keepdata: {err}", flush=True)
        set_outputs({"exit-code": "2", "verdict": "UNKNOWN", "findings": "0", "sarif-file": ""})
        return 2
    sys.stdout.flush()
    code = subprocess.run(check_command(keepdata, inputs, inputs["format"])).returncode

    sarif_file = None
    if inputs["sarif"]:
        sarif_file = inputs["sarif_file"]
        sarif_args = internal_args(inputs["args"])[0]
        cmd = check_command(keepdata, {**inputs, "args": sarif_args}, "sarif")
        cmd += ["--exit-zero", "-q", "-o", sarif_file]
        subprocess.run(cmd)
        if not Path(sarif_file).is_file():
            sarif_file = None

    check_args, report_args = internal_args(inputs["args"])
    json_inputs = {**inputs, "fail_on": "", "args": [*check_args, "--exit-zero"]}
    check_doc, problems = run_json(check_command(keepdata, json_inputs, "json"))
    reports: dict[str, Any] = {}
    for root in roots_of(check_doc):
        label = str(root.get("root", "."))
        report, _ = run_json([*keepdata, "report", label, "--format", "json", *report_args])
        if isinstance(report, dict):
            reports[label] = report

    levels = [str((r.get("verdict") or {}).get("level", "UNKNOWN")) for r in reports.values()]
    order = ["UNSAFE", "AT RISK", "UNKNOWN", "SAFE WITH WARNINGS", "SAFE"]
    verdict = (
        min(levels, key=lambda v: order.index(v) if v in order else 2) if levels else "UNKNOWN"
    )
    if code == 2:
        verdict = "UNKNOWN"
    total = sum(int(r.get("summary", {}).get("total", 0)) for r in roots_of(check_doc))
    if inputs["summary"]:
        append(
            "GITHUB_STEP_SUMMARY",
            summary_markdown(check_doc, reports, code, inputs["fail_on"], problems, sarif_file)
            + "\n",
        )
    set_outputs(
        {
            "exit-code": str(code),
            "verdict": verdict,
            "findings": str(total),
            "sarif-file": sarif_file or "",
        }
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
