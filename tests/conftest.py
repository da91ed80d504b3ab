from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

# Hermetic: the examples live in keepdata's own git repository, whose state (a shallow CI
# clone, an edited work tree, the branch) must not change what they report. Every migration is
# graded as new (as `--all-migrations` does); tests of history grading build their own
# repositories and unset this (tests/grading/test_grading_history.py).
os.environ["KEEPDATA_ALL_MIGRATIONS"] = "1"
# The result cache of `check` (tui.result_cache) lives in a temporary folder, never in the
# user's ~/.cache; every test gets its own (below), so no test sees another's entries.
os.environ["KEEPDATA_CACHE_DIR"] = tempfile.mkdtemp(prefix="keepdata-test-cache-")


@pytest.fixture(autouse=True)
def _own_result_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KEEPDATA_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))


@pytest.fixture
def write_tree(tmp_path: Path):
    """Create a project tree from {relative path: text} and return its root."""

    def make(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        base = root or tmp_path
        for rel, content in files.items():
            p = base / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content)
        return base

    return make


_FOLDED = re.compile(r"^(KD\d{3}) \((critical|high|medium|low|info)\b")


def with_folded(findings: Iterable[Any]) -> list[Any]:
    """`findings` plus those that grading folded into another one ("one problem, one
    finding"): each related location whose message starts with `KDnnn (severity...)` stands
    for the folded finding (its related locations: the finding it joined and that one's)."""
    from analysis.model import Finding, Related, Severity

    out = list(findings)
    for f in list(out):
        for r in f.related:
            m = _FOLDED.match(r.message)
            if m:
                related = (Related(f.location, f.rule), *f.related)
                out.append(
                    Finding(m.group(1), Severity.parse(m.group(2)), r.message, r.location, related)
                )
    return out
