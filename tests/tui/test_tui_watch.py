"""Watching: edits, atomic saves, new, deleted and renamed files and parse errors reach the
screen; no sleeps: the tests wait for analyses to land (an asyncio.Event behind
`KeepdataApp.wait_for_analysis`) with a timeout."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Finding
from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.panes.findings import finding_key
from tui.watch import ProjectFilter, Snapshot, diff_findings, diff_lines, is_editor_temp

SEED = EXAMPLES / "seed-app"
PUSH_LINE = "  npx prisma db push\n"
TIMEOUT = 20.0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "seed-app"
    shutil.copytree(SEED, root)
    return root


async def until(
    app: KeepdataApp, check: Callable[[Snapshot], bool], timeout: float = TIMEOUT
) -> Snapshot:
    """Wait, without sleeping, until an analysis lands whose snapshot passes `check`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    snapshot = app.snapshot
    while snapshot is None or not check(snapshot):
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError("the expected analysis never landed")
        snapshot = await app.wait_for_analysis(after=app.analyses_landed, timeout=remaining)
    return snapshot


def rules(snapshot: Snapshot) -> set[str]:
    return {f.rule for f in snapshot.active}


def has(rule: str) -> Callable[[Snapshot], bool]:
    return lambda s: rule in rules(s)


def lacks(rule: str) -> Callable[[Snapshot], bool]:
    return lambda s: rule not in rules(s)


def kd201_applies(root: Path) -> bool:
    script = root / "scripts" / "wait-for-db.sh"
    original = script.read_text()
    script.write_text(original.replace(PUSH_LINE, "  npx prisma db push --accept-data-loss\n"))
    try:
        return any(f.rule == "KD201" for f in analyze(root).findings)
    finally:
        script.write_text(original)


async def start(app: KeepdataApp, pilot) -> Snapshot:  # type: ignore[no-untyped-def]
    snapshot = await app.wait_for_analysis()
    await pilot.pause()
    assert app.watch_state == "watching"
    return snapshot


async def test_accept_data_loss_appears_then_resolves(project: Path) -> None:
    script = project / "scripts" / "wait-for-db.sh"
    original = script.read_text()
    assert PUSH_LINE in original
    if not kd201_applies(project):
        pytest.skip("KD201 is not reported by the analysis yet")
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await start(app, pilot)
        assert "KD201" not in rules(first)
        await pilot.press("5")
        table = app.findings_pane.table
        before_keys = table.keys
        script.write_text(original.replace(PUSH_LINE, "  npx prisma db push --accept-data-loss\n"))
        changed = await until(app, has("KD201"))
        kd201 = next(f for f in changed.active if f.rule == "KD201")
        assert kd201.location.path == "scripts/wait-for-db.sh"
        assert any(n.startswith("+1 ") and "KD201" in n for n in app.notices), app.notices
        assert finding_key(kd201) in table.keys
        assert set(before_keys) <= set(table.keys) | {k for k in before_keys if k not in table.keys}
        script.write_text(original)
        await until(app, lacks("KD201"))
        assert any(n.startswith("resolved: KD201") for n in app.notices), app.notices
        assert finding_key(kd201) not in table.keys


async def test_edit_keeps_cursor_and_open_drill_down(project: Path) -> None:
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await start(app, pilot)
        assert first.active, "the seed app has at least informational findings"
        await pilot.press("5", "end")
        table = app.findings_pane.table
        cursor_key = table.cursor_key
        await pilot.press("enter")
        await pilot.pause()
        shown = app.drilldown.current_finding()
        assert shown is not None
        # an edit that adds a finding elsewhere: the database loses its volume
        compose = project / "docker-compose.yml"
        text = compose.read_text()
        compose.write_text(text.replace("      - postgres_data:/var/lib/postgresql/data\n", ""))
        changed = await until(app, lambda s: bool(diff_findings(first.findings, s.findings)))
        assert diff_findings(first.findings, changed.findings).added
        assert app.drilldown_open
        assert app.drilldown.current_finding() is not None
        assert app.drilldown.current_finding().identity == shown.identity
        assert table.cursor_key == cursor_key


