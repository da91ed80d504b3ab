"""Render a snapshot report in one of the formats `keepdata report` offers."""

from __future__ import annotations

from analysis.engine import Analysis
from analysis.report.check_output import format_json


def render(analysis: Analysis, fmt: str, root_label: str) -> str:
    # Markdown and SARIF arrive with the report issue; JSON is the check contract until then.
    if fmt == "json":
        return format_json(analysis, root_label)
    raise ValueError(f"report format {fmt!r} is not available yet")
