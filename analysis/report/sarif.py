"""SARIF 2.1.0 output: one run, the whole rule catalog as the driver's rules, one result per
finding (suppressed ones carry `suppressions`), for code-scanning services and IDE viewers.

Locations are relative URIs under the `%SRCROOT%` base: the git repository's work tree when
the analyzed root lies inside one (so code scanning places them on the repository's files),
else the analyzed root. Each rule carries `security-severity` (GitHub code scanning's
critical/high/medium/low scale). Each result has a
`partialFingerprints` entry computed from the rule, the file, the text of the flagged line and
the finding's key (or its message without numbers), so the same problem keeps its fingerprint
when lines are added above it or the project is analyzed again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analysis import __version__
from analysis.model import Finding, Location, Related, Severity
from analysis.report.metadata import report_metadata
from analysis.report.render import rule_help
from analysis.result import Result
from analysis.rules.registry import RULES
from analysis.secrets import safe_text
from analysis.sources import SourceFile

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "keepdataFindingHash/v1"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
"""SARIF `level` of a keepdata severity (SARIF has no finer scale; `properties.severity`
keeps keepdata's own)."""

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
"""`properties.security-severity` of a severity: GitHub reads over 9.0 as critical, 7.0-8.9
high, 4.0-6.9 medium, 0.1-3.9 low. Info findings carry none (they are no security alert)."""

RULE_INDEX: dict[str, int] = {r.id: i for i, r in enumerate(RULES)}

_NUMBERS = re.compile(r"\d+")


def _uri(path: str) -> str:
    return quote(path, safe="/-._~!$&'()*+,;=:@")


def _first_sentence(text: str) -> str:
    m = re.search(r"(?<=[a-z0-9`)\]])[.:;](\s|$)", text)
    sentence = text[: m.start() + 1] if m else text
    return sentence.rstrip(":;").strip() or text


def _region(loc: Location) -> dict[str, int]:
    region = {"startLine": max(1, loc.line), "startColumn": max(1, loc.column)}
    region["endLine"] = max(region["startLine"], loc.last_line)
    return region


def _physical(loc: Location, prefix: str = "") -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": _uri(prefix + loc.path), "uriBaseId": SRCROOT},
        "region": _region(loc),
    }


def repository_prefix(root: Path) -> tuple[str, Path | None]:
    """(the analyzed root's path inside its git work tree plus "/", or "" at the top; the work
    tree) — ("", None) outside git. Read from the file system, no git call."""
    from analysis.gitread import git_dir_of

    found = git_dir_of(root)
    if found is None:
        return "", None
    top = found[0]
    try:
        rel = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return "", None
    return ("" if rel in ("", ".") else rel + "/"), top


def rule_descriptor(rule_id: str) -> dict[str, Any]:
    rule = RULES[RULE_INDEX[rule_id]]
    help_ = rule_help(rule_id)
    fix_text = help_.fix or "See the rule's description."
    help_text = f"{help_.rationale}\n\nFix: {fix_text}"
    help_md = (
        f"**{rule.id} {rule.name}** ({rule.severity.label}, {rule.area})\n\n"
        f"{help_.rationale}\n\n**Fix:** {fix_text}"
    )
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": help_.short or _first_sentence(rule.summary)},
        "fullDescription": {"text": rule.summary},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [rule.area, "data-safety"],
            "severity": rule.severity.label,
            **(
                {"security-severity": SECURITY_SEVERITY[rule.severity]}
                if rule.severity in SECURITY_SEVERITY
                else {}
            ),
        },
    }


def _line_text(sources: Mapping[str, SourceFile], loc: Location) -> str:
    src = sources.get(loc.path)
    if src is None:
        return ""
    lines = src.text.splitlines()
    if 1 <= loc.line <= len(lines):
        return " ".join(lines[loc.line - 1].split())
    return ""


def fingerprint_base(sources: Mapping[str, SourceFile], f: Finding) -> str:
    """What identifies a finding across runs: not its line number (lines move), but the rule,
    the file, the content of the flagged line and what the finding is about."""
    about = f.key or _NUMBERS.sub("#", safe_text(f.message))
    material = "\0".join((f.rule, f.location.path, _line_text(sources, f.location), about))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _suppression(f: Finding, prefix: str) -> list[dict[str, Any]]:
    s = f.suppressed
    if s is None:
        return []
    kind = "inSource" if s.source is not None and s.source.path == f.location.path else "external"
    out: dict[str, Any] = {"kind": kind, "status": "accepted"}
    if s.reason:
        out["justification"] = safe_text(s.reason)
    if s.source is not None:
        out["location"] = {"physicalLocation": _physical(s.source, prefix)}
    return [out]


def _related(related: tuple[Related, ...], prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "physicalLocation": _physical(r.location, prefix),
            "message": {"text": safe_text(r.message) or "related location"},
        }
        for i, r in enumerate(related, start=1)
    ]


def sarif_log(analysis: Result, root_label: str, now: datetime | None = None) -> dict[str, Any]:
    meta = report_metadata(analysis, root_label, now)
    findings = list(analysis.findings)
    sources = analysis.sources
    prefix, top = repository_prefix(analysis.root)
    seen: Counter[str] = Counter()
    results: list[dict[str, Any]] = []
    for f in findings:
        base = fingerprint_base(sources, f)
        seen[base] += 1
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": RULE_INDEX.get(f.rule, -1),
            "level": LEVELS[f.severity],
            "message": {"text": safe_text(f.message)},
            "locations": [{"physicalLocation": _physical(f.location, prefix)}],
            "partialFingerprints": {FINGERPRINT_KEY: f"{base}:{seen[base]}"},
            "properties": {"severity": f.severity.label},
        }
        if f.severity in SECURITY_SEVERITY:
            result["properties"]["security-severity"] = SECURITY_SEVERITY[f.severity]
        if f.related:
            result["relatedLocations"] = _related(f.related, prefix)
        if f.suppressed is not None:
            result["suppressions"] = _suppression(f, prefix)
        results.append(result)
    run_props: dict[str, Any] = {"root": root_label, "rootInRepository": prefix.rstrip("/") or "."}
    if meta.git is not None:
        run_props["git"] = {
            "commit": meta.git.commit,
            "dirty": meta.git.dirty,
            "branch": meta.git.branch,
        }
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "keepdata",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(r.id) for r in RULES],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not analysis.errors,
                "endTimeUtc": meta.generated_at,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": safe_text(f"{e.where}: {e.message}")}}
                    for e in analysis.errors
                ],
            }
        ],
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": (
                        f"the git repository's work tree (the analyzed root {root_label} is "
                        f"{prefix.rstrip('/') or 'its top'})"
                    )
                    if top is not None
                    else f"the analyzed project root ({root_label})"
                }
            }
        },
        "artifacts": [
            {
                "location": {"uri": _uri(prefix + d.path), "uriBaseId": SRCROOT},
                "length": d.size,
                "hashes": {"sha-256": d.sha256},
            }
            for d in meta.files
        ],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": run_props,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(analysis: Result, root_label: str, now: datetime | None = None) -> str:
    return json.dumps(sarif_log(analysis, root_label, now), indent=2, ensure_ascii=False) + "\n"
