"""On a miss, the analysis takes the bytes and folder listings the result cache's key read
(tui.result_cache -> analysis.sources.using_read): every discovered file is read and hashed,
every folder listed, once per run, and the output is that of the files the entry is keyed on,
even when one changes during the run."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

import analysis.sources
import tui.result_cache
from tests.cli.helpers import M, check, mutate

SQL = f"{M}/20240101000000_init/migration.sql"


def test_a_miss_reads_each_file_once(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real = analysis.sources._read_discovered

    def counted(root: Path, rel: str, max_bytes: int) -> bytes | None:
        opened.append(rel)
        return real(root, rel, max_bytes)

    monkeypatch.setattr(analysis.sources, "_read_discovered", counted)
    uncached = check(capsys, "--no-cache", "--format", "json", str(project))
    assert SQL in opened and "docker-compose.yml" in opened
    opened.clear()
    assert check(capsys, "--format", "json", str(project)) == uncached  # a miss
    assert opened == [], "the analysis read again files the key had read"


def test_a_miss_lists_each_folder_once(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed: Counter[str] = Counter()
    real = os.scandir

    def counted(path: str) -> object:
        if str(path).startswith(str(project)):
            listed[str(path)] += 1
        return real(path)

    monkeypatch.setattr(os, "scandir", counted)
    uncached = check(capsys, "--no-cache", "--format", "json", str(project))
    assert listed[f"{project}/{M}"] == 1
    listed.clear()
    assert check(capsys, "--format", "json", str(project)) == uncached  # a miss
    assert listed[f"{project}/{M}"] == 1 and listed.most_common(1)[0][1] == 1, listed


def test_a_file_changed_during_the_run_is_not_cached_stale(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = check(capsys, "--no-cache", "--format", "json", str(project))
    real = tui.result_cache._key

    def then_edit(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        mutate(project, SQL, "", 'DROP TABLE "Old";\n')  # saved while keepdata runs
        return found

    monkeypatch.setattr(tui.result_cache, "_key", then_edit)
    during = check(capsys, "--format", "json", str(project))
    assert during == before, "the run reports the files its key read"
    monkeypatch.setattr(tui.result_cache, "_key", real)
    after = check(capsys, "--format", "json", str(project))
    assert len(analyses) == 3, "the edited file is a miss"
    assert after == check(capsys, "--no-cache", "--format", "json", str(project)) != before
    assert check(capsys, "--format", "json", str(project)) == after and len(analyses) == 4
