"""The verdict: one word for the whole project, and one for each of the report's seven areas.

Thresholds (over the findings that are not suppressed):

| worst finding | verdict               |
|---------------|-----------------------|
| critical      | UNSAFE                |
| high          | AT RISK               |
| medium, low   | SAFE WITH WARNINGS    |
| info, none    | SAFE                  |

An internal error of keepdata (KD004) makes the verdict UNKNOWN, whatever else was found.
A section whose files keepdata could not parse (KD001, KD002, KD505, KD612) reads UNKNOWN
unless what was read already makes it AT RISK or UNSAFE (`analysis.grading.unknown`).

The finding that decides it is the most severe one of the production files (ties: the first
in path/line order), so the report can say *why*; findings of development or test files
(`Finding.context`, see `analysis.grading.contexts`) decide only when no production finding
is above info. Each area gets the same thresholds over the findings of its rules;
`AREAS` says which rules belong to which area: each rule's record names its section. Rules of the analysis itself (KD0xx:
a file keepdata could not parse or read) count for the overall verdict but belong to no area:
a project keepdata could not read cannot be called safe.
"""

from __future__ import annotations

from enum import StrEnum

from analysis.engine import INTERNAL_ERROR
from analysis.model import Finding, Severity
from analysis.records import dataclass
from analysis.rules.registry import RULES


class Level(StrEnum):
    SAFE = "SAFE"
    SAFE_WITH_WARNINGS = "SAFE WITH WARNINGS"
    AT_RISK = "AT RISK"
    UNSAFE = "UNSAFE"
    UNKNOWN = "UNKNOWN"
    """keepdata failed on part of the analysis (KD004): what was not analyzed cannot be
    called safe or unsafe."""

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def slug(self) -> str:
        return self.value.lower().replace(" ", "-")


_RANK = {
    Level.SAFE: 0,
    Level.SAFE_WITH_WARNINGS: 1,
    Level.AT_RISK: 2,
    Level.UNSAFE: 3,
    Level.UNKNOWN: 4,
}


def level_for(severity: Severity | None) -> Level:
    """The verdict a worst finding of `severity` gives (None: no finding)."""
    if severity is None or severity == Severity.INFO:
        return Level.SAFE
    if severity == Severity.CRITICAL:
        return Level.UNSAFE
    if severity == Severity.HIGH:
        return Level.AT_RISK
    return Level.SAFE_WITH_WARNINGS


@dataclass(slots=True, frozen=True)
class AreaSpec:
    id: str
    title: str
    rules: tuple[str, ...]


AREAS: tuple[AreaSpec, ...] = tuple(
    AreaSpec(section, title, tuple(r.id for r in RULES if r.section == section))
    for section, title in (
        ("persistence", "Database Persistence"),
        ("migrations", "Migration Strategy"),
        ("schema", "Prisma Schema Review"),
        ("wait-script", "Wait Script Safety"),
        ("dockerfile", "Dockerfile Prisma Setup"),
        ("volume-mounts", "Volume Mounts"),
        ("environment", "Environment Variables"),
    )
)
"""The seed report's seven sections, in its order, each with the rules that decide it (each
rule names its section in its registry record)."""

ANALYSIS_RULES: tuple[str, ...] = tuple(r.id for r in RULES if r.section is None)
"""Rules about keepdata's own reading of the project: they count only for the overall verdict."""

AREA_OF: dict[str, str] = {rule: area.id for area in AREAS for rule in area.rules}


@dataclass(slots=True, frozen=True)
class AreaVerdict:
    id: str
    title: str
    level: Level
    rules: tuple[str, ...]
    findings: tuple[Finding, ...]
    """The unsuppressed findings of the area's rules, most severe first."""
    decided_by: Finding | None

    @property
    def counts(self) -> dict[Severity, int]:
        out = {s: 0 for s in Severity}
        for f in self.findings:
            out[f.severity] += 1
        return out


@dataclass(slots=True, frozen=True)
class Verdict:
    level: Level
    decided_by: Finding | None
    """The most severe unsuppressed finding (None when there is none)."""
    areas: tuple[AreaVerdict, ...]
    counts: tuple[tuple[Severity, int], ...]
    """Unsuppressed findings per severity, critical first."""
    suppressed: int

    @property
    def reason(self) -> str:
        f = self.decided_by
        if f is None:
            return "no finding"
        if f.rule == INTERNAL_ERROR:
            return f"keepdata failed on part of the analysis ({f.rule}): {f.message}"
        if f.severity == Severity.INFO:
            return f"only informational findings (first: {f.rule} at {f.location.path}:{f.location.line})"
        return f"{f.severity.label} finding {f.rule} at {f.location.path}:{f.location.line}"

    def area(self, area_id: str) -> AreaVerdict:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)


def by_severity(findings: tuple[Finding, ...] | list[Finding]) -> tuple[Finding, ...]:
    """Most severe first; within a severity, in path/line order (findings arrive sorted)."""
    return tuple(sorted(findings, key=lambda f: (-int(f.severity), f.sort_key)))


def _decide(findings: tuple[Finding, ...]) -> tuple[Level, Finding | None]:
    failed = next((f for f in findings if f.rule == INTERNAL_ERROR), None)
    if failed is not None:
        return Level.UNKNOWN, failed
    ordered = by_severity(findings)
    # Production first: a finding of a development or test file (`Finding.context`) decides
    # only when no production finding is above info.
    production = next(
        (f for f in ordered if f.context is None and f.severity > Severity.INFO), None
    )
    worst = production or (ordered[0] if ordered else None)
    return level_for(worst.severity if worst else None), worst


def verdict_of(findings: tuple[Finding, ...] | list[Finding]) -> Verdict:
    """The verdict of a set of findings (suppressed ones are counted, never decisive)."""
    active = tuple(f for f in findings if f.suppressed is None)
    level, worst = _decide(active)
    areas: list[AreaVerdict] = []
    from analysis.grading.unknown import PARSE_RULES, unparsed_for

    for spec in AREAS:
        rules = set(spec.rules)
        mine = by_severity([f for f in active if f.rule in rules])
        area_level, area_worst = _decide(mine)
        blind = unparsed_for(spec.rules, active)
        if blind is not None:  # a section keepdata could not read is unknown...
            known, _ = _decide(tuple(f for f in mine if f.rule not in PARSE_RULES))
            if known.rank < Level.AT_RISK.rank:  # ...unless what it read is already a risk
                area_level, area_worst = Level.UNKNOWN, blind
        areas.append(AreaVerdict(spec.id, spec.title, area_level, spec.rules, mine, area_worst))
    counts = tuple(
        (s, sum(1 for f in active if f.severity == s)) for s in sorted(Severity, reverse=True)
    )
    return Verdict(
        level=level,
        decided_by=worst,
        areas=tuple(areas),
        counts=counts,
        suppressed=len(findings) - len(active),
    )
