"""Read a git repository without letting it run anything.

A repository's configuration can name programs that git starts on its own: `core.fsmonitor`
(on any command that looks at the index), filter drivers (`filter.<x>.clean/smudge/process`
with a `.gitattributes` rule, on any command that hashes work-tree files: `status`, `diff`),
`diff.<x>.textconv`, `diff.external`, `core.pager`, hooks, `gpg.program`, `core.sshCommand`.
keepdata reads the project, it never runs it, so every git call goes through `run_git`:

- only plumbing that reads the index, trees and objects (`rev-parse`, `ls-files`, `ls-tree`,
  `cat-file --batch`): none of them hashes a work-tree file, so no filter or textconv runs;
- `-c` overrides (which win over every config file, `include.path` ones too) for the keys
  that plumbing could still act on: `core.fsmonitor`, `core.untrackedCache`, `core.hooksPath`,
  `core.pager`, `safe.bareRepository=explicit` (a bare repository committed as plain files
  inside a project is not picked up by discovery);
- an environment without the user's `GIT_*` variables, without system or global config
  (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL=/dev/null`), no prompt, no optional locks, no
  pager, stdin closed, a timeout;
- where git would hash work-tree files (is the tree dirty?), keepdata hashes them itself.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from analysis.records import dataclass

TIMEOUT = 10.0
"""Seconds one git call may take before keepdata goes on without it."""

_OVERRIDES = (
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.sshCommand=false",
    "diff.external=",
    "log.showSignature=false",
    "safe.bareRepository=explicit",
    "protocol.allow=never",
)


def git_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every git call gets: the caller's, minus git's own variables (a
    `GIT_DIR`, `GIT_CONFIG_*` or `GIT_EXTERNAL_DIFF` from the user's shell must not steer
    it), with system and global configuration switched off."""
    env = {k: v for k, v in (base if base is not None else os.environ).items()}
    for key in list(env):
        if key.startswith("GIT_") or key in ("PAGER", "LESS", "EDITOR", "VISUAL"):
            del env[key]
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_PAGER="cat",
        GIT_ATTR_NOSYSTEM="1",
        GIT_NO_REPLACE_OBJECTS="1",
        LC_ALL="C",
    )
    return env


def git_argv(*args: str) -> list[str]:
    """`git` with the overrides, then `args`."""
    argv = ["git", "--no-pager"]
    for item in _OVERRIDES:
        argv += ["-c", item]
    return [*argv, *args]


