"""The checklist's data: items' statuses and evidence, and the proofs the provers return
(see `analysis.checklist`)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from analysis.model import Location, Severity
from analysis.records import dataclass
from analysis.secrets import safe_text


class Section(StrEnum):
    VERIFIED_SAFE = "Verified Safe Operations"
    DOCUMENTED_WARNINGS = "Documented Warnings"
    NO_DANGEROUS = "No Dangerous Operations"


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    UNVERIFIABLE = "unverifiable"


@dataclass(slots=True, frozen=True)
class Evidence:
    """One reason for an item's status: a finding that breaks it, or a fact (a line of a file
    and what it shows) that proves it."""

    text: str
    location: Location | None
    rule: str | None = None
    severity: Severity | None = None

    @property
    def kind(self) -> str:
        return "finding" if self.rule else "fact"


@dataclass(slots=True, frozen=True)
class ChecklistItem:
    id: str
    section: Section
    text: str
    status: Status
    rules: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    reason: str
    """One sentence: why this status (always set for not-applicable and unverifiable)."""

    @property
    def checked(self) -> bool:
        """`[x]` in Markdown: the item holds, or there is nothing it could break on."""
        return self.status in (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(slots=True, frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    def section(self, section: Section) -> tuple[ChecklistItem, ...]:
        return tuple(i for i in self.items if i.section == section)

    def get(self, item_id: str) -> ChecklistItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def counts(self) -> dict[Status, int]:
        out = {s: 0 for s in Status}
        for item in self.items:
            out[item.status] += 1
        return out


# -- proofs ------------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class Proof:
    """What a prover found: `outcome` is pass, warn, not-applicable or unverifiable."""

    outcome: Status
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""


def holds(evidence: Iterable[Evidence], reason: str = "") -> Proof:
    return Proof(Status.PASS, tuple(evidence), reason)


def warns(evidence: Iterable[Evidence], reason: str) -> Proof:
    return Proof(Status.WARN, tuple(evidence), reason)


def not_applicable(reason: str) -> Proof:
    return Proof(Status.NOT_APPLICABLE, (), reason)


def unknown(reason: str, evidence: Iterable[Evidence] = ()) -> Proof:
    return Proof(Status.UNVERIFIABLE, tuple(evidence), reason)


def fact(location: Location | None, text: str) -> Evidence:
    return Evidence(safe_text(text), location)
