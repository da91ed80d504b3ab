"""Test support: a pipeline `Result` with planted findings or facts (the checklist and the
verdict recomputed from them, as the pipeline would), and files read into it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from analysis.checklist import checklist_of
from analysis.model import Finding, normalize_findings
from analysis.result import AnalyzedFile, Facts, Result
from analysis.sources import read_source
from analysis.verdict import verdict_of


def with_findings(
    result: Result,
    findings: Iterable[Finding] | None = None,
    *,
    read: Iterable[str] = (),
    facts: Facts | None = None,
) -> Result:
    """`result` with these findings (or its own) and facts, and the files `read` (paths
    relative to its root) listed and readable as if the run had read them."""
    sources = dict(result.sources)
    for path in read:
        src = read_source(result.root, path).source
        if src is not None:
            sources[path] = src
    sources = dict(sorted(sources.items()))
    found = normalize_findings(list(findings)) if findings is not None else result.findings
    facts = facts if facts is not None else result.facts
    return replace(
        result,
        findings=found,
        facts=facts,
        checklist=checklist_of(found, facts, sources),
        verdict=verdict_of(found),
        sources=sources,
        files=tuple(AnalyzedFile(s.path, s.digest, s.size) for s in sources.values()),
    )
