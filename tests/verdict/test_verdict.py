"""The verdict's thresholds, the finding that decides it, and the seven areas' rules."""

from __future__ import annotations

import pytest

from analysis.catalog import RULES
from analysis.engine import InternalError, analyze
from analysis.model import Finding, Location, Severity, Suppression
from analysis.verdict import (
    ANALYSIS_RULES,
    AREA_OF,
    AREAS,
    Level,
    level_for,
    verdict_of,
)


def finding(rule: str, severity: Severity, path: str = "docker-compose.yml", line: int = 1):
    return Finding(rule, severity, f"{rule} here", Location(path, line))


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (None, Level.SAFE),
        (Severity.INFO, Level.SAFE),
        (Severity.LOW, Level.SAFE_WITH_WARNINGS),
        (Severity.MEDIUM, Level.SAFE_WITH_WARNINGS),
        (Severity.HIGH, Level.AT_RISK),
        (Severity.CRITICAL, Level.UNSAFE),
    ],
)
def test_thresholds(severity: Severity | None, level: Level) -> None:
    assert level_for(severity) is level
    findings = [] if severity is None else [finding("KD108", severity)]
    assert verdict_of(findings).level is level


def test_the_most_severe_finding_decides_whatever_its_order() -> None:
    low = finding("KD206", Severity.LOW, "a.sh", 1)
    crit = finding("KD101", Severity.CRITICAL, "z.yml", 9)
    high = finding("KD402", Severity.HIGH, "b.yml", 2)
    v = verdict_of([low, crit, high])
    assert v.level is Level.UNSAFE
    assert v.decided_by == crit
    assert "KD101" in v.reason and "z.yml:9" in v.reason
    assert dict(v.counts) == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 1,
        Severity.MEDIUM: 0,
        Severity.LOW: 1,
        Severity.INFO: 0,
    }


def test_suppressed_findings_do_not_count() -> None:
    crit = Finding(
        "KD201",
        Severity.CRITICAL,
        "db push --accept-data-loss",
        Location("start.sh", 3),
        suppressed=Suppression(Location("start.sh", 2), "dev only"),
    )
    v = verdict_of([crit, finding("KD212", Severity.LOW)])
    assert v.level is Level.SAFE_WITH_WARNINGS
    assert v.suppressed == 1
    assert v.decided_by is not None and v.decided_by.rule == "KD212"


def test_only_info_is_safe_but_names_the_finding() -> None:
    v = verdict_of([finding("KD501", Severity.INFO, "prisma/schema.prisma", 41)])
    assert v.level is Level.SAFE
    assert "informational" in v.reason


def test_areas_follow_the_seed_order_and_cover_the_catalog_once() -> None:
    assert [a.title for a in AREAS] == [
        "Database Persistence",
        "Migration Strategy",
        "Prisma Schema Review",
        "Wait Script Safety",
        "Dockerfile Prisma Setup",
        "Volume Mounts",
        "Environment Variables",
    ]
    seen: dict[str, int] = {}
    for area in AREAS:
        for rule in area.rules:
            seen[rule] = seen.get(rule, 0) + 1
    for rule in ANALYSIS_RULES:
        seen[rule] = seen.get(rule, 0) + 1
    assert seen == {r.id: 1 for r in RULES}


def test_area_levels_use_only_their_rules() -> None:
    v = verdict_of(
        [
            finding("KD101", Severity.CRITICAL),
            finding("KD403", Severity.MEDIUM),
            finding("KD001", Severity.HIGH, "Dockerfile"),
        ]
    )
    levels = {a.id: a.level for a in v.areas}
    # a Dockerfile keepdata could not parse: its section is unknown, never safe
    assert levels.pop("dockerfile") is Level.UNKNOWN
    assert levels["persistence"] is Level.UNSAFE
    assert levels["environment"] is Level.SAFE_WITH_WARNINGS
    assert {levels[k] for k in ("schema",)} == {Level.SAFE}
    assert v.area("persistence").decided_by is not None
    assert AREA_OF["KD101"] == "persistence"
    assert "KD001" not in AREA_OF
    # a compose file that could not be read blinds persistence and environment; what was read
    # and is already a risk (UNSAFE) stays
    v = verdict_of([finding("KD101", Severity.CRITICAL), finding("KD001", Severity.HIGH)])
    levels = {a.id: a.level for a in v.areas}
    assert levels["persistence"] is Level.UNSAFE and levels["environment"] is Level.UNKNOWN
    dup = Finding("KD001", Severity.HIGH, "duplicate key 'x' in a mapping", Location("c.yml", 2))
    assert all(a.level is Level.SAFE for a in verdict_of([dup]).areas)


def test_an_internal_error_makes_the_verdict_unknown(write_tree) -> None:
    from dataclasses import replace

    from analysis.engine import internal_error_finding

    root = write_tree({"docker-compose.yml": "services: {}\n"})
    a = analyze(root)
    err = InternalError("schema", "boom", "trace", ("cascade_delete",))
    broken = replace(a, findings=(internal_error_finding(err),), errors=(err,))
    v = verdict_of(broken.findings)
    assert v.level is Level.UNKNOWN
    assert v.decided_by is not None and v.decided_by.rule == "KD004"
    assert "schema/cascade_delete" in v.reason
