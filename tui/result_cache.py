"""The result cache of `keepdata check` and `keepdata report`: a run whose inputs are those of
an earlier run prints that run's output without importing the analysis (like ruff's cache, but
never inside the analyzed project). On a miss, `Pending.parses` gives the analysis the on-disk
parse cache (`tui.parse_store`) kept beside it, and `Pending.read`/`Pending.listed` the bytes
and digests of the files and the folder listings the key read (`analysis.sources.using_read`):
a miss reads and hashes each file and lists each folder once, and its output is that of the
very tree its entry is keyed on.

Where: `$KEEPDATA_CACHE_DIR`, else `$XDG_CACHE_HOME/keepdata`, else `~/.cache/keepdata`;
`check --no-cache` neither reads nor writes it. At most `MAX_ENTRIES` entries and `MAX_BYTES`
bytes: the least recently used go first.

An entry's key (sha256) covers everything the output depends on:
- keepdata's version and code (size and modification time of every file of `analysis` and
  `tui`), the Python version, the folders installed packages live in (an upgrade changes them);
- the `check` options, the working directory, the environment variables the output reads and
  whether stdout is a terminal;
- per root: its real path, every folder the discovery walk enters, the content digest of every
  file whose name discovery may take (`analysis.discover_names`: a superset), the `--config`
  file, and the git files history grading and KD405 depend on (the commits HEAD and the
  default branch candidates name, the replace refs, the index, `shallow`, the repository's
  config: read as files, no git runs; a commit, checkout, fetch of the default branch or
  `git add` changes them, a commit on another branch does not; with `--base`, every ref);
- SARIF and reports: the work tree's commit, branch and dirty state (read through
  `analysis.gitread`), which the output records (a report: the changed paths too); the time
  stamp (`endTimeUtc`, the report's `Generated`, `generated_at`) is the time of the run that
  prints it. A report's entry also lists the files its quotes read.
An entry also lists what its run looked at beyond that (files a compose file or an entrypoint
names, paths whose existence it asked about, folders it listed) with their state then; a hit
checks each again. Runs with `--since`/`--staged` (their output depends on every file git
tracks), runs that failed (exit 2) and projects with folder links are not cached.

Files are keyed by their content, never by (size, modification time, inode) alone: a stat-based
fast path would save the reads and hashes of the key (about 28 ms of CPU on 4,000 migrations,
2 ms on 240: the folder listings stay), but an edit that keeps the size within the clock's
granularity (coarse or skewed on network and FAT file systems), or a copy that restores the
time, would print a stale verdict.

An entry is one file: a magic line, the sha256 of the rest, then `marshal` data. A corrupt,
truncated or foreign entry fails those checks and is replaced; writes go to a temporary file
moved into place (`os.replace`), so concurrent runs never see half an entry.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import time

from analysis import __version__
from analysis.discover_names import SKIP_DIRS, maybe_kind

try:  # the interpreter's own SHA-256: OpenSSL's (hashlib) costs a cached run 3 ms to load
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Python 3.11
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # a build without it
        from hashlib import sha256 as _sha256

TYPE_CHECKING = False  # typing, re and contextlib cost a cached run milliseconds: not imported
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from hashlib import _Hash

    from analysis.result import Result
    from analysis.sources import SourceFile
    from tui.parse_store import DiskParses

MAX_ENTRIES = 256
MAX_BYTES = 256 * 1024 * 1024
MAX_WALK = 500_000
"""Entries (files and folders) the key's walk looks at before it gives up (no caching)."""
MAX_REFS = 20_000
MAX_FILE = 2 * 1024 * 1024
"""Files larger than the analysis reads (`analysis.sources.MAX_FILE_BYTES`) are keyed by size
and modification time."""
MAGIC = b"keepdata-result-cache 1\n"
ENV_KEYS = ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "KEEPDATA_ALL_MIGRATIONS")
"""Environment variables the output of `check` depends on."""
_TIME = "\0time\0"
"""Stands for the SARIF `endTimeUtc` in a stored output (JSON never holds a raw NUL)."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def cache_dir(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    explicit = env.get("KEEPDATA_CACHE_DIR")
    if explicit:
        return explicit
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "keepdata")


def _results_dir() -> str:
    return os.path.join(cache_dir(), "results")


_BIG = 256 * 1024
"""From this size on, OpenSSL's SHA-256 (hashlib) pays for its loading."""


