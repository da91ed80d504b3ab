"""`keepdata check` output: linter-style text lines and the JSON contract (version 1)."""

from __future__ import annotations

import json
from typing import Any

from analysis.catalog import BY_ID
from analysis.model import Finding, Severity
from analysis.result import Result
from analysis.secrets import safe_text
from analysis.terminal import terminal_line


def rule_name(rule_id: str) -> str:
    r = BY_ID.get(rule_id)
    return r.name if r else "unknown-rule"


def format_line(f: Finding) -> str:
    """One line per finding; the path and the message are stripped of terminal control
    sequences (a file name can hold ESC ] 0 ; ... BEL) and of line breaks."""
    loc = f.location
    where = terminal_line(loc.path)
    message = terminal_line(safe_text(f.message))
    return f"{where}:{loc.line}:{loc.column}: {f.severity.label} {f.rule} {rule_name(f.rule)}: {message}"


def summary_counts(analysis: Result) -> dict[str, int]:
    counts = analysis.counts()
    return {s.label: counts[s] for s in sorted(Severity, reverse=True)}


def summary_line(analysis: Result) -> str:
    counts = summary_counts(analysis)
    total = sum(counts.values())
    parts = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
    suppressed = sum(1 for f in analysis.findings if f.suppressed is not None)
    tail = f" ({suppressed} suppressed)" if suppressed else ""
    noun = "finding" if total == 1 else "findings"
    return (
        f"{total} {noun}"
        + (f": {parts}" if parts else "")
        + f" in {len(analysis.files)} files{tail}"
    )


def format_text(analysis: Result) -> str:
    lines = [format_line(f) for f in analysis.active]
    lines.append(summary_line(analysis))
    return "\n".join(lines) + "\n"


def finding_json(f: Finding) -> dict[str, Any]:
    loc = f.location
    out: dict[str, Any] = {
        "rule": f.rule,
        "name": rule_name(f.rule),
        "severity": f.severity.label,
        "path": loc.path,
        "line": loc.line,
        "end_line": loc.last_line,
        "column": loc.column,
        "message": safe_text(f.message),
        "related": [
            {"path": r.location.path, "line": r.location.line, "message": safe_text(r.message)}
            for r in f.related
        ],
    }
    if f.history:
        out["history"] = True
    if f.context is not None:
        out["context"] = f.context
    if f.suppressed is not None:
        src = f.suppressed.source
        out["suppressed"] = {
            "reason": safe_text(f.suppressed.reason),
            "path": src.path if src else None,
            "line": src.line if src else None,
        }
    return out


def check_json(analysis: Result, root_label: str) -> dict[str, Any]:
    return {
        "version": 1,
        "root": root_label,
        "findings": [finding_json(f) for f in analysis.findings],
        "summary": {
            **summary_counts(analysis),
            "total": len(analysis.active),
            "suppressed": sum(1 for f in analysis.findings if f.suppressed is not None),
            "files": len(analysis.files),
        },
        "migrations": migrations_json(analysis),
    }


def migrations_json(analysis: Result) -> dict[str, Any] | None:
    """How migrations were graded: the base of the applied history, or why every migration
    was graded as new (None: the project has no migrations)."""
    base = analysis.grading.history if analysis.grading is not None else None
    if base is None:
        return None
    return {
        "base": base.commit,
        "base_label": base.label or None,
        "history": len(base.history),
        "new": len(base.new),
        "edited": [p for p, _ in base.edited],
        "note": base.note,
        "summary": base.summary,
    }


_JSON_TERMINAL_ESCAPES = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}
"""DEL and the C1 controls (U+0080..U+009F, CSI is U+009B), which json.dumps leaves raw with
ensure_ascii=False, as \\u escapes: the JSON means the same and a terminal shows it safely."""


def json_for_terminal(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) with DEL and C1 escaped: the same
    JSON, safe to print on a terminal (json.dumps escapes C0 itself)."""
    return text.translate(_JSON_TERMINAL_ESCAPES)


def format_json(analysis: Result, root_label: str) -> str:
    """The JSON contract; paths stay exact (escaped by JSON), so the output is safe to print
    on a terminal."""
    text = json.dumps(check_json(analysis, root_label), indent=2, ensure_ascii=False)
    return json_for_terminal(text) + "\n"


def exit_code(analysis: Result, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    return 1 if any(f.severity >= threshold for f in analysis.active) else 0