def run_git(
    cwd: Path, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT
) -> bytes | None:
    """The standard output of a read-only git command run in `cwd`, or None when git is
    missing, fails, or takes longer than `timeout`."""
    try:
        out = subprocess.run(
            git_argv(*args),
            cwd=cwd,
            env=git_env(),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_dir_of(root: Path) -> tuple[Path, Path] | None:
    """(work tree top, git dir) of the repository holding `root`, found by walking up
    (read from the file system, no git call)."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return folder, dot
        if dot.is_file():
            try:
                text = dot.read_text(errors="replace").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                gd = Path(text[len("gitdir:") :].strip())
                return folder, gd if gd.is_absolute() else (folder / gd).resolve()
    return None


def resolve_commit(top: Path, ref: str, timeout: float = TIMEOUT) -> str | None:
    """The commit `ref` names in the repository at `top`, or None."""
    out = run_git(
        top,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        timeout=timeout,
    )
    text = out.decode("ascii", errors="replace").strip() if out else ""
    return text or None


def read_blobs(top: Path, specs: Iterable[str], timeout: float = TIMEOUT) -> dict[str, bytes]:
    """The raw contents of `rev:path` specs, all read by one `git cat-file --batch` (no
    textconv, no filters). Specs that name nothing are absent from the answer."""
    wanted = list(dict.fromkeys(s for s in specs if "\n" not in s))
    if not wanted:
        return {}
    data = run_git(
        top,
        "cat-file",
        "--batch",
        stdin="".join(s + "\n" for s in wanted).encode(),
        timeout=timeout,
    )
    if data is None:
        return {}
    out: dict[str, bytes] = {}
    pos = 0
    for spec in wanted:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = data[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            if header[1] == b"blob":
                out[spec] = data[pos : pos + size]
            pos += size + 1  # the content, then a newline
    return out


def tracked_paths(root: Path, timeout: float = TIMEOUT) -> frozenset[str] | None:
    """Paths under `root` (relative to it) that git's index holds, or None when `root` is
    not in a git work tree."""
    out = run_git(root, "ls-files", "-z", timeout=timeout)
    if out is None:
        return None
    return frozenset(p for p in out.decode("utf-8", errors="replace").split("\0") if p)


@dataclass(slots=True, frozen=True)
class WorkTreeState:
    """The commit a folder of a work tree is at, and what under it differs from that commit."""

    commit: str
    branch: str | None
    changed: tuple[str, ...]
    """Paths under the folder (relative to it) that differ from the commit or the index, or
    that git does not track and does not ignore; sorted."""


def _entries(raw: bytes | None, *, index: bool) -> dict[str, tuple[str, str]] | None:
    """{path: (mode, object id)} from `ls-files -s -z` (index) or `ls-tree -r -z` output.
    Conflicted index entries get the mode "conflict"."""
    if raw is None:
        return None
    out: dict[str, tuple[str, str]] = {}
    for record in raw.decode("utf-8", errors="surrogateescape").split("\0"):
        meta, tab, path = record.partition("\t")
        if not tab:
            continue
        parts = meta.split()
        if index and len(parts) == 3:
            mode, oid, stage = parts
            out[path] = ("conflict", "") if stage != "0" else (mode, oid)
        elif not index and len(parts) == 3:
            mode, _kind, oid = parts
            out[path] = (mode, oid)
    return out


def _blob_id(data: bytes, length: int) -> str:
    h = hashlib.sha256() if length == 64 else hashlib.sha1()
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def _matches_work_tree(path: Path, mode: str, oid: str) -> bool:
    """Whether the file at `path` holds the blob `oid` (git's own CRLF conversion allowed;
    filters are not run, so a file that only a filter driver changes reads as changed)."""
    try:
        if mode == "120000":
            data = os.fsencode(os.readlink(path))
        elif mode in ("100644", "100755"):
            if path.is_symlink() or not path.is_file():
                return False
            data = path.read_bytes()
        else:
            return True  # a submodule (160000): its own repository, not compared
    except OSError:
        return False
    if _blob_id(data, len(oid)) == oid:
        return True
    return b"\r\n" in data and _blob_id(data.replace(b"\r\n", b"\n"), len(oid)) == oid


def work_tree_state(root: Path, timeout: float = TIMEOUT) -> WorkTreeState | None:
    """The commit and changed paths of the folder `root` in its work tree, or None when it is
    no git work tree (or git is missing, too slow, or the repository has no commit)."""
    head_out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", timeout=timeout)
    commit = head_out.decode("ascii", errors="replace").strip() if head_out else ""
    if not commit:
        return None
    branch_out = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", timeout=timeout)
    branch = branch_out.decode("utf-8", errors="replace").strip() if branch_out else ""
    index = _entries(run_git(root, "ls-files", "-s", "-z", timeout=timeout), index=True)
    tree = _entries(run_git(root, "ls-tree", "-r", "-z", "HEAD", timeout=timeout), index=False)
    others = run_git(root, "ls-files", "--others", "--exclude-standard", "-z", timeout=timeout)
    if index is None or tree is None or others is None:
        return WorkTreeState(commit, branch or None, ("(git could not be read)",))
    changed = _work_tree_changes(root, index, tree, others, against_index=True)
    return WorkTreeState(commit, branch or None, tuple(sorted(changed)))


def _work_tree_changes(
    root: Path,
    index: dict[str, tuple[str, str]],
    tree: dict[str, tuple[str, str]],
    others: bytes,
    *,
    against_index: bool,
) -> frozenset[str]:
    """The paths of the work tree that differ from the base side, as shown to a reader: the
    files whose content differs from the index (`against_index`: the index must also equal
    `tree`) or from `tree`, the paths only one side tracks, and the untracked, not ignored
    files `others` (`ls-files --others -z`)."""
    changed = set(tree.keys() - index.keys())
    for path, entry in index.items():
        old = tree.get(path)
        base = entry if against_index else old
        if (
            old is None
            or base is None
            or (against_index and old != entry)
            or not _matches_work_tree(root / path, *base)
        ):
            changed.add(path)
    changed.update(p for p in others.decode("utf-8", errors="surrogateescape").split("\0") if p)
    return frozenset(
        p.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for p in changed
    )


def changed_paths(
    root: Path, since: str | None, *, staged: bool = False, timeout: float = TIMEOUT
) -> frozenset[str] | None:
    """Paths under `root` (relative to it) that a change touches: with `staged`, those whose
    index entry differs from HEAD (what `git commit` would record); else those whose work-tree
    content differs from the commit `since` names, plus untracked, not ignored files. None
    when `root` is no git work tree or `since` names no commit. Work-tree files are hashed by
    keepdata (no filter runs, as everywhere in this module)."""
    index = _entries(run_git(root, "ls-files", "-s", "-z", timeout=timeout), index=True)
    if index is None:
        return None
    if staged:
        head = resolve_commit(root, "HEAD", timeout=timeout)
        tree: dict[str, tuple[str, str]] | None = {}
        if head is not None:
            tree = _entries(
                run_git(root, "ls-tree", "-r", "-z", head, timeout=timeout), index=False
            )
        if tree is None:
            return None
        changed = {p for p in index.keys() | tree.keys() if index.get(p) != tree.get(p)}
    else:
        commit = resolve_commit(root, since or "HEAD", timeout=timeout)
        if commit is None:
            return None
        tree = _entries(run_git(root, "ls-tree", "-r", "-z", commit, timeout=timeout), index=False)
        others = run_git(root, "ls-files", "--others", "--exclude-standard", "-z", timeout=timeout)
        if tree is None or others is None:
            return None
        return _work_tree_changes(root, index, tree, others, against_index=False)
    return frozenset(
        p.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for p in changed
    )


def _common_dir(git_dir: Path) -> Path:
    commondir = git_dir / "commondir"
    if commondir.is_file():
        try:
            return (git_dir / commondir.read_text().strip()).resolve()
        except OSError:
            return git_dir
    return git_dir


def is_shallow(git_dir: Path) -> bool:
    """Whether the repository is a shallow clone (its history is cut off)."""
    return (_common_dir(git_dir) / "shallow").is_file() or (git_dir / "shallow").is_file()


DEFAULT_BRANCHES = (
    "refs/remotes/origin/HEAD",
    "refs/heads/main",
    "refs/remotes/origin/main",
    "refs/heads/master",
    "refs/remotes/origin/master",
    "refs/heads/trunk",
    "refs/remotes/origin/trunk",
)


def default_branch(top: Path, timeout: float = TIMEOUT) -> tuple[str, str] | None:
    """(short name, commit) of the default branch: `origin/HEAD`, else `main`, `master`,
    `trunk` (local, then origin's), read with one `for-each-ref`; None when there is none."""
    out = run_git(
        top,
        "for-each-ref",
        "--format=%(objectname) %(refname)",
        *DEFAULT_BRANCHES,
        timeout=timeout,
    )
    if out is None:
        return None
    found: dict[str, str] = {}
    for line in out.decode("utf-8", errors="replace").splitlines():
        sha, _, ref = line.partition(" ")
        if ref in DEFAULT_BRANCHES and sha:
            found[ref] = sha
    for ref in DEFAULT_BRANCHES:
        if ref in found:
            short = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
            return short, found[ref]
    return None


def merge_base(top: Path, a: str, b: str, timeout: float = TIMEOUT) -> str | None:
    """The best common ancestor of two commits (given as object ids), or None."""
    if not all(c and all(ch in "0123456789abcdef" for ch in c) for c in (a, b)):
        return None
    out = run_git(top, "merge-base", a, b, timeout=timeout)
    text = out.decode("ascii", errors="replace").strip() if out else ""
    return text.split()[0] if text else None


def ls_tree(
    top: Path, commit: str, paths: Iterable[str], timeout: float = TIMEOUT
) -> dict[str, tuple[str, str]] | None:
    """{path: (mode, blob id)} of every file under `paths` (relative to `top`) at `commit`,
    read by one `ls-tree -r` (paths literal, no pathspec magic); None when git fails."""
    wanted = [p for p in dict.fromkeys(paths) if p and "\n" not in p]
    if not wanted:
        return {}
    raw = run_git(
        top,
        "--literal-pathspecs",
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        commit,
        "--",
        *wanted,
        timeout=timeout,
    )
    return _entries(raw, index=False)


def matches_work_tree(path: Path, mode: str, oid: str) -> bool:
    """Whether the work-tree file at `path` holds the blob `oid` (hashed by keepdata, as git
    would without filters)."""
    return _matches_work_tree(path, mode, oid)