def sha256(data: bytes) -> _Hash:
    """SHA-256 of `data`: the interpreter's own for small data, OpenSSL's for large."""
    if len(data) < _BIG:
        return _sha256(data)  # type: ignore[no-any-return,unused-ignore]
    import hashlib

    return hashlib.sha256(data)


# -- the key -------------------------------------------------------------------------------
def _file_digest(path: str) -> str:
    """sha256 of the file's bytes (as `analysis.sources` digests them), or why not."""
    return _read_file(path, _OPEN_FLAGS)[0]


def _read_file(path: str, flags: int) -> tuple[str, bytes | None]:
    """(sha256 of the file's bytes, the bytes), or (why not, None)."""
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return f"E{exc.errno}", None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return f"K{stat.S_IFMT(st.st_mode)}", None
        if st.st_size > MAX_FILE:
            return f"B{st.st_size}:{st.st_mtime_ns}", None
        chunks = []
        while True:
            want = max(st.st_size + 1, 65536)
            chunk = os.read(fd, want)
            if chunk:
                chunks.append(chunk)
            if len(chunk) < want:  # a regular file reads short only at its end
                break
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if len(data) > MAX_FILE:  # it grew while it was read
            return f"B{len(data)}:{st.st_mtime_ns}", None
        return sha256(data).hexdigest(), data
    except OSError as exc:
        return f"E{exc.errno}", None
    finally:
        os.close(fd)


def path_state(root: str, rel: str) -> str:
    """What a path is now, as far as the analysis can tell: its real path, kind and content."""
    full = os.path.join(root, rel)
    try:
        st = os.stat(full)
    except OSError as exc:
        try:
            link = os.readlink(full)
        except OSError:
            link = ""
        return f"E{exc.errno}\0{link}"
    real = os.path.realpath(full)
    if stat.S_ISREG(st.st_mode):
        return f"F{real}\0{_file_digest(full)}"
    return f"K{stat.S_IFMT(st.st_mode)}\0{real}"


def listing_state(root: str, folder: str) -> str:
    try:
        names = sorted(os.listdir(os.path.join(root, folder)))
    except OSError as exc:
        return f"E{exc.errno}"
    return sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


KEEP_BYTES = 16 * 1024 * 1024
"""At most this many bytes of the files the key read are kept for the analysis of a miss."""
KEEP_ENTRIES = 100_000
"""At most this many folder entries the key listed are kept for the analysis of a miss."""
_NOFOLLOW = _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0)


class _Kept:
    """The files the key read, for the analysis of a miss (`analysis.sources.using_read`)."""

    __slots__ = ("files", "folders", "left", "left_entries")

    def __init__(self) -> None:
        self.files: dict[str, dict[str, tuple[bytes, str]]] = {}
        """real root path -> path -> (bytes, digest)"""
        self.folders: dict[str, list[os.DirEntry[str]]] = {}
        """folder path -> its entries (`os.scandir`'s)"""
        self.left = KEEP_BYTES
        self.left_entries = KEEP_ENTRIES


