"""`keepdata check` output for CI systems: GitHub workflow annotations, GitLab Code Quality,
JUnit XML, and a per-rule statistics table.

Each takes the findings of one or more analyzed roots as `Located` pairs: the finding and the
path a reader of the CI system sees (the analyzed root as given on the command line joined with
the finding's root-relative path, so annotations land on the right file of the repository).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import Counter
from collections.abc import Iterable, Sequence

from analysis.catalog import BY_ID
from analysis.model import Finding, Severity
from analysis.records import dataclass
from analysis.secrets import safe_text, strip_control


@dataclass(slots=True, frozen=True)
class Located:
    finding: Finding
    path: str
    """The finding's file as the CI system names it (relative to the working directory)."""


def display_path(root_label: str, rel: str) -> str:
    """`rel` (relative to an analyzed root) as seen from where keepdata was started."""
    label = root_label.replace("\\", "/")  # a Windows path typed on the command line
    if label in ("", ".", "./"):
        return rel
    if rel in ("", "."):
        return posixpath.normpath(label)
    return posixpath.normpath(posixpath.join(label, rel))


def located(root_label: str, findings: Iterable[Finding]) -> list[Located]:
    return [Located(f, display_path(root_label, f.location.path)) for f in findings]


def _name(rule: str) -> str:
    r = BY_ID.get(rule)
    return r.name if r else "unknown-rule"


# -- GitHub workflow commands ---------------------------------------------------------------------
_GITHUB_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "notice",
}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(item: Located) -> str:
    """One `::error file=...,line=...::message` workflow command."""
    f = item.finding
    loc = f.location
    props = [f"file={_gh_property(strip_control(item.path))}", f"line={loc.line}"]
    if loc.last_line and loc.last_line != loc.line:
        props.append(f"endLine={loc.last_line}")
    if loc.column and loc.column > 1:
        props.append(f"col={loc.column}")
    title = f"{f.rule} {_name(f.rule)} ({f.severity.label})"
    props.append(f"title={_gh_property(title)}")
    return f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_gh_data(safe_text(f.message))}"


def format_github(items: Sequence[Located]) -> str:
    return "".join(github_annotation(i) + "\n" for i in items)


# -- GitLab Code Quality ---------------------------------------------------------------------------
_GITLAB_SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def _fingerprint(item: Located, seen: Counter[str]) -> str:
    """Stable across runs while the finding stays: rule, file and what it is about (not the
    line number), with a counter for repeats."""
    f = item.finding
    base = f"{f.rule}\0{item.path}\0{f.key or safe_text(f.message)}"
    seen[base] += 1
    return hashlib.md5(f"{base}\0{seen[base]}".encode(), usedforsecurity=False).hexdigest()


def gitlab_report(items: Sequence[Located]) -> list[dict[str, object]]:
    seen: Counter[str] = Counter()
    out: list[dict[str, object]] = []
    for item in items:
        f = item.finding
        out.append(
            {
                "description": f"{f.rule} {_name(f.rule)}: {safe_text(f.message)}",
                "check_name": f.rule,
                "fingerprint": _fingerprint(item, seen),
                "severity": _GITLAB_SEVERITY[f.severity],
                "location": {
                    "path": item.path,
                    "lines": {"begin": f.location.line, "end": f.location.last_line},
                },
            }
        )
    return out


def format_gitlab(items: Sequence[Located]) -> str:
    return json.dumps(gitlab_report(items), indent=2, ensure_ascii=False) + "\n"


# -- JUnit XML ---------------------------------------------------------------------------------------
def format_junit(items: Sequence[Located], files: int) -> str:
    """One test suite; each finding is a failed test case named after its rule and place; a
    run without findings is one passing case, so CI shows that the check ran."""
    from xml.etree import ElementTree as ET

    suites = ET.Element("testsuites", name="keepdata")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="keepdata",
        tests=str(max(1, len(items))),
        failures=str(len(items)),
        errors="0",
        skipped="0",
    )
    if not items:
        ET.SubElement(suite, "testcase", classname="keepdata", name=f"{files} files: no finding")
    for item in items:
        f = item.finding
        loc = f.location
        path = strip_control(item.path)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=path,
            name=f"{f.rule} {_name(f.rule)} at {path}:{loc.line}:{loc.column}",
            file=path,
            line=str(loc.line),
        )
        failure = ET.SubElement(
            case, "failure", message=safe_text(f.message), type=f.severity.label
        )
        failure.text = (
            f"{path}:{loc.line}:{loc.column}: {f.severity.label} {f.rule} "
            f"{_name(f.rule)}: {safe_text(f.message)}"
        )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


# -- statistics -----------------------------------------------------------------------------------------
def format_statistics(findings: Iterable[Finding]) -> str:
    """Findings per rule, most frequent first (as `ruff --statistics`)."""
    found = list(findings)
    counts = Counter(f.rule for f in found)
    sev = {f.rule: f.severity for f in found}
    if not counts:
        return ""
    width = len(str(max(counts.values())))
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{n:>{width}}\t{rule}\t{_name(rule)}\t{sev[rule].label}\n" for rule, n in rows)
