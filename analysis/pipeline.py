"""The one pipeline: `run(root, settings, select)` -> a frozen `Result`.

discover -> parse -> facts -> rules (`analysis.engine`, each rule behind its own error
boundary) -> grading -> suppression (always) -> internal errors -> the narrowing the
settings ask for (`--select`/`--ignore`, the files a change touched) -> the named facts ->
checklist -> verdict. Every front end (`keepdata check`, the reports, the inspector) reads the
`Result` and computes nothing of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from analysis.checklist import checklist_of
from analysis.context import Context
from analysis.engine import analyze
from analysis.facts.named import NAMED_FACTS
from analysis.model import Finding, normalize_findings
from analysis.result import AnalyzedFile, Facts, Result
from analysis.settings import Settings
from analysis.verdict import verdict_of

T = TypeVar("T")


def run(
    root: Path | str, settings: Settings | None = None, select: Iterable[str] | None = None
) -> Result:
    """Analyze the project at `root` and finish every stage. Never raises for anything found
    in the project's files; a keepdata bug is a critical KD004 finding and an `InternalError`
    (the verdict reads UNKNOWN), never silence.

    `settings` None: the defaults (no keepdata.toml read; `analysis.settings.load` reads it).
    `select` (rule ids) runs only those rules and keeps only their findings (and KD004)."""
    start = time.perf_counter()
    settings = settings if settings is not None else Settings()
    analysis = analyze(root, settings, select)
    findings = narrow(analysis.findings, settings)
    if settings.problems:
        findings = normalize_findings([*findings, *settings.problems])
    facts = named_facts(analysis.context)
    sources = {p: s for p, s in sorted(analysis.context.sources.items()) if s is not None}
    checklist = checklist_of(findings, facts, sources)
    files = tuple(AnalyzedFile(s.path, s.digest, s.size) for s in sources.values())
    return Result(
        root=analysis.root,
        findings=findings,
        facts=facts,
        checklist=checklist,
        verdict=verdict_of(findings),
        files=files,
        sources=sources,
        unread=tuple(sorted(p for p, s in analysis.context.sources.items() if s is None)),
        probed=analysis.context.probed,
        listed=analysis.context.listed,
        errors=analysis.errors,
        grading=analysis.grading,
        duration=time.perf_counter() - start,
    )


def narrow(findings: tuple[Finding, ...], settings: Settings) -> tuple[Finding, ...]:
    """The findings the run reports: those the selection wants (`--select`, `--ignore`), and
    with `only_paths` (`--since`, `--staged`) those located in a touched file or naming one as
    a related location. An internal error (KD004) always stays."""
    chosen = settings.selection
    kept = chosen.apply(findings) if chosen is not None else findings
    touched = settings.only_paths
    if touched is not None:
        from analysis.selection import ALWAYS_SHOWN

        kept = tuple(
            f
            for f in kept
            if f.rule in ALWAYS_SHOWN
            or f.location.path in touched
            or any(r.location.path in touched for r in f.related)
        )
    return kept


def named_facts(ctx: Context) -> Facts:
    """The facts the report and the inspector show (`analysis.facts.named`; the engine ran
    them under the rules' error boundary: a failed one is None here, its reason in `errors`,
    and the run has a KD004 finding for it)."""
    errors: dict[str, str] = {}
    names = {fn: name for name, fn in NAMED_FACTS.items()}

    def get(fn: Callable[[Context], T]) -> T | None:
        try:
            return ctx.fact(fn)
        except Exception as exc:  # already an InternalError and a KD004 finding of the run
            errors[names[fn]] = f"failed: {type(exc).__name__}: {exc}"
            return None

    return Facts(
        stacks=get(NAMED_FACTS["stacks"]),
        databases=get(NAMED_FACTS["databases"]),
        images=get(NAMED_FACTS["images"]),
        startup=get(NAMED_FACTS["startup"]),
        schemas=get(NAMED_FACTS["schemas"]),
        relations=get(NAMED_FACTS["relations"]),
        migrations=get(NAMED_FACTS["migrations"]),
        pending=get(NAMED_FACTS["pending"]),
        errors=errors,
        origins={name: f"{fn.__name__} ({fn.__module__})" for name, fn in NAMED_FACTS.items()},
    )
