"""Run the whole analysis: discover, parse, compute facts, apply rules, post-process."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from analysis.context import Context, FactError
from analysis.discover import discover
from analysis.facts.named import NAMED_FACTS
from analysis.gc_pause import gc_paused
from analysis.grading import Grading, grade
from analysis.model import Finding, Location, Severity, normalize_findings
from analysis.parse_problems import parse_findings
from analysis.records import dataclass
from analysis.result import AnalyzedFile, InternalError
from analysis.rules.registry import BY_ID, RULES, reads_any
from analysis.settings import Settings
from analysis.suppress import postprocess

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class Analysis:
    root: Path
    findings: tuple[Finding, ...]
    files: tuple[AnalyzedFile, ...]
    errors: tuple[InternalError, ...]
    duration: float
    context: Context
    grading: Grading | None = None
    """How migrations were graded (history base, or why not); None when grading failed."""

    def fact(self, fn: Callable[[Context], T]) -> T:
        """A fact of this run (computed on first use, then memoized)."""
        return self.context.fact(fn)

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)


def _parse_problems(ctx: Context) -> Iterable[Finding]:
    yield from ctx.read_problems
    yield from parse_findings(ctx.parsed_results)


def _run_checks(
    ctx: Context, select: frozenset[str] | None = None
) -> tuple[list[Finding], list[InternalError]]:
    """Every rule's check (or the `select`ed rules') of the areas the project has files for,
    each behind its own error boundary (importing the check's module is inside it too); then
    the named facts (the report and the inspector read them), behind the same boundary. A fact
    that fails (e.g. a pass several rules share) is one error naming every rule that needed
    it."""
    findings: list[Finding] = []
    errors: list[InternalError] = []
    by_fact: dict[int, int] = {}

    def record(area: str, check: str, exc: Exception) -> None:
        if isinstance(exc, FactError):
            at = by_fact.get(id(exc))
            if at is not None:
                old = errors[at]
                if check not in old.checks:
                    errors[at] = InternalError(
                        old.area, old.message, old.trace, (*old.checks, check), old.fact
                    )
                return
            by_fact[id(exc)] = len(errors)
            cause = exc.cause
            errors.append(
                InternalError(
                    area, f"{type(cause).__name__}: {cause}", exc.trace, (check,), exc.fact
                )
            )
            return
        errors.append(
            InternalError(area, f"{type(exc).__name__}: {exc}", traceback.format_exc(), (check,))
        )

    kinds = ctx.kinds
    wanted: dict[str, bool] = {}
    with gc_paused():
        for rule in RULES:
            if select is not None and rule.id not in select:
                continue
            area = rule.area
            if area not in wanted:
                wanted[area] = reads_any(area, kinds)
            if not wanted[area]:  # no file the area reads: its checks are not even imported
                continue
            try:
                check = rule.run  # imports the rule's module on first use
                if check is not None:
                    findings.extend(check(ctx))
            except Exception as exc:  # the one boundary: a bug becomes a KD004 finding
                record(rule.area, rule.id, exc)
        for name, fn in NAMED_FACTS.items():
            try:
                ctx.fact(fn)
            except Exception as exc:
                record("facts", name, exc)
    return findings, errors


def analyze(
    root: Path | str, settings: Settings | None = None, select: Iterable[str] | None = None
) -> Analysis:
    """The rule stages of the pipeline (`analysis.pipeline.run` finishes them): discover,
    parse, facts, every rule, grading, suppression (always: `settings` None is the defaults),
    internal errors. Never raises for anything found in the project's files; a keepdata bug
    is an `InternalError` and a critical KD004 finding, never silence. The `Analysis` keeps
    the run's live context (for tests and the rule harness); front ends read the `Result`.

    `select` (rule ids) runs only those rules and keeps only their findings (and KD004: an
    internal error is never hidden); None runs every rule."""
    start = time.perf_counter()
    root = Path(root).resolve()
    settings = settings if settings is not None else Settings()
    inventory = discover(root, settings.exclude)
    ctx = Context(root, inventory, settings)
    findings: list[Finding] = list(inventory.problems)
    chosen = _selection(select)
    checked, errors = _run_checks(ctx, chosen)
    findings.extend(checked)
    findings.extend(_parse_problems(ctx))
    grading: Grading | None = None
    try:
        findings, grading = grade(ctx, findings)
    except Exception as exc:  # a grading bug is an internal error, never silence
        errors.append(
            InternalError("grading", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        )
    if chosen is not None:
        findings = [f for f in findings if f.rule in chosen]
    result = normalize_findings(postprocess(ctx, normalize_findings(findings)))
    if errors:  # after suppression: an internal error cannot be ignored
        result = normalize_findings([*result, *(internal_error_finding(e) for e in errors)])
    files = tuple(
        AnalyzedFile(src.path, src.digest, src.size)
        for src in sorted((s for s in ctx.sources.values() if s is not None), key=lambda s: s.path)
    )
    return Analysis(root, result, files, tuple(errors), time.perf_counter() - start, ctx, grading)


INTERNAL_ERROR = "KD004"


def _selection(select: Iterable[str] | None) -> frozenset[str] | None:
    if select is None:
        return None
    chosen = frozenset(s.strip().upper() for s in ([select] if isinstance(select, str) else select))
    unknown = sorted(chosen - set(BY_ID))
    if unknown:
        raise ValueError(f"unknown rule id: {', '.join(unknown)} (see `keepdata rules`)")
    return chosen


def internal_error_finding(err: InternalError) -> Finding:
    """The finding that makes an internal error visible in every output."""
    if err.fact is not None:
        lost = ", ".join(err.checks)
        what = f"fact {err.fact} failed ({err.message}); rules that needed it did not run: {lost}"
    else:
        what = f"rule {err.where} failed ({err.message}); its findings are missing"
    return Finding(
        INTERNAL_ERROR,
        Severity.CRITICAL,
        f"keepdata internal error: {what}. The verdict is UNKNOWN; please report this bug",
        Location(".", 1),
    )
