"""Run the whole analysis: discover, parse, compute facts, apply rules, post-process."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from analysis.context import Context
from analysis.discover import discover
from analysis.model import Finding, Location, Severity, normalize_findings
from analysis.rules import AREAS

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class AnalyzedFile:
    path: str
    digest: str
    size: int


@dataclass(slots=True, frozen=True)
class InternalError:
    area: str
    message: str
    trace: str


@dataclass(slots=True, frozen=True)
class Analysis:
    root: Path
    findings: tuple[Finding, ...]
    files: tuple[AnalyzedFile, ...]
    errors: tuple[InternalError, ...]
    duration: float
    context: Context

    def fact(self, fn: Callable[[Context], T]) -> T:
        """A fact of this run (computed on first use, then memoized)."""
        return self.context.fact(fn)

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    def counts(self) -> dict[Severity, int]:
        out = {s: 0 for s in Severity}
        for f in self.active:
            out[f.severity] += 1
        return out


def _parse_problems(ctx: Context) -> Iterable[Finding]:
    yield from ctx.read_problems
    for parsed in ctx.parsed_results:
        problems = getattr(parsed, "problems", ())
        if isinstance(problems, tuple):
            yield from problems


def analyze(root: Path | str, settings: Any = None) -> Analysis:
    """Analyze the project at `root`. Never raises for anything found in the project's files."""
    start = time.perf_counter()
    root = Path(root).resolve()
    inventory = discover(root, getattr(settings, "exclude", ()))
    ctx = Context(root, inventory, settings)
    findings: list[Finding] = list(inventory.problems)
    errors: list[InternalError] = []
    for name, check in AREAS:
        try:
            findings.extend(check(ctx))
        except Exception as exc:  # a bug of ours must not hide the other areas' findings
            errors.append(
                InternalError(name, f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
    findings.extend(_parse_problems(ctx))
    post = getattr(settings, "postprocess", None)
    result = normalize_findings(findings)
    if callable(post):
        result = normalize_findings(post(ctx, result))
    files = tuple(
        AnalyzedFile(src.path, src.digest, src.size)
        for src in sorted((s for s in ctx.sources.values() if s is not None), key=lambda s: s.path)
    )
    return Analysis(root, result, files, tuple(errors), time.perf_counter() - start, ctx)


def internal_error_finding(err: InternalError) -> Finding:
    return Finding(
        "KD001",
        Severity.HIGH,
        f"keepdata internal error in {err.area}: {err.message}",
        Location(".", 1),
    )
