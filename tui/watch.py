"""Watching a project: which file changes matter, one analysis as the screen shows it, and what
changed between two analyses.

Nothing here imports Textual: the app runs `take_snapshot` in a thread worker and posts the
result; `ProjectWatcher` watches the project's folders (never the skipped ones) and survives
permission errors, a deleted or replaced root and editor saves; `ProjectFilter` decides which
changes matter; `diff_findings` makes the "+1 high KD602 ..." / "resolved: ..." notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import posixpath
import stat
import time
import traceback
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from analysis.catalog import BY_ID
from analysis.discover import SKIP_DIRS, classify
from analysis.model import Finding, Location, Severity
from analysis.result import Facts, Result
from analysis.secrets import safe_text

if TYPE_CHECKING:
    from watchfiles import Change
    from watchfiles._rust_notify import RustNotify

    from analysis.checklist_model import Checklist
    from analysis.facts.compose import ComposeStack
    from analysis.facts.databases import Database
    from analysis.facts.drift import PendingChanges
    from analysis.facts.images.records import Image
    from analysis.facts.migrations import MigrationHistory
    from analysis.facts.relations import RelationGraph
    from analysis.facts.schema import Schema
    from analysis.facts.startup.records import StartupFacts
    from analysis.settings import Settings
    from analysis.verdict import Verdict

    FileChange = tuple[Change | int, str]
    """One change watchfiles reported: its kind (an int watchfiles did not name) and path."""

DEBOUNCE_MS = 50
"""watchfiles groups changes for this long (its default, 1.6 s, feels sluggish)."""
STEP_MS = 10
"""How often watchfiles checks whether the debounce window is over."""

_EDITOR_TEMP_SUFFIXES = (
    "~",
    ".swp",
    ".swo",
    ".swx",
    ".swpx",
    ".tmp",
    ".bak",
    ".orig",
    ".crswap",
    "___jb_tmp___",
    "___jb_old___",
    ".kate-swp",
)
_EDITOR_TEMP_PREFIXES = (".#", ".goutputstream-", ".~lock.")


def is_editor_temp(name: str) -> bool:
    """Files editors write beside the real one while saving (vim's 4913, swap files, ...)."""
    return (
        name == "4913"
        or name.startswith(_EDITOR_TEMP_PREFIXES)
        or (name.startswith("#") and name.endswith("#"))
        or name.endswith(_EDITOR_TEMP_SUFFIXES)
    )


class ProjectFilter:
    """watchfiles filter: keep the changes that can change the analysis.

    A change matters when the path is a file kind discovery looks at (`classify`), a file the
    last analysis read (scripts, program files and Dockerfiles found by following references),
    or a folder that holds such a file (a migration folder renamed or deleted). Anything under
    node_modules, .git, build output (`SKIP_DIRS`) and editor temp files never matters.
    """

    def __init__(self, root: Path, known: Iterable[str] = ()) -> None:
        self.root = Path(root).resolve()
        self._root_text = str(self.root)
        self.known: frozenset[str] = frozenset()
        self.known_dirs: frozenset[str] = frozenset()
        self.update(known)

    def update(self, known: Iterable[str]) -> None:
        files = frozenset(known)
        dirs: set[str] = set()
        for rel in files:
            parent = posixpath.dirname(rel)
            while parent and parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.known = files
        self.known_dirs = frozenset(dirs)

    def relative(self, path: str) -> str | None:
        """`path` relative to the root (POSIX), or None when it is outside."""
        try:
            rel = os.path.relpath(path, self._root_text)
        except ValueError:
            return None
        rel = rel.replace(os.sep, "/")
        if rel == "." or rel == ".." or rel.startswith("../"):
            return None
        return rel

    def matters(self, rel: str, is_dir: bool | None = None) -> bool:
        parts = rel.split("/")
        if any(part in SKIP_DIRS for part in parts):
            return False
        name = parts[-1]
        if is_editor_temp(name):
            return False
        if classify(rel) is not None or rel in self.known or rel in self.known_dirs:
            return True
        if name.lower().endswith((".yml", ".yaml")):  # a compose file by content, maybe
            return True
        if is_dir is None:
            is_dir = _is_dir(os.path.join(self._root_text, rel))
        # A new folder moved into the project (a migration folder dropped in from elsewhere).
        return bool(is_dir)

    def __call__(self, change: Change | int, path: str) -> bool:
        rel = self.relative(path)
        if rel is None:
            return False
        return self.matters(rel)


def _is_dir(path: str) -> bool:
    """`os.path.isdir` that is False, never an exception, for what cannot be looked at
    (`Path.is_dir` raises PermissionError below an unreadable folder)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the folder at `path`, or None when there is no folder there."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


# -- watching the project ----------------------------------------------------------------------
MAX_WATCHED_DIRS = 20_000
"""At most this many folders get a watch (one inotify watch each); the rest are not watched."""
POLL_MS = 500
"""How often the watcher checks that the root is still there (and, when it is gone, whether it
is back)."""
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Waits before re-opening a watch that failed, growing with each failure in a row."""


def watch_dirs(root: Path, limit: int = MAX_WATCHED_DIRS) -> tuple[list[str], bool]:
    """The folders to watch, each without recursion, so that no watch is ever placed inside a
    skipped folder (node_modules, .git, build output: `analysis.discover.SKIP_DIRS`), behind a
    symbolic link or on a folder that cannot be listed (its parent's watch sees it change).
    Breadth first, at most `limit`; returns (folders, whether some were left out)."""
    root_text = str(root)
    out = [root_text]
    queue = [root_text]
    head = 0
    while head < len(queue):
        folder = queue[head]
        head += 1
        try:
            with os.scandir(folder) as entries:
                names = sorted(
                    (e.name, e.path)
                    for e in entries
                    if e.name not in SKIP_DIRS and _is_plain_dir(e)
                )
        except OSError:
            continue
        for _, path in names:
            if not os.access(path, os.R_OK | os.X_OK):
                continue
            if len(out) >= limit:
                return out, True
            out.append(path)
            queue.append(path)
    return out, False


def _is_plain_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


@dataclass(slots=True, frozen=True)
class WatchEvent:
    """What the watcher tells the app.

    - `watching`: watches are in place (`detail` says when some folders are left out);
    - `changes`: files that matter changed (`changes` holds them);
    - `gone`: the root folder is gone; the watcher polls for it;
    - `back`: the root folder is there again (recreated, or replaced by another folder:
      analyze it again);
    - `problem`: watching failed (`detail` says why); the watcher retries by itself.
    """

    kind: str
    changes: tuple[FileChange, ...] = ()
    detail: str = ""


class _StopFlag:
    """The `stop_event` RustNotify polls from its thread: the app's stop, or our own when the
    task waiting for it is cancelled."""

    def __init__(self, outer: asyncio.Event) -> None:
        self.outer = outer
        self.cancelled = False

    def is_set(self) -> bool:
        return self.cancelled or self.outer.is_set()


def open_notify(dirs: list[str], polling: bool) -> RustNotify:
    """A watchfiles `RustNotify` on `dirs`, each watched without recursion (watchfiles' own
    `recursive=True` would place a watch in every node_modules folder: notify's recursive watch
    does not consult the filter, which only drops events). Permission errors are ignored."""
    from watchfiles._rust_notify import RustNotify

    return RustNotify(dirs, False, polling, POLL_MS, False, True)


class ProjectWatcher:
    """Watches a project and says what happened, as `WatchEvent`s (`events`).

    It never stops by itself: a folder that cannot be read is not watched (its parent's watch
    sees it become readable); a failing watch is re-opened after a growing wait (and falls back
    to polling when the system's watch limit is reached); a deleted root is reported once and
    polled for, and watched again when it is back; a folder created, deleted or renamed inside
    the project re-opens the watches before its changes are reported, so the analysis that
    follows sees everything written after it. Changes the filter drops (skipped folders,
    editor temp files such as vim's 4913 probe and `~` backups) are never reported.
    """

    def __init__(
        self,
        root: Path,
        project_filter: ProjectFilter,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        step_ms: int = STEP_MS,
        poll_ms: int = POLL_MS,
        max_dirs: int = MAX_WATCHED_DIRS,
        retry_seconds: tuple[float, ...] = RETRY_SECONDS,
    ) -> None:
        self.root = Path(root)
        self._root_text = str(self.root)
        self.filter = project_filter
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.poll_ms = poll_ms
        self.max_dirs = max_dirs
        self.retry_seconds = retry_seconds
        self.watched: frozenset[str] = frozenset()
        """The folders watched now (absolute paths)."""
        self.truncated = False
        self.polling = False
        self.opened = 0
        """How many times watches were (re-)opened (for tests)."""
        self._announced: str | None = None

    # -- the loop -----------------------------------------------------------------------
    async def events(self, stop: asyncio.Event) -> AsyncGenerator[WatchEvent, None]:
        """Watch until `stop` is set. Never raises for a file-system reason."""
        failures = 0
        gone = back = False
        watched_identity: tuple[int, int] | None = None
        pending: tuple[FileChange, ...] = ()
        while not stop.is_set():
            identity = _identity(self.root)
            if identity is None:
                pending = ()
                if not gone:
                    gone = True
                    self.watched = frozenset()
                    self._announced = None
                    yield WatchEvent("gone")
                if await _stopped(stop, self.poll_ms / 1000):
                    return
                continue
            if gone or (watched_identity is not None and identity != watched_identity):
                gone = False  # recreated, or replaced (moved away, another folder moved in)
                back = True  # said once the new watches are open, so nothing is missed
                pending = ()
            watched_identity = identity
            try:
                notify = await asyncio.to_thread(self._open)
            except Exception as exc:
                if _limit_reached(exc) and not self.polling:
                    self.polling = True  # the system's watch limit: poll these folders instead
                    continue
                if back:
                    back = False
                    yield WatchEvent("back")
                failures += 1
                self._announced = None
                yield WatchEvent("problem", detail=_describe(exc))
                if await _stopped(stop, self._retry_wait(failures)):
                    return
                continue
            try:
                if back:
                    back = False
                    yield WatchEvent("back")
                if failures == 0 and (event := self._announce()) is not None:
                    yield event  # confirmed at once; after a failure, by the first answer
                if pending:  # the changes that made us re-open the watches
                    yield WatchEvent("changes", pending)
                    pending = ()
                flag = _StopFlag(stop)
                while True:
                    try:
                        raw = await asyncio.to_thread(
                            notify.watch, self.debounce_ms, self.step_ms, self.poll_ms, flag
                        )
                    except asyncio.CancelledError:
                        flag.cancelled = True  # let the thread return at its next step
                        raise
                    if raw == "stop":
                        return
                    failures = 0
                    if (event := self._announce()) is not None:
                        yield event
                    if _identity(self.root) != identity:
                        break  # gone or replaced: the loop says so and watches again
                    if not isinstance(raw, set):  # "timeout" (for the check above), "signal"
                        continue
                    changes, rewatch = self.sort(raw)
                    if rewatch:  # watch the new folders first, then report the changes
                        pending = changes
                        break
                    if changes:
                        yield WatchEvent("changes", changes)
            except Exception as exc:  # the watch itself failed: say so, open it again
                failures += 1
                self._announced = None
                yield WatchEvent("problem", detail=_describe(exc))
                if await _stopped(stop, self._retry_wait(failures)):
                    return
            finally:
                with contextlib.suppress(Exception):
                    notify.close()

    def _announce(self) -> WatchEvent | None:
        """A `watching` event, unless the last one said the same."""
        detail = self._detail()
        if self._announced == detail:
            return None
        self._announced = detail
        return WatchEvent("watching", detail=detail)

    def sort(self, raw: Iterable[tuple[int, str]]) -> tuple[tuple[FileChange, ...], bool]:
        """(the changes that matter, whether the watches must be re-opened) of one batch."""
        from watchfiles import Change

        keep: list[FileChange] = []
        rewatch = False
        for code, path in raw:
            try:
                change: Change | int = Change(code)
            except ValueError:
                change = code
            rel = self.filter.relative(path)
            if rel is None:
                continue
            if not any(part in SKIP_DIRS for part in rel.split("/")):
                if change == Change.deleted:
                    rewatch = rewatch or path in self.watched
                elif not self.truncated and path not in self.watched and _is_dir(path):
                    rewatch = True  # a new folder, or one that became readable
            try:
                matters = self.filter(change, path)
            except Exception:  # never lose a change to a filter bug: analyze again
                matters = True
            if matters:
                keep.append((change, path))
        return tuple(sorted(keep, key=lambda c: (c[1], int(c[0])))), rewatch

    # -- helpers ------------------------------------------------------------------------
    def _open(self) -> RustNotify:
        dirs, truncated = watch_dirs(self.root, self.max_dirs)
        notify = open_notify(dirs, self.polling)
        self.watched = frozenset(dirs)
        self.truncated = truncated
        self.opened += 1
        return notify

    def _detail(self) -> str:
        parts = []
        if self.truncated:
            parts.append(f"first {len(self.watched)} folders only")
        if self.polling:
            parts.append("polling: the system's file-watch limit is reached")
        return "; ".join(parts)

    def _retry_wait(self, failures: int) -> float:
        waits = self.retry_seconds or (1.0,)
        return waits[min(failures, len(waits)) - 1]


def _limit_reached(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EMFILE):
        return True
    text = str(exc).lower()
    return "limit" in text and "watch" in text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds` or until `stop` is set; True when it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


def describe_changes(root: Path, changes: Iterable[FileChange]) -> str:
    """`modified prisma/schema.prisma` / `3 files changed` for the log and the header."""
    from watchfiles import Change

    root_text = str(Path(root).resolve())
    items = sorted(
        (
            change.name if isinstance(change, Change) else str(change),
            os.path.relpath(path, root_text).replace(os.sep, "/"),
        )
        for change, path in changes
    )
    if not items:
        return "rescan"
    if len(items) == 1:
        return f"{items[0][0]} {items[0][1]}"
    return f"{len(items)} files changed"


# -- one analysis, as the screen shows it ------------------------------------------------------
FACT_NAMES = Facts.NAMES


@dataclass(slots=True, frozen=True, eq=False)
class Snapshot:
    """Everything the panes render for one analysis, computed off the UI thread.

    `findings` are the analysis's findings plus what keepdata itself could not do (internal
    errors, a broken keepdata.toml) as KD001 findings, so the screen never hides a failure.
    `facts` holds each fact by name (None when it could not be computed; `fact_errors` says
    why). `checklist` and `verdict` are None when their modules are missing or failed.
    Two snapshots are equal only when they are the same analysis (`eq=False`), so the app's
    reactive `snapshot` tells its watchers about every new one.
    """

    root: Path
    root_label: str
    analysis: Result | None
    findings: tuple[Finding, ...]
    facts: dict[str, object]
    fact_errors: dict[str, str]
    checklist: Checklist | None
    verdict: Verdict | None
    finished_at: datetime
    duration: float
    trigger: str = "start"
    error: str | None = None
    files: frozenset[str] = field(default_factory=frozenset)
    root_missing: bool = False
    """The root folder was not there (deleted or moved away): nothing was analyzed, and
    nothing of this snapshot may be shown as a verdict."""
    texts: dict[str, str | None] = field(default_factory=dict, repr=False)
    """`text_of`'s answers so far (filled on the UI thread only)."""

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    @overload
    def fact(self, name: Literal["stacks"]) -> tuple[ComposeStack, ...] | None: ...
    @overload
    def fact(self, name: Literal["databases"]) -> tuple[Database, ...] | None: ...
    @overload
    def fact(self, name: Literal["images"]) -> tuple[Image, ...] | None: ...
    @overload
    def fact(self, name: Literal["startup"]) -> StartupFacts | None: ...
    @overload
    def fact(self, name: Literal["schemas"]) -> tuple[Schema, ...] | None: ...
    @overload
    def fact(self, name: Literal["relations"]) -> tuple[RelationGraph, ...] | None: ...
    @overload
    def fact(self, name: Literal["migrations"]) -> tuple[MigrationHistory, ...] | None: ...
    @overload
    def fact(self, name: Literal["pending"]) -> tuple[PendingChanges, ...] | None: ...
    @overload
    def fact(self, name: str) -> object: ...
    def fact(self, name: str) -> object:
        """The fact called `name` (as `Facts` types it), or None when it is missing."""
        return self.facts.get(name)

    def missing(self, name: str) -> str:
        return self.fact_errors.get(name) or f"{name}: not analyzed yet"

    def counts(self) -> dict[Severity, int]:
        out = {s: 0 for s in Severity}
        for f in self.active:
            out[f.severity] += 1
        return out

    def text_of(self, path: str) -> str | None:
        """The file's text as the analysis read it (secrets masked, control sequences removed),
        read now through the bounded reader when the analysis did not read it. Remembered:
        the drill-down asks for the same file at every step."""
        if path in self.texts:
            return self.texts[path]
        text = self.texts[path] = self._read_text(path)
        return text

    def _read_text(self, path: str) -> str | None:
        if self.analysis is not None:
            src = self.analysis.sources.get(path)
            if src is not None:
                return safe_text(src.text)
        from analysis.context import normalize
        from analysis.sources import read_source

        rel = normalize(path)
        if rel is None or rel == ".":
            return None
        result = read_source(self.root, rel)
        if result.source is None:
            return None
        return safe_text(result.source.text)


def _missing_root_snapshot(root: Path, root_label: str, trigger: str, start: float) -> Snapshot:
    return Snapshot(
        root=root,
        root_label=root_label,
        analysis=None,
        findings=(),
        facts={},
        fact_errors={"*": "the project folder is gone"},
        checklist=None,
        verdict=None,
        finished_at=datetime.now(),
        duration=time.perf_counter() - start,
        trigger=trigger,
        root_missing=True,
    )


def _config_error_finding(exc: Exception, root: Path) -> Finding:
    from analysis.config import ConfigError

    located = exc if isinstance(exc, ConfigError) else None
    path = (located.path if located else "") or "keepdata.toml"
    if Path(path).is_absolute():
        with contextlib.suppress(ValueError):  # outside the root: keep it absolute
            path = Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    line = (located.line if located else None) or 1
    message = located.message if located else str(exc)
    return Finding(
        "KD001",
        BY_ID["KD001"].severity if "KD001" in BY_ID else Severity.HIGH,
        safe_text(f"keepdata.toml cannot be used: {message}; analyzed with default settings"),
        Location(path, int(line)),
    )


def take_snapshot(
    root: Path,
    root_label: str,
    trigger: str = "start",
    *,
    settings_loader: Callable[[Path], Settings] | None = None,
) -> Snapshot:
    """Analyze `root` and compute everything the screen shows. Never raises: a failure becomes
    a snapshot with `error` set and a KD001 finding that says what went wrong."""
    start = time.perf_counter()
    identity = _identity(root)
    if identity is None:
        return _missing_root_snapshot(root, root_label, trigger, start)
    settings: Settings | None = None
    try:
        if settings_loader is not None:
            settings = settings_loader(root)
        else:
            from analysis.settings import load

            settings = load(root)
    except Exception as exc:  # a broken keepdata.toml: say so, analyze with defaults
        from analysis.settings import Settings

        settings = Settings(problems=(_config_error_finding(exc, root),))
    try:
        # imported here, in the analysis worker: the whole pipeline takes longer to import
        # than the first frame takes to draw
        from analysis.pipeline import run

        result = run(root, settings)
    except Exception as exc:  # a bug of ours: keep the screen up and say what happened
        message = f"keepdata internal error: {type(exc).__name__}: {exc}"
        finding = Finding("KD001", Severity.HIGH, safe_text(message), Location(".", 1))
        problems = settings.problems if settings is not None else ()
        return Snapshot(
            root=root,
            root_label=root_label,
            analysis=None,
            findings=(finding, *problems),
            facts={},
            fact_errors={"*": message},
            checklist=None,
            verdict=None,
            finished_at=datetime.now(),
            duration=time.perf_counter() - start,
            trigger=trigger,
            error=traceback.format_exc(),
        )
    if _identity(root) != identity:  # deleted or replaced while it was analyzed
        return _missing_root_snapshot(root, root_label, trigger, start)
    return Snapshot(
        root=root,
        root_label=root_label,
        analysis=result,
        findings=result.findings,
        facts=result.facts.values(),
        fact_errors={
            n: result.facts.errors.get(n) or result.facts.missing(n)
            for n in FACT_NAMES
            if result.facts.get(n) is None
        },
        checklist=result.checklist,
        verdict=result.verdict,
        finished_at=datetime.now(),
        duration=time.perf_counter() - start,
        trigger=trigger,
        files=frozenset(f.path for f in result.files),
    )


# -- what changed ------------------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class FindingDiff:
    added: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...] = ()
    """(before, after) for a finding of the same rule on the same line whose message or
    severity changed."""

    def __bool__(self) -> bool:
        return bool(self.added or self.resolved or self.changed)


def _order(f: Finding) -> tuple[int, tuple[str, int, int, str, str]]:
    return (-int(f.severity), f.sort_key)


def diff_findings(old: Iterable[Finding], new: Iterable[Finding]) -> FindingDiff:
    """Findings that appeared, disappeared or changed, compared by `Finding.identity`
    (unsuppressed findings only); an appeared and a disappeared finding of the same rule on
    the same line are one change."""
    before = {f.identity: f for f in old if f.suppressed is None}
    after = {f.identity: f for f in new if f.suppressed is None}
    added = [f for k, f in after.items() if k not in before]
    resolved = [f for k, f in before.items() if k not in after]
    gone: dict[tuple[str, str, int], list[Finding]] = {}
    for f in resolved:
        gone.setdefault((f.rule, f.location.path, f.location.line), []).append(f)
    changed: list[tuple[Finding, Finding]] = []
    still_added: list[Finding] = []
    for f in added:
        candidates = gone.get((f.rule, f.location.path, f.location.line))
        if candidates:
            changed.append((candidates.pop(0), f))
        else:
            still_added.append(f)
    paired = {id(b) for b, _ in changed}
    return FindingDiff(
        tuple(sorted(still_added, key=_order)),
        tuple(sorted((f for f in resolved if id(f) not in paired), key=_order)),
        tuple(sorted(changed, key=lambda pair: _order(pair[1]))),
    )


def short_path(path: str) -> str:
    """The last two parts of a path: `20261124_x/migration.sql`."""
    parts = path.split("/")
    return "/".join(parts[-2:])


def rule_name(rule: str) -> str:
    r = BY_ID.get(rule)
    return r.name if r else ""


def added_line(f: Finding) -> str:
    return f"+1 {f.severity.label} {f.rule} {rule_name(f.rule)} in {short_path(f.location.path)}"


def resolved_line(f: Finding) -> str:
    return f"resolved: {f.rule} {rule_name(f.rule)} in {short_path(f.location.path)}"


def changed_line(before: Finding, after: Finding) -> str:
    severity = (
        f" {before.severity.label}→{after.severity.label}"
        if before.severity != after.severity
        else ""
    )
    where = short_path(after.location.path)
    return f"changed:{severity} {after.rule} {rule_name(after.rule)} in {where}"


def diff_lines(diff: FindingDiff, limit: int = 4) -> list[str]:
    """The notification's lines, merged (Toolong-style) when a change brings many findings."""
    lines = (
        [added_line(f) for f in diff.added]
        + [resolved_line(f) for f in diff.resolved]
        + [changed_line(b, a) for b, a in diff.changed]
    )
    if len(lines) <= limit:
        return lines
    head = lines[: limit - 1]
    rest = len(lines) - len(head)
    summary = []
    if diff.added:
        summary.append(f"+{len(diff.added)} new")
    if diff.resolved:
        summary.append(f"{len(diff.resolved)} resolved")
    if diff.changed:
        summary.append(f"{len(diff.changed)} changed")
    return [*head, f"... and {rest} more ({', '.join(summary)})"]