async def test_atomic_save_new_deleted_and_renamed_files(project: Path) -> None:
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(app, pilot)
        # an editor's atomic save: write a temp file beside it, rename it over the original
        compose = project / "docker-compose.yml"
        text = compose.read_text().replace(
            "      - postgres_data:/var/lib/postgresql/data\n", "      - /var/lib/postgresql/data\n"
        )
        tmp = project / ".docker-compose.yml.swp"
        tmp.write_text(text)
        os.replace(tmp, compose)
        await until(app, has("KD104"))
        # a new migration folder with a destructive statement
        folder = project / "prisma" / "migrations" / "20990101000000_drop_sessions"
        folder.mkdir()
        (folder / "migration.sql").write_text('-- DropTable\nDROP TABLE "session";\n')
        snapshot = await until(app, has("KD601"))
        drop = next(f for f in snapshot.active if f.rule == "KD601")
        assert drop.location.path == "prisma/migrations/20990101000000_drop_sessions/migration.sql"
        assert any("KD601" in n and n.startswith("+1") for n in app.notices)
        # renamed: the finding follows the folder
        renamed = folder.with_name("20990101000000_drop_the_sessions")
        folder.rename(renamed)
        snapshot = await until(
            app,
            lambda s: any(
                f.rule == "KD601" and "drop_the_sessions" in f.location.path for f in s.active
            ),
        )
        # deleted: the finding is resolved
        shutil.rmtree(renamed)
        await until(app, lacks("KD601"))
        assert any(n.startswith("resolved: KD601") for n in app.notices)


async def test_a_parse_error_while_typing_is_a_finding_not_a_crash(project: Path) -> None:
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(app, pilot)
        compose = project / "docker-compose.yml"
        good = compose.read_text()
        compose.write_text(good + "  broken: [unclosed\n    - : :\n")
        snapshot = await until(app, has("KD001"))
        bad = next(f for f in snapshot.active if f.rule == "KD001")
        assert bad.location.path == "docker-compose.yml"
        assert app.query_one("#findings-table").row_count > 0  # type: ignore[attr-defined]
        assert app.is_running
        compose.write_text(good)
        await until(app, lacks("KD001"))


async def test_a_broken_keepdata_toml_is_reported_and_defaults_are_used(project: Path) -> None:
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(app, pilot)
        (project / "keepdata.toml").write_text("fail_on = [unclosed\n")
        snapshot = await until(app, has("KD001"))
        bad = next(f for f in snapshot.active if f.rule == "KD001")
        assert bad.location.path == "keepdata.toml"
        assert "default settings" in bad.message


async def test_pause_holds_changes_until_resumed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = asyncio.Event()
    original = ProjectFilter.__call__

    def spy(self: ProjectFilter, change: object, path: str) -> bool:
        if path.endswith("marker.sh"):
            seen.set()
        return original(self, change, path)

    monkeypatch.setattr(ProjectFilter, "__call__", spy)
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(app, pilot)
        await pilot.press("P")
        assert app.watch_state == "paused"
        requested = app.analyses_requested
        compose = project / "docker-compose.yml"
        compose.write_text(
            compose.read_text().replace("      - postgres_data:/var/lib/postgresql/data\n", "")
        )
        (project / "marker.sh").write_text("echo\n")
        await asyncio.wait_for(seen.wait(), TIMEOUT)  # the watcher saw the changes...
        await pilot.pause()
        assert app.analyses_requested == requested  # ...and held them
        assert app._changes_while_paused
        await pilot.press("P")
        assert app.watch_state == "watching"
        await until(app, has("KD101"))


