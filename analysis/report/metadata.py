"""What a report says about itself: when, by which keepdata, of which files and commit.

The timestamp is the only value that changes between two renders of the same analysis; the
git state is read with the `git` binary (bounded by a timeout, never a hook or a project
script), and the file digests are the sha256 of the bytes keepdata read.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis import __version__
from analysis.engine import Analysis

GIT_TIMEOUT = 2.0
"""Seconds any one `git` call may take before the report goes on without git facts."""

INFORMATION_URI = "https://github.com/keepdata/keepdata"
"""Where a reader of a SARIF log or a report learns what keepdata is."""


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


def _git(root: Path, *args: str, timeout: float) -> str | None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k in ("GIT_CONFIG_NOSYSTEM",)
    }
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    try:
        out = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout


def git_state(root: Path, timeout: float = GIT_TIMEOUT) -> GitState | None:
    """The git commit and dirty state of `root`, or None when it is no git work tree (or
    `git` is missing or too slow). Dirty means: a tracked file under the root differs from
    HEAD or the index, or an untracked, not ignored file lies under the root."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree", timeout=timeout)
    if inside is None or inside.strip() != "true":
        return None
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD", timeout=timeout)
    if head is None or not head.strip():
        return None
    branch_out = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD", timeout=timeout)
    prefix = (_git(root, "rev-parse", "--show-prefix", timeout=timeout) or "").strip()
    status = _git(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        ".",
        timeout=timeout,
    )
    changed: list[str] = []
    if status is not None:
        for entry in status.split("\0"):
            if len(entry) > 3:
                path = entry[3:]
                changed.append(path[len(prefix) :] if path.startswith(prefix) else path)
    return GitState(
        commit=head.strip(),
        dirty=bool(changed) if status is not None else True,
        branch=branch_out.strip() or None if branch_out is not None else None,
        changed=tuple(sorted(set(changed))),
    )


def file_digests(analysis: Analysis) -> tuple[FileDigest, ...]:
    """Every file the analysis read, sorted by path: the rules' files and those the facts
    behind the report read afterwards (compute the facts first)."""
    out = {f.path: FileDigest(f.path, f.digest, f.size) for f in analysis.files}
    for src in analysis.context.sources.values():
        if src is not None and src.path not in out:
            out[src.path] = FileDigest(src.path, src.digest, src.size)
    return tuple(out[p] for p in sorted(out))


def report_metadata(
    analysis: Analysis, root_label: str, now: datetime | None = None, *, with_git: bool = True
) -> ReportMetadata:
    return ReportMetadata(
        generated_at=utc_timestamp(now),
        version=__version__,
        root_label=root_label,
        git=git_state(analysis.root) if with_git else None,
        files=file_digests(analysis),
    )
