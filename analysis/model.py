"""The records every part of the analysis shares: locations, severities, findings."""

from __future__ import annotations

from dataclasses import field, replace
from enum import IntEnum

from analysis.records import dataclass


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None

    def lower(self, levels: int = 1) -> Severity:
        return Severity(max(Severity.INFO, self - levels))


@dataclass(slots=True, frozen=True, order=True)
class Location:
    """A place in a file: `path` is relative to the analyzed root, POSIX form; lines from 1."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def last_line(self) -> int:
        return self.end_line if self.end_line is not None else self.line


@dataclass(slots=True, frozen=True)
class Related:
    """Another place that makes a finding matter, with why."""

    location: Location
    message: str


@dataclass(slots=True, frozen=True)
class Suppression:
    """Why a finding is not counted: an inline comment or a config entry."""

    source: Location | None
    reason: str


@dataclass(slots=True, frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    location: Location
    related: tuple[Related, ...] = ()
    suppressed: Suppression | None = None
    # Optional stable discriminator for findings of the same rule at the same place.
    key: str = field(default="", compare=False)
    # Grading (analysis.grading): a finding about an applied migration of the history, and
    # the context (development/test) of its file when that is not production.
    history: bool = field(default=False, compare=False)
    context: str | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.message)

    @property
    def identity(self) -> tuple[str, str, int, str]:
        """What makes two findings 'the same' across re-analyses (for diffs in the TUI)."""
        return (self.rule, self.location.path, self.location.line, self.message)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)


def normalize_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Sort by path, line, column, rule and message, and drop exact duplicates."""
    seen: set[tuple[str, str, int, int, str]] = set()
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        k = (f.rule, f.location.path, f.location.line, f.location.column, f.message)
        if k in seen:
            continue
        seen.add(k)
        out.append(f)
    return tuple(out)
