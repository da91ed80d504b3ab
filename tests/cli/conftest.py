"""Fixtures of the result-cache tests (tests/cli/test_result_cache.py and its neighbours)."""

from __future__ import annotations

from pathlib import Path

import pytest

import analysis.engine
import analysis.pipeline
from tests.cli.helpers import PROJECT, write


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The roots the analysis really ran on (a hit runs none)."""
    ran: list[Path] = []
    real = analysis.engine.analyze

    def counted(root: Path | str, *args: object, **kwargs: object) -> analysis.engine.Analysis:
        ran.append(Path(root))
        return real(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis.pipeline, "analyze", counted)  # the pipeline's rule stages
    return ran


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    for rel, text in PROJECT.items():
        write(root, rel, text)
    return root
