"""The result cache keys on what history grading reads of git (HEAD, the default branch
candidates, the index), not on every ref: in a repository shared by several worktrees, a
commit on another branch leaves a cached `check` valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.gitread import DEFAULT_BRANCHES
from tests.cli.helpers import check, git, write
from tui.result_cache import GRADING_REFS

M = "prisma/migrations"


def test_the_refs_are_those_grading_reads() -> None:
    assert GRADING_REFS == DEFAULT_BRANCHES


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def test_a_commit_on_another_branch_is_a_hit(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)
    git(project, "init", "-q", "-b", "feature")
    commit_all(project, "init")
    git(project, "branch", "main")
    first = check(capsys, "--format", "json", str(project))
    assert len(analyses) == 1
    # another engineer's worktree of the same repository commits on its own branch
    other = tmp_path / "other"
    git(project, "worktree", "add", "-q", "-b", "side", str(other))
    write(other, "notes.md", "side work\n")
    commit_all(other, "side")
    git(project, "tag", "v1")
    git(project, "pack-refs", "--all")
    assert check(capsys, "--format", "json", str(project)) == first
    assert len(analyses) == 1, "refs grading does not read changed: still a hit"
    # the default branch moves: the merge-base may move, so the run analyzes again
    git(other, "checkout", "-q", "main")
    write(
        other, f"{M}/20240201000000_drop/migration.sql", 'ALTER TABLE "User" DROP COLUMN "name";\n'
    )
    commit_all(other, "drop on main")
    check(capsys, "--format", "json", str(project))
    assert len(analyses) == 2
    # a commit on the checked-out branch moves HEAD
    write(project, "notes.md", "here\n")
    commit_all(project, "here")
    check(capsys, "--format", "json", str(project))
    assert len(analyses) == 3


def test_with_base_every_ref_counts(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    analyses: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "init")
    git(project, "tag", "release")
    check(capsys, "--base", "release", "--format", "json", str(project))
    git(project, "tag", "-f", "release", "HEAD")  # same commit, rewritten ref file
    write(project, "x.md", "x\n")
    commit_all(project, "x")
    git(project, "tag", "-f", "release", "HEAD")  # --base names a moved tag
    check(capsys, "--base", "release", "--format", "json", str(project))
    assert len(analyses) == 2
