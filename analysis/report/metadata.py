"""What a report says about itself: when, by which keepdata, of which files and commit.

The timestamp is the only value that changes between two renders of the same analysis; the
git state is read with git's plumbing (bounded by a timeout; the repository's configuration
runs nothing: see `analysis.gitread`), and the file digests are the sha256 of the bytes keepdata read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from analysis import __version__
from analysis.records import dataclass
from analysis.result import Result
from analysis.sources import SourceFile

GIT_TIMEOUT = 2.0
"""Seconds any one `git` call may take before the report goes on without git facts."""


@dataclass(slots=True, frozen=True)
class GitState:
    """The commit the analyzed root is at, and whether its files differ from that commit."""

    commit: str
    dirty: bool
    branch: str | None
    changed: tuple[str, ...]
    """Paths under the root (relative to it) that differ from the commit, sorted."""

    @property
    def short(self) -> str:
        return self.commit[:12]


@dataclass(slots=True, frozen=True)
class FileDigest:
    path: str
    sha256: str
    size: int


@dataclass(slots=True, frozen=True)
class ReportMetadata:
    generated_at: str
    """UTC, ISO 8601 with seconds: `2025-04-10T08:30:00Z`."""
    version: str
    root_label: str
    git: GitState | None
    files: tuple[FileDigest, ...]


def utc_timestamp(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def git_state(root: Path, timeout: float = GIT_TIMEOUT) -> GitState | None:
    """The git commit and dirty state of `root`, or None when it is no git work tree (or
    `git` is missing or too slow). Dirty means: a tracked file under the root differs from
    HEAD or the index, or an untracked, not ignored file lies under the root. Read through
    `analysis.gitread`: the repository's configuration runs nothing (no fsmonitor, filter
    or hook), and keepdata hashes the work-tree files itself."""
    from analysis.gitread import work_tree_state

    state = work_tree_state(root, timeout=timeout)
    if state is None:
        return None
    return GitState(
        commit=state.commit,
        dirty=bool(state.changed),
        branch=state.branch,
        changed=state.changed,
    )


def file_digests(result: Result, read_more: Iterable[SourceFile] = ()) -> tuple[FileDigest, ...]:
    """Every file the run read, and those the report read to quote them, sorted by path."""
    out = {f.path: FileDigest(f.path, f.digest, f.size) for f in result.files}
    for src in read_more:
        out.setdefault(src.path, FileDigest(src.path, src.digest, src.size))
    return tuple(out[p] for p in sorted(out))


def report_metadata(
    result: Result,
    root_label: str,
    now: datetime | None = None,
    *,
    with_git: bool = True,
    read_more: Iterable[SourceFile] = (),
) -> ReportMetadata:
    return ReportMetadata(
        generated_at=utc_timestamp(now),
        version=__version__,
        root_label=root_label,
        git=git_state(result.root) if with_git else None,
        files=file_digests(result, read_more),
    )
