"""The watcher survives (issue 16, point 5): permission errors, editor save patterns, a deleted
and recreated root; and it never watches skipped folders (node_modules, .git, build output).

The `ProjectWatcher` tests drive the watcher alone (no Textual); the app tests check what the
header and the verdict bar say. No sleeps as waits: every wait has a condition and a timeout.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest

import analysis.discover
import tui.watch
from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.watch import ProjectFilter, ProjectWatcher, WatchEvent, watch_dirs

SEED = EXAMPLES / "seed-app"
TIMEOUT = 20.0
POLL_MS = 100
LINUX = sys.platform.startswith("linux")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "seed-app"
    shutil.copytree(SEED, root)
    return root


def add_skipped_folders(root: Path, packages: int = 60) -> None:
    """node_modules with nested packages, a .git folder, build output."""
    for i in range(packages):
        for sub in ("lib", "dist", "lib/internal"):
            (root / "node_modules" / f"pkg{i}" / sub).mkdir(parents=True, exist_ok=True)
        (root / "node_modules" / f"pkg{i}" / "package.json").write_text("{}\n")
    for i in range(20):
        (root / ".git" / "objects" / f"{i:02x}").mkdir(parents=True, exist_ok=True)
    for i in range(10):
        (root / "build" / f"chunk{i}").mkdir(parents=True, exist_ok=True)
        (root / "apps" / "web" / "dist" / f"c{i}").mkdir(parents=True, exist_ok=True)


def inotify_watches() -> int:
    """inotify watches this process holds now (one `inotify wd:` line per watch in fdinfo)."""
    total = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link == "anon_inode:inotify":
            try:
                with open(f"/proc/self/fdinfo/{fd}") as info:
                    total += sum(1 for line in info if line.startswith("inotify wd:"))
            except OSError:
                continue
    return total


class Recorder:
    """Runs a ProjectWatcher in a task and keeps its events."""

    def __init__(self, watcher: ProjectWatcher) -> None:
        self.watcher = watcher
        self.events: list[WatchEvent] = []
        self.stop = asyncio.Event()
        self._new = asyncio.Event()
        self.error: BaseException | None = None

    async def run(self) -> None:
        try:
            async for event in self.watcher.events(self.stop):
                self.events.append(event)
                self._new.set()
        except BaseException as exc:  # the test fails on it
            self.error = exc
            self._new.set()
            raise

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def changed_paths(self, since: int = 0) -> set[str]:
        root = str(self.watcher.root)
        return {
            os.path.relpath(path, root)
            for e in self.events[since:]
            if e.kind == "changes"
            for _, path in e.changes
        }

    async def wait_for(self, kind: str, since: int = 0, timeout: float = TIMEOUT) -> WatchEvent:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            assert self.error is None, self.error
            for e in self.events[since:]:
                if e.kind == kind:
                    return e
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no {kind!r} event; events: {self.events}")
            self._new.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), remaining)

    async def quiet(self, cycles: int = 3) -> None:
        """Let the watcher answer `cycles` times (each answer is a change batch or a
        poll-interval timeout), so that whatever the file system reported has arrived."""
        watcher = self.watcher
        await asyncio.sleep(watcher.poll_ms / 1000 * cycles + watcher.debounce_ms / 1000)


@asynccontextmanager
async def watching(root: Path, **kwargs: object) -> AsyncIterator[Recorder]:
    watcher = ProjectWatcher(root.resolve(), ProjectFilter(root), poll_ms=POLL_MS, **kwargs)  # type: ignore[arg-type]
    rec = Recorder(watcher)
    task = asyncio.create_task(rec.run())
    try:
        await rec.wait_for("watching")
        yield rec
    finally:
        rec.stop.set()
        await asyncio.wait_for(task, TIMEOUT)


# -- skipped folders -----------------------------------------------------------------------------
def test_the_skip_list_is_discovery_s() -> None:
    assert tui.watch.SKIP_DIRS is analysis.discover.SKIP_DIRS


def test_watch_dirs_never_enter_skipped_folders(project: Path) -> None:
    add_skipped_folders(project)
    (project / "src" / "db").mkdir(parents=True)
    (project / "linked").symlink_to(project / "node_modules")
    dirs, truncated = watch_dirs(project)
    assert not truncated
    rels = {os.path.relpath(d, project) for d in dirs}
    expected = {
        os.path.relpath(folder, project)
        for folder, subdirs, _ in os.walk(project)
        if not any(part in analysis.discover.SKIP_DIRS for part in Path(folder).parts)
    }
    assert rels == expected
    assert {"src", "src/db", "apps", "apps/web", "prisma"} <= rels
    for rel in rels:
        assert not set(rel.split("/")) & analysis.discover.SKIP_DIRS, rel
    assert "linked" not in rels  # not through links
    few, cut = watch_dirs(project, limit=3)
    assert cut and len(few) == 3


@pytest.mark.skipif(not LINUX, reason="counts inotify watches in /proc")
async def test_inotify_watches_only_the_project_folders(project: Path) -> None:
    add_skipped_folders(project)
    all_dirs = sum(1 for _ in os.walk(project))
    project_dirs = len(watch_dirs(project)[0])
    assert all_dirs > 200 > project_dirs
    before = inotify_watches()
    async with watching(project) as rec:
        during = inotify_watches() - before
        assert during == project_dirs, (during, project_dirs, all_dirs)
        # npm install: new packages inside node_modules neither re-open watches nor count
        opened = rec.watcher.opened
        mark = len(rec.events)
        for i in range(20):
            (project / "node_modules" / f"new{i}" / "lib").mkdir(parents=True)
            (project / "node_modules" / f"new{i}" / "package.json").write_text("{}\n")
        await rec.quiet()
        assert rec.watcher.opened == opened
        assert rec.changed_paths(mark) == set()
        assert inotify_watches() - before == project_dirs
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while inotify_watches() != before:  # closed with the watcher's thread
        assert loop.time() < deadline, inotify_watches()
        await asyncio.sleep(0.05)


# -- editor saves -------------------------------------------------------------------------------
async def test_editor_save_patterns_are_one_change_each(project: Path) -> None:
    compose = project / "docker-compose.yml"
    text = compose.read_text()
    async with watching(project, debounce_ms=200) as rec:
        # vim: probe 4913, rename the original to a backup~, write the new file, drop the backup
        mark = len(rec.events)
        probe = project / "4913"
        probe.write_text("")
        probe.unlink()
        os.rename(compose, project / "docker-compose.yml~")
        compose.write_text(text + "\n")
        (project / "docker-compose.yml~").unlink()
        await rec.wait_for("changes", mark)
        await rec.quiet()
        batches = [e for e in rec.events[mark:] if e.kind == "changes"]
        assert len(batches) == 1, batches
        assert rec.changed_paths(mark) == {"docker-compose.yml"}
        # write to a temp file and rename it over the original (VS Code, JetBrains, atomic)
        mark = len(rec.events)
        for temp in (".docker-compose.yml.swp", "docker-compose.yml.tmp", "x___jb_tmp___"):
            (project / temp).write_text(text)
            os.replace(project / temp, compose)
        await rec.wait_for("changes", mark)
        await rec.quiet()
        assert rec.changed_paths(mark) == {"docker-compose.yml"}
        # delete and create again
        mark = len(rec.events)
        compose.unlink()
        compose.write_text(text)
        await rec.wait_for("changes", mark)
        await rec.quiet()
        assert rec.changed_paths(mark) == {"docker-compose.yml"}
        # editor leftovers alone are no change at all
        mark = len(rec.events)
        for junk in ("4913", ".#schema.prisma", "schema.prisma~", ".schema.prisma.swp", "#x#"):
            (project / "prisma" / junk).write_text("x")
        for junk in ("4913", ".#schema.prisma", "schema.prisma~", ".schema.prisma.swp", "#x#"):
            (project / "prisma" / junk).unlink()
        await rec.quiet()
        assert [e for e in rec.events[mark:] if e.kind == "changes"] == []
        assert "problem" not in rec.kinds()


async def test_a_new_folder_is_watched_before_its_changes_are_reported(project: Path) -> None:
    async with watching(project) as rec:
        mark = len(rec.events)
        folder = project / "prisma" / "migrations" / "20990101000000_new"
        folder.mkdir()
        (folder / "migration.sql").write_text('DROP TABLE "session";\n')
        await rec.wait_for("changes", mark)
        assert str(folder) in rec.watcher.watched
        mark = len(rec.events)
        (folder / "migration.sql").write_text('DROP TABLE "user";\n')  # seen: it is watched
        await rec.wait_for("changes", mark)
        assert rec.changed_paths(mark) == {"prisma/migrations/20990101000000_new/migration.sql"}
        mark = len(rec.events)
        shutil.rmtree(folder)
        await rec.wait_for("changes", mark)
        await rec.quiet()
        assert str(folder) not in rec.watcher.watched


# -- permission errors --------------------------------------------------------------------------
def test_the_filter_never_raises_on_permission_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Path.is_dir` raises PermissionError below a folder without search permission (the
    crash that stopped the watcher for good); the filter answers instead."""
    real_stat = os.stat

    def denied(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if "locked" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tui.watch.os, "stat", denied)
    f = ProjectFilter(tmp_path)
    assert f(None, str(tmp_path / "locked" / "notes.txt")) is False
    assert f(None, str(tmp_path / "locked" / "docker-compose.yml")) is True


