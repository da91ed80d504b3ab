"""Icons and styles for severities, checklist statuses and verdict levels (theme variables
only, so every theme recolours them)."""

from __future__ import annotations

from textual.content import Content

from analysis.model import Severity

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "bold $text-error",
    Severity.HIGH: "$text-error",
    Severity.MEDIUM: "$text-warning",
    Severity.LOW: "$text-accent",
    Severity.INFO: "$text-muted",
}

STATUS_ICON: dict[str, str] = {
    "pass": "✅",
    "warn": "⚠️",
    "fail": "❌",
    "not-applicable": "➖",
    "unverifiable": "❔",
}

STATUS_STYLE: dict[str, str] = {
    "pass": "$text-success",
    "warn": "$text-warning",
    "fail": "$text-error",
    "not-applicable": "$text-muted",
    "unverifiable": "$text-muted",
}

LEVEL_ICON: dict[str, str] = {
    "SAFE": "✅",
    "SAFE WITH WARNINGS": "⚠️",
    "AT RISK": "❌",
    "UNSAFE": "❌",
    "UNKNOWN": "❔",
}

LEVEL_CLASS: dict[str, str] = {
    "SAFE": "-safe",
    "SAFE WITH WARNINGS": "-warnings",
    "AT RISK": "-at-risk",
    "UNSAFE": "-unsafe",
    "UNKNOWN": "-unsafe",
}


def severity_text(severity: Severity) -> Content:
    return Content.styled(severity.label, SEVERITY_STYLE[severity])


def status_value(status: object) -> str:
    """A checklist status (a StrEnum or a string) as its plain value."""
    return str(getattr(status, "value", status))


def status_icon(status: object) -> str:
    return STATUS_ICON.get(status_value(status), "❔")


def level_value(level: object) -> str:
    return str(getattr(level, "value", level))


def level_icon(level: object) -> str:
    return LEVEL_ICON.get(level_value(level), "❔")


def styled(text: str, style: str = "") -> Content:
    """Plain text as a cell (never parsed as markup: file text may hold brackets)."""
    return Content.styled(text, style) if style else Content(text)