def test_filter_keeps_what_the_analysis_reads_and_skips_the_rest(tmp_path: Path) -> None:
    (tmp_path / "prisma" / "migrations" / "1_init").mkdir(parents=True)
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    f = ProjectFilter(tmp_path, known=["docker/entry", "prisma/migrations/1_init/migration.sql"])
    root = str(tmp_path)
    keep = [
        "docker-compose.yml",
        "prisma/schema.prisma",
        "prisma/migrations/1_init/migration.sql",
        "scripts/start.sh",
        "docker/entry",  # read by the analysis, not a known kind
        "prisma/migrations/1_init",  # a folder that holds a read file (renamed, deleted)
        "Dockerfile",
        ".env",
        "keepdata.toml",
        "deploy/stack.yaml",  # maybe a compose file by its content
    ]
    drop = [
        "node_modules/x/package.json",
        ".git/index",
        "dist/docker-compose.yml",
        "src/index.ts",
        "README.md",
        "prisma/.schema.prisma.swp",
        "docker-compose.yml~",
        "4913",
    ]
    for rel in keep:
        assert f(None, os.path.join(root, rel)), rel
    for rel in drop:
        assert not f(None, os.path.join(root, rel)), rel
    assert not f(None, "/elsewhere/docker-compose.yml")
    assert is_editor_temp(".#schema.prisma") and not is_editor_temp("schema.prisma")


def test_diff_lines_name_the_change_and_merge_floods() -> None:
    from analysis.model import Location, Severity

    a = Finding(
        "KD602",
        Severity.HIGH,
        "drops column",
        Location("prisma/migrations/20261124_x/migration.sql", 3),
    )
    b = Finding("KD201", Severity.CRITICAL, "accept data loss", Location("scripts/start.sh", 9))
    diff = diff_findings([b], [a])
    assert diff_lines(diff) == [
        "+1 high KD602 drop-column in 20261124_x/migration.sql",
        "resolved: KD201 db-push-accept-data-loss in scripts/start.sh",
    ]
    old = Finding("KD206", Severity.LOW, "fallback", Location("scripts/start.sh", 33))
    new = Finding(
        "KD206", Severity.MEDIUM, "fallback, now forced", Location("scripts/start.sh", 33)
    )
    changed = diff_findings([old], [new])
    assert changed.changed == ((old, new),) and not changed.added and not changed.resolved
    assert diff_lines(changed) == ["changed: low→medium KD206 db-push-fallback in scripts/start.sh"]
    many = [
        Finding("KD601", Severity.HIGH, f"drop {i}", Location(f"m/{i}/migration.sql", 1))
        for i in range(10)
    ]
    lines = diff_lines(diff_findings([], many))
    assert len(lines) == 4 and lines[-1].startswith("... and 7 more (+10 new)")


@pytest.mark.slow
async def test_a_thousand_rapid_saves_end_equal_to_a_fresh_analysis(project: Path) -> None:
    import threading

    from analysis.settings import load

    compose = project / "docker-compose.yml"
    original = compose.read_text()
    app = KeepdataApp(project, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(app, pilot)
        threads = threading.active_count()
        peak = threads
        for i in range(999):
            compose.write_text(original + f"# save {i}\n")
            if i % 10 == 0:
                await asyncio.sleep(0)  # let the watcher and the workers run meanwhile
            peak = max(peak, threading.active_count())
        compose.write_text(original.replace("      - postgres_data:/var/lib/postgresql/data\n", ""))
        await until(
            app,
            lambda s: "KD101" in rules(s) and not app.analyzing,
            timeout=60,
        )
        fresh = analyze(project, load(project))
        assert {f.identity for f in app.snapshot.active} == {f.identity for f in fresh.active}
        assert len(app.findings_pane.table.keys) == len(fresh.active)
        assert app.analyses_requested < 999  # debounced: far fewer analyses than saves
        # bounded by the worker pool (asyncio's default executor), not by the number of saves
        pool = min(32, (os.cpu_count() or 1) + 4)
        assert peak <= threads + pool
        assert threading.active_count() <= threads + pool