def _walk(root: str, h: _Hash, kept: _Kept) -> dict[str, str] | None:
    """Feed `h` every folder the discovery walk enters and every file it may read (name and
    digest); {path: digest}. None when the tree has a folder link or is too large. `kept`
    gets the (bytes, digest) of the regular files read, within `KEEP_BYTES` (all roots):
    on a miss, the analysis takes them instead of reading every file a second time."""
    files = kept.files[root] = {}
    digests: dict[str, str] = {}
    folders = [""]
    seen = 0
    for rel_folder in folders:  # grows while it is read: breadth first
        folder = f"{root}/{rel_folder}" if rel_folder else root
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            h.update(f"E\0{rel_folder}\0{exc.errno}\n".encode("utf-8", "surrogateescape"))
            continue
        seen += len(entries)
        if seen > MAX_WALK:
            return None
        if len(entries) <= kept.left_entries:
            kept.folders[folder] = entries
            kept.left_entries -= len(entries)
        for entry in entries:
            name = entry.name
            rel = f"{rel_folder}/{name}" if rel_folder else name
            try:
                if entry.is_symlink():
                    if os.path.isdir(entry.path):
                        return None  # discovery follows folder links: not worth keying
                    line = f"L\0{rel}\0{os.readlink(entry.path)}\0{_file_digest(entry.path)}"
                elif entry.is_dir(follow_symlinks=False):
                    if name in SKIP_DIRS:
                        continue
                    folders.append(rel)
                    line = f"D\0{rel}"
                elif not maybe_kind(name.lower()):
                    continue
                elif entry.is_file(follow_symlinks=False):
                    digest, data = _read_file(entry.path, _NOFOLLOW)
                    digests[rel] = digest
                    if data is not None and len(data) <= kept.left:
                        files[rel] = (data, digest)
                        kept.left -= len(data)
                    line = f"F\0{rel}\0{digest}"
                else:
                    line = f"S\0{rel}"
            except OSError as exc:
                line = f"X\0{rel}\0{exc.errno}"
            h.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digests


def _git_dir(root: str) -> tuple[str, str] | None:
    """(git dir, common dir) of the repository holding `root` (as `analysis.gitread.git_dir_of`
    finds it: walking up)."""
    folder = root
    while True:
        dot = os.path.join(folder, ".git")
        if os.path.isdir(dot):
            git_dir = dot
            break
        if os.path.isfile(dot):
            try:
                with open(dot, encoding="utf-8", errors="replace") as fh:
                    text = fh.read().strip()
            except OSError:
                return None
            if not text.startswith("gitdir:"):
                return None
            git_dir = os.path.join(folder, text[len("gitdir:") :].strip())
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    common = git_dir
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as fh:
            common = os.path.normpath(os.path.join(git_dir, fh.read().strip()))
    except OSError:
        pass
    return git_dir, common


GRADING_REFS = (
    "refs/remotes/origin/HEAD",
    "refs/heads/main",
    "refs/remotes/origin/main",
    "refs/heads/master",
    "refs/remotes/origin/master",
    "refs/heads/trunk",
    "refs/remotes/origin/trunk",
)
"""The refs history grading may take as the default branch (`analysis.gitread.DEFAULT_BRANCHES`,
repeated here so that a cached run does not import the analysis; a test compares them)."""
_PER_WORKTREE = ("HEAD", "refs/worktree/", "refs/bisect/", "refs/rewritten/")


