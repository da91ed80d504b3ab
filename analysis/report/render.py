"""Render a snapshot report in one of the formats `keepdata report` offers, and the pieces
the three renderers share (rule help texts, severity order, masking of quoted text)."""

from __future__ import annotations

from datetime import datetime

from analysis.catalog import BY_ID
from analysis.records import dataclass
from analysis.result import Result
from analysis.rule_texts import TEXTS

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
    """False when analysis.rule_texts has no text for the rule (summary only)."""


def rule_help(rule_id: str) -> RuleHelp:
    """The rationale, fix and good example of a rule (analysis.rule_texts), falling back to
    the catalog's summary for a rule without a text."""
    rule = BY_ID.get(rule_id)
    text = TEXTS.get(rule_id)
    summary = rule.summary if rule else ""
    return RuleHelp(
        id=rule_id,
        name=rule.name if rule else "unknown-rule",
        summary=summary,
        short=text.short if text else "",
        rationale=(text.rationale if text else "") or summary,
        fix=text.fix if text else "",
        good=text.good if text else "",
        good_lang=(text.good_lang if text else "") or "text",
        available=text is not None,
    )


def render(
    analysis: Result,
    fmt: str,
    root_label: str,
    *,
    now: datetime | None = None,
    full: bool = False,
) -> str:
    """The report as text: `md` (the seed's shape; compact enough for a pull-request comment
    unless `full`), `json` (the check contract plus facts, checklist and verdict) or `sarif`
    (SARIF 2.1.0)."""
    if fmt == "md":
        from analysis.report.markdown import render_markdown

        return render_markdown(analysis, root_label, now=now, full=full)
    if fmt == "json":
        from analysis.report.json_report import render_json

        return render_json(analysis, root_label, now=now)
    if fmt == "sarif":
        from analysis.report.sarif import render_sarif

        return render_sarif(analysis, root_label, now=now)
    raise ValueError(f"unknown report format {fmt!r} (one of: {', '.join(FORMATS)})")
