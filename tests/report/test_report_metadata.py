"""Report metadata: timestamp format, git commit and dirty state, file digests."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from analysis.pipeline import run
from analysis.report.metadata import git_state, report_metadata, utc_timestamp
from tests.report.results import with_findings

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_timestamp_is_utc_iso_seconds() -> None:
    moment = datetime(2025, 4, 10, 10, 30, 5, 999, tzinfo=timezone(timedelta(hours=2)))
    assert utc_timestamp(moment) == "2025-04-10T08:30:05Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_timestamp())
    assert utc_timestamp(datetime(2025, 1, 1, tzinfo=UTC)).endswith("T00:00:00Z")


def test_not_a_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    # tmp_path may sit inside a repository on some machines; a fresh nested folder with its
    # own ceiling keeps the answer honest only when git is absent there.
    state = git_state(tmp_path)
    if state is not None:
        pytest.skip("the temporary folder lies inside a git work tree")
    assert state is None


@needs_git
def test_git_commit_and_dirty_state(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "docker-compose.yml").write_text("services: {}\n")
    (repo / "other.txt").write_text("x\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "init")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()

    clean = git_state(repo / "app")
    assert clean is not None
    assert clean.commit == head and not clean.dirty and clean.changed == ()

    (repo / "other.txt").write_text("changed outside the analyzed root\n")
    assert git_state(repo / "app").dirty is False  # type: ignore[union-attr]

    (repo / "app" / "docker-compose.yml").write_text("services:\n  db: {}\n")
    (repo / "app" / "new.sh").write_text("echo\n")
    dirty = git_state(repo / "app")
    assert dirty is not None and dirty.dirty
    assert dirty.changed == ("docker-compose.yml", "new.sh")


def test_file_digests_are_sha256_of_the_bytes_sorted(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
            "Dockerfile": "FROM node:20\n",
        }
    )
    a = with_findings(run(root), read=("docker-compose.yml", "Dockerfile"))
    meta = report_metadata(a, "proj", with_git=False)
    paths = [d.path for d in meta.files]
    assert paths == sorted(paths) and "docker-compose.yml" in paths
    for d in meta.files:
        data = (root / d.path).read_bytes()
        assert d.sha256 == hashlib.sha256(data).hexdigest() and d.size == len(data)
