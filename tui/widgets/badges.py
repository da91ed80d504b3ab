"""Icons and styles for severities, checklist statuses and verdict levels (theme variables
only, so every theme recolours them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from analysis.model import Severity

if TYPE_CHECKING:
    from analysis.checklist_model import Status
    from analysis.verdict import Level

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "bold $text-error",
    Severity.HIGH: "$text-error",
    Severity.MEDIUM: "$text-warning",
    Severity.LOW: "$text-accent",
    Severity.INFO: "$text-muted",
}

STATUS_ICON: dict[str, str] = {
    "pass": "✓",
    "warn": "!",
    "fail": "✗",
    "not-applicable": "-",
    "unverifiable": "?",
}
"""One cell wide everywhere: no emoji (their width differs between Rich and terminals, and
between terminals), no East Asian ambiguous characters (two cells in CJK locales)."""

STATUS_STYLE: dict[str, str] = {
    "pass": "$text-success",
    "warn": "$text-warning",
    "fail": "$text-error",
    "not-applicable": "$text-muted",
    "unverifiable": "$text-muted",
}

LEVEL_ICON: dict[str, str] = {
    "SAFE": "✓",
    "SAFE WITH WARNINGS": "!",
    "AT RISK": "✗",
    "UNSAFE": "✖",
    "UNKNOWN": "?",
}

WATCH_ICON: dict[str, str] = {
    "watching": "►",
    "paused": "||",
    "error": "✖",
    "starting": "-",
    "off": "-",
    "gone": "✖",
}

LINE_MARK = "►"
"""The code view's mark on the lines a finding points at, and the drill-down's current place."""

LEVEL_CLASS: dict[str, str] = {
    "SAFE": "-safe",
    "SAFE WITH WARNINGS": "-warnings",
    "AT RISK": "-at-risk",
    "UNSAFE": "-unsafe",
    "UNKNOWN": "-unsafe",
}


def severity_text(severity: Severity) -> Content:
    return Content.styled(severity.label, SEVERITY_STYLE[severity])


def status_value(status: Status | str) -> str:
    """A checklist status (a StrEnum or a string) as its plain value (a StrEnum's str())."""
    return str(status)


def status_icon(status: Status | str) -> str:
    return STATUS_ICON.get(status_value(status), "?")


def level_value(level: Level | str) -> str:
    """A verdict level (a StrEnum or a string) as its plain value (a StrEnum's str())."""
    return str(level)


def level_icon(level: Level | str) -> str:
    return LEVEL_ICON.get(level_value(level), "?")


def marks() -> frozenset[str]:
    """Every status mark the inspector draws (for the width test)."""
    return frozenset([*STATUS_ICON.values(), *LEVEL_ICON.values(), *WATCH_ICON.values(), LINE_MARK])


def styled(text: str, style: str = "") -> Content:
    """Plain text as a cell (never parsed as markup: file text may hold brackets)."""
    return Content.styled(text, style) if style else Content(text)
