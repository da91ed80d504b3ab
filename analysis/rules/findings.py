"""The finding every area's checks build: the rule's catalog severity unless told otherwise."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.catalog import BY_ID
from analysis.model import Finding, Location, Related, Severity


def finding(
    rule: str,
    message: str,
    location: Location,
    related: Iterable[Related] = (),
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        rule,
        severity if severity is not None else BY_ID[rule].severity,
        message,
        location,
        tuple(related),
    )
