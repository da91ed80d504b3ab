"""Render a snapshot report in one of the formats `keepdata report` offers, and the pieces
the three renderers share (rule help texts, severity order, masking of quoted text)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.catalog import BY_ID
from analysis.engine import Analysis

FORMATS = ("md", "json", "sarif")


@dataclass(slots=True, frozen=True)
class RuleHelp:
    """A rule's documentation as the reports show it: why it matters and how to fix it."""

    id: str
    name: str
    summary: str
    short: str
    rationale: str
    fix: str
    good: str
    good_lang: str
    available: bool
    """False while analysis.rule_texts has no text for the rule (summary only)."""


def _rule_texts_module() -> Any:
    try:
        return importlib.import_module("analysis.rule_texts")
    except ImportError:
        return None


def _text_of(record: Any, *names: str) -> str:
    for name in names:
        value = record.get(name) if isinstance(record, dict) else getattr(record, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def rule_help(rule_id: str) -> RuleHelp:
    """The rationale and fix of a rule from analysis.rule_texts, falling back to the catalog's
    summary where that module (or its entry for the rule) is not there."""
    rule = BY_ID.get(rule_id)
    name = rule.name if rule else "unknown-rule"
    summary = rule.summary if rule else ""
    module = _rule_texts_module()
    record: Any = None
    if module is not None:
        for attr in ("TEXTS", "RULE_TEXTS", "BY_ID", "texts", "_TEXTS"):
            table = getattr(module, attr, None)
            if isinstance(table, Mapping) and rule_id in table:
                record = table[rule_id]
                break
        if record is None:
            for attr in ("rule_text", "text_for", "get"):
                fn = getattr(module, attr, None)
                if callable(fn):
                    try:
                        record = fn(rule_id)
                    except (KeyError, LookupError):
                        record = None
                    if record is not None:
                        break
    rationale = _text_of(record, "rationale", "why") if record is not None else ""
    fix = _text_of(record, "fix", "how_to_fix", "remedy") if record is not None else ""
    short = _text_of(record, "short") if record is not None else ""
    good = _text_of(record, "good") if record is not None else ""
    good_lang = _text_of(record, "good_lang") if record is not None else ""
    return RuleHelp(
        id=rule_id,
        name=name,
        summary=summary,
        short=short,
        rationale=rationale or summary,
        fix=fix,
        good=good,
        good_lang=good_lang or "text",
        available=bool(rationale and fix),
    )


def render(analysis: Analysis, fmt: str, root_label: str, *, now: datetime | None = None) -> str:
    """The report as text: `md` (the seed's shape), `json` (the check contract plus facts,
    checklist and verdict) or `sarif` (SARIF 2.1.0)."""
    if fmt == "md":
        from analysis.report.markdown import render_markdown

        return render_markdown(analysis, root_label, now=now)
    if fmt == "json":
        from analysis.report.json_report import render_json

        return render_json(analysis, root_label, now=now)
    if fmt == "sarif":
        from analysis.report.sarif import render_sarif

        return render_sarif(analysis, root_label, now=now)
    raise ValueError(f"unknown report format {fmt!r} (one of: {', '.join(FORMATS)})")
