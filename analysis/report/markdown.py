"""`keepdata report --format md`: the seed's "Prisma Data Safety - Verification Report",
computed. Every claim names the file and line it comes from; configuration is quoted from the
files themselves (secrets masked); the result renders on GitHub (balanced fences, Mermaid).

Sections, in the seed's order: title and metadata, Configuration Review Summary (seven
areas), Potential Issues & Mitigations (findings, critical first), Data Safety Checklist,
Final Verdict, Test Scenarios (for this project's services, volumes and scripts), the
relations diagram, and the files analyzed with their sha256.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from analysis.report.markdown_areas import summary_section
from analysis.report.markdown_doc import (
    COMMENT_LIMIT,
    FULL_HINT,
    GENERATED_PREFIX,
    Doc,
    code,
    esc,
    fence,
)
from analysis.report.markdown_scenarios import scenarios_section
from analysis.report.markdown_sections import (
    checklist_section,
    files_section,
    header_section,
    issues_section,
    relations_section,
    verdict_section,
)
from analysis.report.metadata import report_metadata
from analysis.result import Result

BODY_SECTIONS: tuple[Callable[[Doc], list[str]], ...] = (
    summary_section,
    issues_section,
    checklist_section,
    verdict_section,
    scenarios_section,
    relations_section,
)
"""Between the header and the file list, in the seed's order."""


def build_doc(
    analysis: Result, root_label: str, now: datetime | None = None, *, full: bool = False
) -> Doc:
    return Doc(
        analysis=analysis,
        facts=analysis.facts,
        verdict=analysis.verdict,
        checklist=analysis.checklist,
        meta=report_metadata(analysis, root_label, now),
        sources=dict(analysis.sources),
        full=full,
    )


def render_markdown(
    analysis: Result, root_label: str, now: datetime | None = None, *, full: bool = False
) -> str:
    """The report in the seed's shape. Without `full`, at most COMMENT_LIMIT characters: each
    finding once, the top ones per issue, counts for the rest; sections that still do not fit
    give way (file list, diagram, scenarios first), each replaced by a line saying so."""
    doc = build_doc(analysis, root_label, now, full=full)
    parts: list[tuple[str, list[str]]] = []
    for section in BODY_SECTIONS:
        name = section.__name__.removesuffix("_section").replace("_", " ")
        try:
            parts.append((name, section(doc)))
        except Exception as exc:  # a section's bug must not lose the rest of the report
            parts.append(
                (name, [f"_The {name} section failed to render: {esc(type(exc).__name__)}._", ""])
            )
    # The file list last: quoting may have read a file no fact had read yet.
    doc.meta = report_metadata(analysis, root_label, now, read_more=doc.read_more)
    parts = [("header", header_section(doc)), *parts, ("files analyzed", files_section(doc))]
    if not full:
        parts = _fit(parts, COMMENT_LIMIT)
    lines = [line for _, section in parts for line in section]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


_GIVE_WAY = ("files analyzed", "relations", "scenarios", "checklist", "summary", "issues")
"""Sections replaced by a one-line note, in this order, while the compact report is too long."""


def _fit(parts: list[tuple[str, list[str]]], limit: int) -> list[tuple[str, list[str]]]:
    def size(ps: list[tuple[str, list[str]]]) -> int:
        return sum(len(line) + 1 for _, section in ps for line in section)

    out = list(parts)
    for victim in _GIVE_WAY:
        if size(out) <= limit:
            break
        out = [
            (
                name,
                [
                    section[0],
                    "",
                    f"_This section does not fit a pull-request comment: {FULL_HINT}._",
                    "",
                ]
                if name == victim and section
                else section,
            )
            for name, section in out
        ]
    return out


__all__ = [
    "COMMENT_LIMIT",
    "GENERATED_PREFIX",
    "build_doc",
    "code",
    "esc",
    "fence",
    "render_markdown",
]
