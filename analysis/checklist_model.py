"""The checklist's data: items' statuses and evidence, the facts the provers read, and
the proofs they return (see `analysis.checklist`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import field
from enum import StrEnum
from typing import Any

from analysis.engine import Analysis
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


# -- the facts the provers read ---------------------------------------------------------------
FACT_SOURCES: dict[str, tuple[str, str]] = {
    "stacks": ("analysis.facts.compose", "compose_stacks"),
    "databases": ("analysis.facts.databases", "databases"),
    "images": ("analysis.facts.images", "images"),
    "startup": ("analysis.facts.startup", "startup_paths"),
    "schemas": ("analysis.facts.schema", "schemas"),
    "relations": ("analysis.facts.relations", "relation_graphs"),
    "migrations": ("analysis.facts.migrations", "migration_histories"),
    "pending": ("analysis.facts.drift", "pending_changes"),
}
"""Each fact the report reads: (module, function). A module that is not there yet (or a
fact that fails) leaves the fact None, and what depends on it says 'not analyzed yet'."""


@dataclass(slots=True, frozen=True)
class ProjectFacts:
    """The facts of one analysis, each None when it could not be computed."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def missing(self, name: str) -> str:
        err = self.errors.get(name)
        module, fn = FACT_SOURCES[name]
        return f"{fn} ({module}) {err}" if err else f"{fn} ({module}) is not analyzed yet"


def fact_function(name: str) -> Callable[[Any], Any] | None:
    module_name, fn_name = FACT_SOURCES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    fn = getattr(module, fn_name, None)
    return fn if callable(fn) else None


def project_facts(analysis: Analysis) -> ProjectFacts:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FACT_SOURCES:
        fn = fact_function(name)
        if fn is None:
            continue
        try:
            values[name] = analysis.fact(fn)
        except Exception as exc:  # a fact's bug must not take the whole report down
            errors[name] = f"failed: {type(exc).__name__}: {exc}"
    return ProjectFacts(values, errors)


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


Prover = Callable[[ProjectFacts], Proof]


def fact(location: Location | None, text: str) -> Evidence:
    return Evidence(safe_text(text), location)