async def test_a_failing_filter_or_watch_does_not_stop_the_watcher(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = project / "docker-compose.yml"
    calls = {"n": 0}
    real_open = tui.watch.open_notify

    def flaky_open(dirs: list[str], polling: bool) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise PermissionError(13, "Permission denied")
        return real_open(dirs, polling)

    monkeypatch.setattr(tui.watch, "open_notify", flaky_open)
    async with watching(project, retry_seconds=(0.05,)) as rec:
        original = rec.watcher.filter.__class__.__call__

        def raising(self: ProjectFilter, change: object, path: str) -> bool:
            if path.endswith("trap.sh"):
                raise PermissionError(13, "Permission denied", path)
            return original(self, change, path)

        monkeypatch.setattr(ProjectFilter, "__call__", raising)
        mark = len(rec.events)
        (project / "trap.sh").write_text("echo\n")
        await rec.wait_for("changes", mark)  # a failing filter: analyze again, keep going
        # a new folder re-opens the watches; that open fails once, then works again
        mark = len(rec.events)
        (project / "docs").mkdir()
        problem = await rec.wait_for("problem", mark)
        assert "Permission denied" in problem.detail
        await rec.wait_for("watching", mark)
        mark = len(rec.events)
        compose.write_text(compose.read_text() + "\n")
        await rec.wait_for("changes", mark)
        assert "docker-compose.yml" in rec.changed_paths(mark)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
async def test_an_unreadable_folder_is_left_out_and_watched_once_readable(project: Path) -> None:
    locked = project / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        async with watching(project) as rec:
            assert str(locked) not in rec.watcher.watched
            locked.chmod(0o755)
            await rec.quiet()
            assert str(locked) in rec.watcher.watched
            mark = len(rec.events)
            (locked / "start.sh").write_text("echo\n")
            await rec.wait_for("changes", mark)
            assert "problem" not in rec.kinds()
    finally:
        locked.chmod(0o755)


# -- the root goes away and comes back ------------------------------------------------------------
async def test_a_deleted_root_is_reported_once_and_watched_again_when_recreated(
    tmp_path: Path,
) -> None:
    root = tmp_path / "app"
    shutil.copytree(SEED, root)
    async with watching(root) as rec:
        mark = len(rec.events)
        shutil.rmtree(root)
        await rec.wait_for("gone", mark)
        await rec.quiet()
        assert rec.kinds()[mark:].count("gone") == 1
        assert rec.watcher.watched == frozenset()
        shutil.copytree(SEED, root)
        await rec.wait_for("back", mark)
        await rec.wait_for("watching", mark)
        assert str(root / "prisma") in rec.watcher.watched
        mark = len(rec.events)
        (root / "docker-compose.yml").write_text("services: {}\n")
        await rec.wait_for("changes", mark)
        assert rec.changed_paths(mark) == {"docker-compose.yml"}
        # moved away and replaced by another folder between two polls
        mark = len(rec.events)
        os.rename(root, tmp_path / "app.old")
        shutil.copytree(SEED, root)
        await rec.wait_for("back", mark)
        mark = len(rec.events)
        (root / "docker-compose.yml").write_text("services: {}\n")
        (tmp_path / "app.old" / "docker-compose.yml").write_text("services: {}\n")
        await rec.wait_for("changes", mark)
        await rec.quiet()
        assert rec.changed_paths(mark) == {"docker-compose.yml"}
        assert all(
            path.startswith(str(root) + os.sep)
            for e in rec.events[mark:]
            if e.kind == "changes"
            for _, path in e.changes
        )


async def test_the_inspector_says_the_root_is_gone_and_resumes(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(SEED, root)
    app = KeepdataApp(root, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await app.wait_for_analysis()
        assert first.files
        loop = asyncio.get_running_loop()

        async def until_state(state: str) -> None:
            deadline = loop.time() + TIMEOUT
            while app.watch_state != state:
                assert loop.time() < deadline, app.watch_state
                await pilot.pause(0.05)

        await until_state("watching")
        shutil.rmtree(root)
        await until_state("gone")
        header = str(app.header.render())
        bar = str(app.query_one("#verdict-bar").render())
        assert "gone" in header and "watching" not in header.replace("waiting", "")
        assert "NO VERDICT" in bar and "SAFE" not in bar.replace("UNSAFE", "")
        # a rescan while it is gone analyzes nothing and shows no verdict
        await pilot.press("r")
        await pilot.pause()
        await app.wait_for_analysis()
        assert app.snapshot is first  # the last analysis stays; nothing landed over it
        assert app.watch_state == "gone"
        assert "NO VERDICT" in str(app.query_one("#verdict-bar").render())
        shutil.copytree(SEED, root)
        await until_state("watching")
        snapshot = await app.wait_for_analysis()
        assert snapshot.files == first.files
        assert "NO VERDICT" not in str(app.query_one("#verdict-bar").render())
        # and it is watched again
        compose = root / "docker-compose.yml"
        compose.write_text(
            compose.read_text().replace("      - postgres_data:/var/lib/postgresql/data\n", "")
        )
        deadline = loop.time() + TIMEOUT
        while not any(f.rule == "KD101" for f in app.snapshot.active):
            assert loop.time() < deadline
            await pilot.pause(0.05)


def test_an_analysis_of_a_missing_root_is_no_verdict(tmp_path: Path) -> None:
    from tui.watch import take_snapshot

    snapshot = take_snapshot(tmp_path / "nowhere", "nowhere")
    assert snapshot.root_missing
    assert snapshot.verdict is None and not snapshot.findings


async def test_no_watch_rescan_of_a_deleted_root_shows_no_verdict(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(SEED, root)
    app = KeepdataApp(root, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await app.wait_for_analysis()
        shutil.rmtree(root)
        await pilot.press("r")
        await app.wait_for_analysis()
        await pilot.pause()
        assert app.snapshot is first
        assert "gone" in str(app.header.render())
        assert "NO VERDICT" in str(app.query_one("#verdict-bar").render())
        shutil.copytree(SEED, root)
        await pilot.press("r")
        await app.wait_for_analysis()
        await pilot.pause()
        assert "gone" not in str(app.header.render())
        assert "NO VERDICT" not in str(app.query_one("#verdict-bar").render())
        assert app.watch_state == "off"