def _git_state(root: str, h: _Hash, every_ref: bool = False) -> bool:
    """Feed `h` what history grading, KD405 and KD115 read of git: which commits HEAD and the
    default branch candidates name (followed through symbolic refs, loose or packed), the
    replace refs, what the index holds, whether the clone is shallow and the repository's
    config. A commit on another branch (another worktree of the same repository) changes
    none of them. `every_ref` (a `--base` names any revision): every ref instead. False when
    there are too many refs to read."""
    found = _git_dir(root)
    if found is None:
        h.update(b"nogit\n")
        return True
    git_dir, common = found
    h.update(f"git\0{git_dir}\0{common}\n".encode("utf-8", "surrogateescape"))
    for base, names in (
        (git_dir, ("HEAD", "shallow", "config.worktree")),
        (common, ("shallow", "config", "info/grafts")),
    ):
        for name in names:
            h.update(f"{name}\0{_file_digest(os.path.join(base, name))}\n".encode())
    try:
        st = os.stat(os.path.join(git_dir, "index"))
        h.update(f"index\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    except OSError as exc:
        h.update(f"index\0E{exc.errno}\n".encode())
    if os.path.isdir(os.path.join(common, "reftable")):
        every_ref = True  # refs in binary tables: keyed on every one of them
    if every_ref:
        h.update(f"packed-refs\0{_file_digest(os.path.join(common, 'packed-refs'))}\n".encode())
        return _all_refs(git_dir, common, ("refs", "reftable"), h)
    packed = _packed_refs(common)
    for name in ("HEAD", *GRADING_REFS):
        h.update(f"{name}\0{_resolve_ref(git_dir, common, name, packed)}\n".encode())
    replaced = sorted((n, v) for n, v in packed.items() if n.startswith("refs/replace/"))
    h.update(repr(replaced).encode("utf-8", "surrogateescape"))
    return _all_refs(git_dir, common, ("refs/replace",), h)


def _all_refs(git_dir: str, common: str, tops: tuple[str, ...], h: _Hash) -> bool:
    count = 0
    for base in dict.fromkeys((git_dir, common)):
        for top in tops:
            for dirpath, dirnames, filenames in os.walk(os.path.join(base, top)):
                dirnames.sort()
                count += len(filenames)
                if count > MAX_REFS:
                    return False
                for name in sorted(filenames):
                    path = os.path.join(dirpath, name)
                    h.update(f"{path}\0{_file_digest(path)}\n".encode("utf-8", "surrogateescape"))
    return True


def _packed_refs(common: str) -> dict[str, str]:
    """refname -> object id, from `packed-refs` (peeled lines left out)."""
    try:
        with open(os.path.join(common, "packed-refs"), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line[:1] in ("#", "^", ""):
            continue
        oid, _, name = line.partition(" ")
        out[name.strip()] = oid
    return out


def _resolve_ref(git_dir: str, common: str, name: str, packed: dict[str, str]) -> str:
    """The object id `name` names (a loose ref wins over a packed one; symbolic refs are
    followed, at most 5 deep), or what stands in the way."""
    for _ in range(5):
        per_worktree = name.startswith(_PER_WORKTREE)
        try:
            with open(os.path.join(git_dir if per_worktree else common, name), "rb") as fh:
                value = fh.read(4096).decode("utf-8", "replace").strip()
        except FileNotFoundError:
            return packed.get(name, "-")
        except OSError as exc:
            return f"E{exc.errno}"
        if not value.startswith("ref:"):
            return value
        name = value[4:].strip()
    return "deep"


_CODE: list[str] = []


def code_digest() -> str:
    """sha256 of keepdata's own files (an edit in a development checkout is a new keepdata)
    and the folders of the installed packages the analysis uses (computed once)."""
    if not _CODE:
        h = sha256(b"")
        _code_state(h)
        _CODE.append(h.hexdigest())
    return _CODE[0]


def _code_state(h: _Hash) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    h.update(f"{__version__}\0{sys.version}\0{sys.executable}\n".encode())
    lines: list[str] = []
    folders = [os.path.join(os.path.dirname(here), "analysis"), here]
    for folder in folders:  # grows while it is read
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif not entry.name.endswith((".pyc", ".pyo")):
                    st = entry.stat()
                    lines.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\n")
            except OSError:
                continue
    h.update("".join(lines).encode("utf-8", "surrogateescape"))
    for place in sys.path:  # where installed packages live: an upgrade changes the folder
        if os.path.basename(place) not in ("site-packages", "dist-packages"):
            continue
        try:
            h.update(f"{place}\0{os.stat(place or '.').st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{place}\0-\n".encode())


# -- lookup and store ----------------------------------------------------------------------
class Pending:
    """A miss: what `store` needs to write the entry once the run is done."""

    __slots__ = ("key", "listed", "path", "read", "roots", "stamp", "walked")

    def __init__(
        self,
        key: str,
        path: str,
        roots: list[str],
        walked: list[dict[str, str]],
        stamp: str | None = None,
        read: dict[str, dict[str, tuple[bytes, str]]] | None = None,
        listed: dict[str, list[os.DirEntry[str]]] | None = None,
    ):
        self.key = key
        self.path = path
        self.roots = roots
        self.walked = walked
        self.stamp = stamp
        self.read = read or {}
        """The files the key read: the analysis takes them (`analysis.sources.using_read`)."""
        self.listed = listed or {}
        """The folders the key listed: discovery takes them (`analysis.sources.using_read`)."""
        """Where the output says when it was made (a regular expression; stored as `_TIME`,
        now on a hit)."""

    def parses(self) -> DiskParses | None:
        """The on-disk parse cache for this run's analysis (`tui.parse_store`)."""
        try:
            from tui.parse_store import DiskParses

            return DiskParses(os.path.join(cache_dir(), "parses"), code_digest())
        except Exception:  # the cache is an optimization: never a failed run
            return None

    def store(
        self,
        results: Sequence[Result],
        text: str,
        code: int,
        also_read: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Write the entry for a finished run (any failure: nothing is written); `also_read`:
        the (root, path) of files the output read beyond the analysis (a report's quotes)."""
        try:
            deps = self._dependencies(results, also_read)
            if deps is None:
                return
            if self.stamp is not None:
                import re

                stamp = re.compile(self.stamp, re.MULTILINE)
                text = stamp.sub(rf"\1{_TIME}\2", text, count=_STAMPS)
            body = marshal.dumps((self.key, tuple(deps), text, code))
            write_entry(self.path, MAGIC + sha256(body).digest() + body)
        except Exception:  # the cache is an optimization: never a failed run
            return

    def _dependencies(
        self, results: Sequence[Result], also_read: Iterable[tuple[str, str]]
    ) -> list[tuple[int, str, str, str]] | None:
        """What the analyses looked at beyond the walk, with its state now; None when a file
        changed while the run read it (its output may mix two versions)."""
        deps: list[tuple[int, str, str, str]] = []
        more = sorted(set(also_read))
        for i, (root, walked) in enumerate(zip(self.roots, self.walked, strict=True)):
            result = results[i]
            read: dict[str, SourceFile | None] = {p: None for p in result.unread}
            read.update(result.sources)
            read.update((rel, None) for r, rel in more if r == root and rel not in read)
            for rel, src in sorted(read.items()):
                if rel in walked:
                    if src is not None and src.digest != walked[rel]:
                        return None
                    continue
                state = path_state(root, rel)
                if src is not None and not state.endswith("\0" + src.digest):
                    return None
                deps.append((i, "p", rel, state))
            deps += [(i, "p", rel, path_state(root, rel)) for rel in sorted(result.probed)]
            deps += [(i, "l", rel, listing_state(root, rel)) for rel in sorted(result.listed)]
        return deps


def lookup(args: argparse.Namespace) -> int | Pending | None:
    """The exit code of a cached run (its output written), a `Pending` to store this run's
    result, or None when the cache does not apply."""
    if getattr(args, "no_cache", False) or getattr(args, "since", None):
        return None
    if getattr(args, "staged", False):
        return None
    try:
        found = _key(args)
        if found is None:
            return None
        key, roots, walked, kept = found
        path = os.path.join(_results_dir(), key[:2], key)
        entry = _read_entry(path, key, roots)
    except Exception:
        return None
    if entry is None:
        return Pending(key, path, roots, walked, _stamp_of(args), kept.files, kept.folders)
    text, code = entry
    from tui.output import emit

    output = args.output or None
    if output and args.command == "check":
        from pathlib import Path

        output = str(Path(output))  # as run_check names it
    emit(text.replace(_TIME, _utc_now()), output, getattr(args, "quiet", False))
    return code


_STAMPS = 0
"""How many stamps `Pending.store` replaces (0: all; the roots of one check run each have one)."""
_CHECK_STAMP = r'("endTimeUtc": ")\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(")'
_REPORT_STAMPS = {  # compiled (re.MULTILINE) only to store an entry
    "md": r"(^\| Generated \| )\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ( \|$)",
    "json": r'(^    "generated_at": ")\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(",?$)',
    "sarif": _CHECK_STAMP,
}


def _stamp_of(args: argparse.Namespace) -> str | None:
    """The time stamp in this command's output: SARIF's `endTimeUtc` (check and report), the
    report's `Generated` row (Markdown) and `generated_at` (JSON)."""
    if args.command == "report":
        return _REPORT_STAMPS.get(args.format)
    return _CHECK_STAMP if args.format == "sarif" else None


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _key(args: argparse.Namespace) -> tuple[str, list[str], list[dict[str, str]], _Kept] | None:
    h = sha256(MAGIC)
    h.update(f"{code_digest()}\0{__version__}\n".encode())
    options = sorted((k, repr(v)) for k, v in vars(args).items() if k not in ("func", "no_cache"))
    h.update(repr(options).encode("utf-8", "surrogateescape"))
    h.update(f"{os.getcwd()}\0{sys.stdout.isatty()}\n".encode("utf-8", "surrogateescape"))
    h.update(repr([os.environ.get(k) for k in ENV_KEYS]).encode("utf-8", "surrogateescape"))
    if args.config:
        h.update(
            f"config\0{path_state(os.getcwd(), args.config)}\n".encode("utf-8", "surrogateescape")
        )
    roots: list[str] = []
    walked: list[dict[str, str]] = []
    kept = _Kept()
    report = args.command == "report"
    for label in [args.path] if report else args.paths or ["."]:
        root = os.path.realpath(label)
        if not os.path.isdir(root):
            return None
        h.update(f"root\0{root}\n".encode("utf-8", "surrogateescape"))
        digests = _walk(root, h, kept)
        if digests is None or not _git_state(root, h, bool(getattr(args, "base", None))):
            return None
        if report or args.format == "sarif":
            from pathlib import Path

            from analysis.gitread import work_tree_state

            state = work_tree_state(Path(root), timeout=2.0)
            seen: tuple[object, ...] | None = None
            if state is not None:  # a report lists the changed paths, a SARIF log "dirty"
                changed = state.changed if report else bool(state.changed)
                seen = (state.commit, state.branch, changed)
            h.update(repr(seen).encode("utf-8", "surrogateescape"))
        roots.append(root)
        walked.append(digests)
    return h.hexdigest(), roots, walked, kept


def _read_entry(path: str, key: str, roots: list[str]) -> tuple[str, int] | None:
    """The (output, exit code) of a valid, current entry; None for a missing, corrupt,
    foreign or outdated one."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if not data.startswith(MAGIC) or sha256(data[head:]).digest() != data[len(MAGIC) : head]:
        return None
    try:
        stored_key, deps, text, code = marshal.loads(data[head:])
    except Exception:
        return None
    if stored_key != key or not isinstance(text, str) or not isinstance(code, int):
        return None
    for i, kind, rel, state in deps:
        now = path_state(roots[i], rel) if kind == "p" else listing_state(roots[i], rel)
        if now != state:
            return None
    _touch(path)  # recently used: evicted last
    return text, code


def _touch(path: str) -> None:
    try:
        os.utime(path)
    except OSError:
        return


def write_entry(path: str, data: bytes, evict_in: Callable[[str], None] | None = None) -> None:
    """Write `data` to `path` (`<cache dir>/<kind>/<xx>/<name>`) atomically, then bound the
    kind's folder (`evict_in(folder)`, default `evict`)."""
    folder = os.path.dirname(path)
    top = os.path.dirname(os.path.dirname(folder))
    for made in (top, os.path.dirname(folder), folder):  # only the user reads the outputs
        os.makedirs(made, mode=0o700, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        _unlink(tmp)
        return
    _tag(top)
    (evict_in or evict)(os.path.dirname(folder))


def _tag(top: str) -> None:
    """A CACHEDIR.TAG, so that backup tools leave the cache out."""
    tag = os.path.join(top, "CACHEDIR.TAG")
    if not os.path.exists(tag):
        try:
            with open(tag, "w", encoding="ascii") as fh:
                fh.write(
                    "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# keepdata's result cache (https://bford.info/cachedir/)\n"
                )
        except OSError:
            pass


def evict(results: str, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
    """Delete the least recently used entries beyond the bounds, and temporary files that a
    killed run left (older than an hour)."""
    entries: list[tuple[float, int, str]] = []
    now = time.time()
    for sub in os.scandir(results):
        if not sub.is_dir(follow_symlinks=False):
            continue
        for e in os.scandir(sub.path):
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if e.name.endswith(".tmp"):
                if now - st.st_mtime > 3600:
                    _unlink(e.path)
                continue
            entries.append((st.st_mtime, st.st_size, e.path))
    total = sum(size for _, size, _ in entries)
    entries.sort()
    while entries and (len(entries) > max_entries or total > max_bytes):
        _, size, path = entries.pop(0)
        _unlink(path)
        total -= size


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:  # gone already, or not ours to remove
        return
