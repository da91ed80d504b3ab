"""`keepdata report` through the result cache (tui.result_cache): a hit writes what the
analysis would, byte for byte (its time stamp is the time of the run that prints it), and a
change to a file, to git's state or to the options is a miss."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import tui.result_cache
from tests.cli.helpers import git, mutate
from tests.conftest import EXAMPLES
from tui.cli import main

NOW = "2031-02-03T04:05:06Z"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str, int]:
    capsys.readouterr()
    code = main(["report", *argv])
    got = capsys.readouterr()
    return got.out, got.err, code


@pytest.fixture
def risky(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / "risky-app", tmp_path / "risky-app"))


@pytest.mark.parametrize("fmt", ["md", "json", "sarif"])
def test_a_report_hit_is_the_report(
    fmt: str,
    risky: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tui.result_cache, "_utc_now", lambda: NOW)
    cold = report(capsys, "--format", fmt, str(risky))
    assert len(analyses) == 1 and cold[2] == 0
    cached = report(capsys, "--format", fmt, str(risky))
    assert len(analyses) == 1, "the second run read the cache"
    uncached = report(capsys, "--no-cache", "--format", fmt, str(risky))
    assert len(analyses) == 2
    assert len(STAMP.findall(cold[0])) == len(STAMP.findall(uncached[0])) == 1
    # byte for byte, but for when each run was made: the hit says when it ran
    assert STAMP.findall(cached[0]) == [NOW]
    assert cached[0] == STAMP.sub(NOW, cold[0], count=1)
    assert STAMP.sub(NOW, uncached[0], count=1) == cached[0]
    assert cold[1:] == cached[1:] == uncached[1:]


def test_report_to_a_file_from_the_cache(
    risky: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tui.result_cache, "_utc_now", lambda: NOW)
    out = tmp_path / "r.md"
    argv = ["-o", f"{tmp_path}/./r.md", str(risky)]
    first = report(capsys, *argv)
    text = out.read_text()
    out.unlink()
    assert report(capsys, *argv) == first == ("", f"wrote {tmp_path}/./r.md\n", 0)
    assert len(analyses) == 1
    assert out.read_text() == STAMP.sub(NOW, text, count=1)


def test_report_misses_on_edits_git_and_options(
    risky: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
) -> None:
    base = report(capsys, "--format", "json", str(risky))
    report(capsys, "--format", "json", "--full", str(risky))  # an option of its own
    assert len(analyses) == 2
    mutate(risky, "docker-compose.yml", "postgres", "postgres ")
    report(capsys, "--format", "json", str(risky))
    assert len(analyses) == 3
    git(risky, "init", "-q", "-b", "main")
    git(risky, "add", "-A")
    git(risky, "commit", "-qm", "init")
    committed = report(capsys, "--format", "json", str(risky))
    assert len(analyses) == 4 and '"commit": "' in committed[0]
    again = report(capsys, "--format", "json", str(risky))
    assert STAMP.sub(NOW, again[0]) == STAMP.sub(NOW, committed[0]) and again[1:] == committed[1:]
    assert len(analyses) == 4
    (risky / "notes.txt").write_text("an untracked file: the work tree is dirty now\n")
    dirty = report(capsys, "--format", "json", str(risky))
    assert len(analyses) == 5, "the report lists the changed paths: a new one is a miss"
    assert '"notes.txt"' in dirty[0] and base[2] == 0
