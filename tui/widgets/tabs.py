"""The pane tabs' labels: in full when they fit the tab bar, shortened when they do not (the
drill-down open beside the panes, a side terminal), so the bar never scrolls a label out of
sight. The number keeps its place in front: it is the key that shows the pane."""

from __future__ import annotations

FULL = ("1 Overview", "2 Volumes", "3 Migrations", "4 Relations", "5 Findings")
SHORT = ("1 Overview", "2 Volumes", "3 Migr.", "4 Rel.", "5 Find.")
TINY = ("1 Over.", "2 Vol.", "3 Migr.", "4 Rel.", "5 Find.")
TAB_PADDING = 2
"""Cells a Tab adds around its label (Textual's `padding: 0 1`)."""


def tab_labels(width: int, findings: int | None) -> tuple[str, ...]:
    """The labels for a tab bar `width` cells wide; the Findings tab says how many."""
    count = "" if findings is None else f" ({findings})"
    for labels in (FULL, SHORT, TINY):
        shown = (*labels[:-1], labels[-1] + count)
        if sum(len(label) + TAB_PADDING for label in shown) <= width:
            return shown
    return (*TINY[:-1], TINY[-1] + count)
