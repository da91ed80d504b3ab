"""What one analysis run hands to every front end: a frozen `Result` (see `analysis.pipeline`).

Cheap to import on purpose (records only; the types of the facts, the checklist and the
verdict are named for the type checker alone): `keepdata check` and a cached result can hold
one without loading the analysis. Nothing in it is live: no context, no callable, no lazy
computation; `check`, the reports and the inspector read it and compute nothing of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.checklist_model import Checklist
    from analysis.facts.compose import ComposeStack
    from analysis.facts.databases import Database
    from analysis.facts.drift import PendingChanges
    from analysis.facts.images.records import Image
    from analysis.facts.migrations import MigrationHistory
    from analysis.facts.relations import RelationGraph
    from analysis.facts.schema import Schema
    from analysis.facts.startup.records import StartupFacts
    from analysis.grading import Grading
    from analysis.model import Finding, Severity
    from analysis.sources import SourceFile
    from analysis.verdict import Verdict


@dataclass(slots=True, frozen=True)
class AnalyzedFile:
    path: str
    digest: str
    size: int


@dataclass(slots=True, frozen=True)
class InternalError:
    """A keepdata bug met during the run: `area` and `checks` (rule ids, or the names of the
    report's facts) say what it cost (their findings are missing), `fact` names the fact that
    failed when that is the cause."""

    area: str
    message: str
    trace: str
    checks: tuple[str, ...] = ()
    fact: str | None = None

    @property
    def where(self) -> str:
        if self.fact is not None:
            return f"fact {self.fact}"
        return f"{self.area}/{self.checks[0]}" if self.checks else self.area


@dataclass(slots=True, frozen=True)
class Facts:
    """The facts the report and the inspector show, each None when it could not be computed
    (`errors[name]` says why; the analysis also has a KD004 finding for it)."""

    stacks: tuple[ComposeStack, ...] | None = None
    databases: tuple[Database, ...] | None = None
    images: tuple[Image, ...] | None = None
    startup: StartupFacts | None = None
    schemas: tuple[Schema, ...] | None = None
    relations: tuple[RelationGraph, ...] | None = None
    migrations: tuple[MigrationHistory, ...] | None = None
    pending: tuple[PendingChanges, ...] | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    """name -> "function (module)": where each fact comes from (said when one is missing)."""

    NAMES: ClassVar[tuple[str, ...]] = (
        "stacks",
        "databases",
        "images",
        "startup",
        "schemas",
        "relations",
        "migrations",
        "pending",
    )
    """The facts by name, in the report's order (the fields above)."""

    def get(self, name: str) -> object:
        """The fact called `name` (one of NAMES), or None."""
        if name not in self.NAMES:
            raise KeyError(name)
        value: object = getattr(self, name)
        return value

    def values(self) -> dict[str, object]:
        """Every fact that could be computed, by name."""
        return {name: v for name in self.NAMES if (v := self.get(name)) is not None}

    def missing(self, name: str) -> str:
        """Why the fact `name` is None."""
        where = self.origins.get(name, name)
        err = self.errors.get(name)
        return f"{where} {err}" if err else f"{where} is not analyzed yet"


@dataclass(slots=True, frozen=True)
class Result:
    """One analysis, finished: every stage's output, nothing left to compute."""

    root: Path
    findings: tuple[Finding, ...]
    """Every finding, sorted, suppressed ones included (`suppressed` set), internal errors
    (KD004) among them."""
    facts: Facts
    checklist: Checklist
    verdict: Verdict
    files: tuple[AnalyzedFile, ...]
    """Every file the run read, sorted by path."""
    sources: Mapping[str, SourceFile]
    """The text of each file in `files`, by path (for quoting and fingerprints)."""
    unread: tuple[str, ...]
    """Files the run tried to read and could not (a KD002 finding says why), sorted."""
    probed: frozenset[str]
    """Paths whose existence or kind the run asked about (the result cache checks them)."""
    listed: frozenset[str]
    """Folders the run listed (the result cache checks them)."""
    errors: tuple[InternalError, ...]
    grading: Grading | None
    """How migrations were graded (the history base, or why not); None when grading failed."""
    duration: float

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    def counts(self) -> dict[Severity, int]:
        from analysis.model import Severity

        out = {s: 0 for s in Severity}
        for f in self.active:
            out[f.severity] += 1
        return out
