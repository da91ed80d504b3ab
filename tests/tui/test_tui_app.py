"""Pilot tests of the inspector: every pane, the drill-down, navigation, filter, export, keys."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from textual.widgets import Input, RadioSet, TabbedContent

from analysis.model import Severity
from analysis.secrets import safe_text
from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.messages import DrillTarget
from tui.modals.export_dialog import ExportDialog, export_path
from tui.modals.keys_screen import KeysScreen
from tui.panes.findings import parse_filter, short_location
from tui.widgets.keyed_table import KeyedTable

SEED = EXAMPLES / "seed-app"
RISKY = EXAMPLES / "risky-app"


def make_app(root: Path, **kwargs: object) -> KeepdataApp:
    return KeepdataApp(root, watch=False, mask_volatile=True, **kwargs)  # type: ignore[arg-type]


async def test_every_pane_on_its_number_key() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        await pilot.pause()
        tabs = app.query_one("#panes", TabbedContent)
        for key, pane in zip(
            "12345", ("overview", "volumes", "migrations", "relations", "findings"), strict=True
        ):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == pane
            focused = app.focused
            assert focused is not None and f"{pane}-pane" in {a.id for a in focused.ancestors}
        findings = app.query_one("#findings-table", KeyedTable)
        assert findings.row_count == len(snapshot.active) > 0
        checklist = app.query_one("#checklist-table", KeyedTable)
        assert checklist.row_count >= len(snapshot.checklist.items)
        mounts = app.query_one("#mounts-table", KeyedTable)
        db_services = {d.service for d in snapshot.fact("databases")}
        assert db_services and all(
            any(key.split("|")[1] == s for key in mounts.keys) for s in db_services
        )
        history = app.query_one("#history-table", KeyedTable)
        assert history.row_count == sum(len(h.migrations) for h in snapshot.fact("migrations"))
        assert "Findings (" in str(tabs.get_tab("findings").label)


async def test_header_and_verdict_bar_show_state_and_counts() -> None:
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        await pilot.pause()
        header = str(app.query_one("#status-header").render())
        assert "seed-app" in header and "one-shot" in header and "--:--:--" in header
        bar = str(app.query_one("#verdict-bar").render())
        counts = snapshot.counts()
        for sev in Severity:
            assert f"{counts[sev]} {sev.label}" in bar
        assert str(snapshot.verdict.level) in bar


async def test_enter_on_a_finding_opens_the_drill_down_at_its_line() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.drilldown_open
        f = app.drilldown.current_finding()
        assert f is not None and f == app.findings_pane.shown_findings[1]
        code = app.drilldown.code
        assert code.path == f.location.path
        assert f.location.line in code.marked
        assert code.scroll_y <= f.location.line - 1 < code.scroll_y + code.size.height
        title = str(app.query_one("#drill-title").render())
        assert f.rule in title
        explain = str(app.query_one("#drill-explain").render())
        assert "Fix:" in explain or "Why:" in explain or f.rule in explain
        await pilot.press("escape")
        await pilot.pause()
        assert not app.drilldown_open
        assert app.focused is app.query_one("#findings-table")


async def test_n_and_p_step_through_findings_in_the_table_order() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "enter")
        await pilot.pause()
        order = app.findings_pane.shown_findings
        assert app.drilldown.current_finding() == order[0]
        await pilot.press("n", "n")
        assert app.drilldown.current_finding() == order[2]
        await pilot.press("p")
        assert app.drilldown.current_finding() == order[1]
        await pilot.press("p", "p")
        assert app.drilldown.current_finding() == order[-1]
        # the table's cursor follows
        assert app.findings_pane.table.cursor_row == len(order) - 1


async def test_p_pauses_outside_the_drill_down_and_P_everywhere(tmp_path: Path) -> None:
    app = KeepdataApp(SEED, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        assert app.watch_state == "watching"
        assert app.active_bindings["p"].binding.description == "Pause"
        await pilot.press("p")
        assert app.watch_state == "paused"
        assert "paused" in str(app.header.render())
        await pilot.pause()
        assert app.active_bindings["p"].binding.description == "Resume"  # the footer says so
        await pilot.press("p")
        assert app.watch_state == "watching"
        await pilot.press("5", "enter")
        await pilot.pause()
        before = app.drilldown.current_finding()
        await pilot.press("p")  # inside the drill-down: previous finding, not pause
        assert app.watch_state == "watching"
        assert before is not None
        await pilot.press("P")
        assert app.watch_state == "paused"
        await pilot.press("q")


async def test_filter_by_text_severity_area_and_rule() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"sev:critical")
        await pilot.pause()
        shown = app.findings_pane.shown_findings
        critical = [f for f in snapshot.active if f.severity == Severity.CRITICAL]
        assert len(shown) == len(critical) > 0
        assert app.findings_pane.table.row_count == len(critical)
        # typing digits in the filter does not switch panes
        app.findings_pane.set_filter("")
        await pilot.press("1")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "findings"
        app.findings_pane.set_filter("area:persistence rule:KD1")
        await pilot.pause()
        assert app.findings_pane.shown_findings
        assert all(f.rule.startswith("KD1") for f in app.findings_pane.shown_findings)
        app.findings_pane.set_filter("tmpfs")
        await pilot.pause()
        assert app.findings_pane.shown_findings
        assert all(
            "tmpfs" in (f.message + f.rule).lower() or "tmpfs" in f.location.path
            for f in app.findings_pane.shown_findings
        ) or any(f.rule == "KD105" for f in app.findings_pane.shown_findings)
        await pilot.press("escape")
        await pilot.pause()
        assert app.findings_pane.shown_findings == tuple(
            sorted(snapshot.active, key=lambda f: (-int(f.severity), f.sort_key))
        )


def test_short_location_keeps_the_last_two_parts_of_long_paths() -> None:
    assert short_location("docker-compose.yml") == "docker-compose.yml"
    long = "prisma/migrations/20240415093000_cart_cleanup/migration.sql"
    assert short_location(long) == "…/20240415093000_cart_cleanup/migration.sql"
    assert short_location(long, 30) == "…/2024041509300…/migration.sql"
    assert len(short_location(long, 30)) <= 30


def test_parse_filter_terms() -> None:
    f = parse_filter("sev>=high area:schema rule:KD5,cascade  user")
    assert f.severities == {Severity.HIGH, Severity.CRITICAL}
    assert f.areas == {"schema"}
    assert f.rules == ("kd5", "cascade")
    assert f.words == ("user",)
    bad = parse_filter("sev:urgent area:nowhere")
    assert bad.problems == ("sev:urgent", "area:nowhere")


async def test_sort_keys_and_header_clicks_reorder_rows() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5")
        pane = app.findings_pane
        assert pane.sort == "severity" and not pane.reverse
        await pilot.press("s")
        assert pane.reverse
        assert pane.shown_findings[0].severity <= pane.shown_findings[-1].severity
        await pilot.press("s")
        assert pane.sort == "location" and not pane.reverse
        keys = [f.sort_key for f in pane.shown_findings]
        assert keys == sorted(keys)
        table = pane.table
        first_row = table.get_row_at(0)
        first = pane.shown_findings[0].location
        assert str(first_row[2]) == f"{short_location(first.path)}:{first.line}"
        assert str(first_row[0]) == pane.shown_findings[0].severity.label


async def test_a_narrow_findings_table_abbreviates_severity_and_paths() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(70, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5")
        await pilot.pause()
        pane = app.findings_pane
        assert pane.compact
        labels = {str(pane.table.get_row_at(i)[0]) for i in range(pane.table.row_count)}
        assert labels <= {"crit", "high", "med", "low", "info"}
        assert all(len(str(pane.table.get_row_at(i)[2])) <= 36 for i in range(pane.table.row_count))
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert not pane.compact
        assert str(pane.table.get_row_at(0)[0]) == pane.shown_findings[0].severity.label


async def test_export_markdown_json_sarif_and_svg(tmp_path: Path) -> None:
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        for fmt, check in (
            ("md", lambda t: t.lstrip().startswith("#")),
            ("json", lambda t: t.lstrip().startswith("{")),
            ("sarif", lambda t: '"2.1.0"' in t),
            ("svg", lambda t: t.lstrip().startswith("<svg")),
        ):
            target = tmp_path / f"out.{fmt}"
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one(f"#export-{fmt}").value = True  # type: ignore[attr-defined]
            await pilot.pause()
            assert dialog.fmt == fmt
            dialog.query_one("#export-path", Input).value = str(target)
            await pilot.click("#export-write")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert target.exists(), fmt
            assert check(target.read_text(encoding="utf-8")), fmt
            assert app.last_export == target
            assert not isinstance(app.screen, ExportDialog)


async def test_export_dialog_follows_the_format_until_a_path_is_typed() -> None:
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        box = dialog.query_one("#export-path", Input)
        # the export lands in the analyzed project's root, and the dialog says so
        assert export_path(box.value, dialog.folder) == SEED.resolve() / "keepdata-report.md"
        assert "seed-app" in str(dialog.query_one("#export-folder").render())
        dialog.query_one("#export-sarif").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        assert box.value.endswith("keepdata-report.sarif")
        box.value = "/tmp/mine.txt"
        dialog.query_one("#export-json").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        assert box.value == "/tmp/mine.txt"
        assert isinstance(dialog.query_one("#export-format"), RadioSet)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)


async def test_question_mark_lists_every_binding_with_a_description() -> None:
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        rows = app.screen.rows()
        keys = {key for _, key, _ in rows}
        for key in ("1", "5", "/", "n", "p", "P", "e", "r", "?", "q", "o", "y", "[", "]", "s", "g"):
            assert key in keys, key
        # one row per key in each group (p pauses and resumes: one row saying both)
        pairs = [(where, key) for where, key, _ in rows]
        assert len(pairs) == len(set(pairs))
        await pilot.press("escape")
        assert not isinstance(app.screen, KeysScreen)


async def test_a_failing_watcher_shows_error_in_the_header_and_recovers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A watch that cannot be opened is an error in the header, retried until it works."""
    import tui.watch

    working = tui.watch.open_notify

    def broken(dirs: list[str], polling: bool) -> object:
        raise OSError("the watcher is broken")

    monkeypatch.setattr(tui.watch, "open_notify", broken)
    app = KeepdataApp(SEED, watch=True, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        while app.watch_state != "error":
            await pilot.pause(0.05)
        assert "error" in str(app.header.render())
        assert "the watcher is broken" in str(app.header.render())
        assert app.snapshot is not None  # the last analysis stays on screen
        monkeypatch.setattr(tui.watch, "open_notify", working)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while app.watch_state != "watching" and loop.time() < deadline:
            await pilot.pause(0.05)
        assert app.watch_state == "watching"
        assert "broken" not in str(app.header.render())


async def test_an_analysis_crash_is_a_finding_and_the_screen_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tui.watch

    def crash(root: object, settings: object = None) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(tui.watch, "run", crash)
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        await pilot.pause()
        assert snapshot.error and [f.rule for f in snapshot.active] == ["KD001"]
        assert "boom" in snapshot.active[0].message
        assert "analysis failed" in str(app.header.render())
        await pilot.press("5")
        assert app.findings_pane.table.row_count == 1
        monkeypatch.undo()
        before = app.analyses_landed
        await pilot.press("r")
        fixed = await app.wait_for_analysis(after=before)
        await pilot.pause()
        assert not fixed.error
        assert "analysis failed" not in str(app.header.render())


def test_every_binding_has_an_id_a_description_and_a_tooltip() -> None:
    from textual.binding import Binding

    from tui.drilldown import DrillDown
    from tui.modals.export_dialog import ExportDialog as Dialog
    from tui.panes.findings import FindingsPane
    from tui.panes.relations import RelationsPane

    for owner in (KeepdataApp, DrillDown, FindingsPane, RelationsPane, Dialog, KeysScreen):
        for b in owner.BINDINGS:
            assert isinstance(b, Binding)
            assert b.id and b.description and b.tooltip, (owner.__name__, b.key)


async def test_command_palette_switches_panes_and_applies_filter_presets() -> None:
    from tui.commands import FILTER_PRESETS, KeepdataCommands

    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        provider = KeepdataCommands(app.screen)
        names = {name: run for name, run, _ in provider.commands()}
        for title in ("Pane: Volumes", "Export report…", "Rescan now", "Pause watching"):
            assert title in names
        assert all(title in names for title, _, _ in FILTER_PRESETS)
        names["Pane: Relations"]()
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "relations"
        names["Filter: high and above"]()
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "findings"
        expected = [f for f in snapshot.active if f.severity >= Severity.HIGH]
        assert len(app.findings_pane.shown_findings) == len(expected)
        hits = [h async for h in provider.search("migrations")]
        assert any("Migrations" in str(h.text or h.match_display) for h in hits)


async def test_overview_lists_evidence_of_the_highlighted_item_and_opens_it() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        await pilot.pause()
        table = app.query_one("#checklist-table", KeyedTable)
        first = snapshot.checklist.items[0]
        assert table.cursor_key == first.id
        evidence = app.query_one("#evidence-table", KeyedTable)
        assert evidence.row_count == max(1, len(first.evidence))
        await pilot.press("enter")
        assert app.focused is evidence
        await pilot.press("enter")
        await pilot.pause()
        assert app.drilldown_open
        ev = first.evidence[0]
        assert app.drilldown.location is not None
        assert app.drilldown.location.path == ev.location.path


async def test_volumes_migrations_and_relations_rows_open_the_drill_down() -> None:
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("2", "down", "enter")
        await pilot.pause()
        assert app.drilldown_open and app.drilldown.location.path == "docker-compose.yml"
        await pilot.press("escape", "3")
        history = app.query_one("#history-table", KeyedTable)
        history.focus()
        await pilot.press("enter")  # focus the statements of the first migration
        assert app.focused is app.query_one("#statements-table")
        await pilot.press("enter")
        await pilot.pause()
        assert app.drilldown_open
        loc = app.drilldown.location
        assert loc is not None and loc.path.endswith("migration.sql")
        await pilot.press("escape", "4")
        await pilot.pause()
        edges = app.query_one("#edges-table", KeyedTable)
        edges.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.drilldown_open
        assert app.drilldown.location.path == "prisma/schema.prisma"


async def test_relations_type_to_search_focuses_a_model() -> None:
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("4")
        app.query_one("#model-search", Input).focus()
        await pilot.press(*"memb")
        await pilot.pause()
        text = str(app.query_one("#cascade-text").render())
        assert "Member" in text
        edges = app.query_one("#edges-table", KeyedTable)
        assert any("Member." in k or "Member" in k for k in edges.keys)
        app.query_one("#model-search", Input).value = "user"
        await pilot.pause()
        text = str(app.query_one("#cascade-text").render())
        assert text.startswith("Deleting one User deletes:")
        for child in ("Session", "Account", "Member"):
            assert child in text


@pytest.mark.parametrize("size", [(70, 40), (120, 40)])
async def test_narrow_and_wide_layouts(size: tuple[int, int]) -> None:
    app = make_app(RISKY)
    async with app.run_test(size=size) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "enter")
        await pilot.pause()
        panes = app.query_one("#panes")
        drill = app.drilldown
        if size[0] < 100:
            assert app.screen.has_class("-narrow")
            assert not panes.display or panes.size.width == 0 or panes.region.width == 0
            assert drill.region.width == size[0]
        else:
            assert app.screen.has_class("-wide")
            assert panes.region.width > 0 and drill.region.width > 0
            assert panes.region.x < drill.region.x


async def test_drill_down_copies_the_location_and_opens_the_editor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setenv("EDITOR", "vim -n")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr("tui.drilldown.subprocess.call", lambda argv: calls.append(argv) or 0)
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "enter")
        await pilot.pause()
        f = app.drilldown.current_finding()
        assert f is not None
        await pilot.press("o")  # a headless driver cannot suspend: a notification, no editor
        assert calls == []
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
        await pilot.press("y")
        assert app.clipboard == f"{f.location.path}:{f.location.line}"
        await pilot.press("o")
        assert calls == [
            ["vim", "-n", f"+{f.location.line}", str(RISKY.resolve() / f.location.path)]
        ]


def test_editor_command_shapes() -> None:
    from tui.drilldown import editor_command

    assert editor_command("code --wait", "/p/a.yml", 3) == [
        "code",
        "--wait",
        "--goto",
        "/p/a.yml:3",
    ]
    assert editor_command("hx", "/p/a.yml", 3) == ["hx", "/p/a.yml:3"]
    assert editor_command("nano", "/p/a.yml", 3) == ["nano", "+3", "/p/a.yml"]


async def test_related_locations_jump_with_brackets() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        with_related = next(f for f in snapshot.active if f.related)
        app.open_drilldown(DrillTarget.of_finding(with_related))
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        rel = with_related.related[0].location
        assert app.drilldown.location == rel
        assert app.drilldown.code.path == rel.path and rel.line in app.drilldown.code.marked
        await pilot.press("left_square_bracket")
        assert app.drilldown.location == with_related.location


async def test_drill_down_masks_secrets_from_the_file() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(120, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        f = next(f for f in snapshot.active if f.rule in ("KD401", "KD402", "KD304"))
        app.open_drilldown(DrillTarget.of_finding(f))
        await pilot.pause()
        raw = (RISKY / f.location.path).read_text().splitlines()[f.location.line - 1]
        shown = app.drilldown.code.line_text(f.location.line)
        assert shown == safe_text(raw).rstrip("\n")
        if safe_text(raw) != raw:
            assert "****" in shown


async def test_drill_down_lands_on_the_line_of_every_risky_app_finding() -> None:
    app = make_app(RISKY)
    async with app.run_test(size=(100, 40)) as pilot:
        snapshot = await app.wait_for_analysis()
        checked = 0
        for f in snapshot.active:
            app.open_drilldown(DrillTarget.of_finding(f))
            await pilot.pause()
            code = app.drilldown.code
            assert code.path == f.location.path, f
            text = snapshot.text_of(f.location.path)
            if text is None:  # a folder or a file keepdata could not read (KD002)
                continue
            lines = text.splitlines()
            assert 1 <= f.location.line <= max(1, len(lines)), f
            assert f.location.line in code.marked, f
            top = int(code.scroll_y)
            assert top <= f.location.line - 1 < top + code.scrollable_content_region.height, f
            assert code.line_text(f.location.line) == lines[f.location.line - 1], f
            checked += 1
        assert checked >= len(snapshot.active) * 0.9


def test_quit_stops_the_watcher_and_leaves_no_threads(tmp_path: Path) -> None:
    """Run the app in its own event loop, as `keepdata` does, quit with q: the watcher, the
    analysis workers and their threads are gone when the loop ends."""
    import asyncio
    import shutil
    import threading

    root = tmp_path / "app"
    shutil.copytree(SEED, root)
    before = {t.ident for t in threading.enumerate()}
    app = KeepdataApp(root, watch=True, mask_volatile=True)

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_for_analysis()
            await pilot.pause()
            assert app.watch_state == "watching"
            app.request_analysis("rescan")
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(scenario())
    assert app.return_value == 0
    assert app._stop_watch is not None and app._stop_watch.is_set()
    leftover = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    for t in leftover:
        t.join(timeout=5)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, leftover


async def test_keyed_table_updates_in_place_and_keeps_the_cursor_on_its_row() -> None:
    from textual.app import App, ComposeResult

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            table = KeyedTable(id="t")
            table.add_column("Name", key="name")
            table.add_column("Value", key="value")
            yield table

    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one("#t", KeyedTable)
        table.sync([(k, (k, "1")) for k in "abcdef"])
        table.select_key("d")
        await pilot.pause()
        assert table.cursor_key == "d"
        # reorder, drop two rows, add one, change a cell: the cursor stays on "d"
        table.sync([("f", ("f", "1")), ("d", ("d", "2")), ("x", ("x", "1")), ("a", ("a", "1"))])
        await pilot.pause()
        assert [r.key.value for r in table.ordered_rows] == ["f", "d", "x", "a"]
        assert table.keys == ("f", "d", "x", "a")
        assert table.cursor_key == "d"
        assert str(table.get_row("d")[1]) == "2"
        # the row under the cursor disappears: the cursor stays at the same index
        table.sync([("f", ("f", "1")), ("x", ("x", "1")), ("a", ("a", "1"))])
        await pilot.pause()
        assert table.cursor_key == "x"
        table.sync([])
        assert table.row_count == 0 and table.cursor_key is None


async def test_config_given_on_the_command_line_is_used(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('ignore = ["KD206"]\n')
    plain = make_app(SEED)
    async with plain.run_test(size=(120, 40)):
        before = await plain.wait_for_analysis()
    assert any(f.rule == "KD206" for f in before.active)
    app = KeepdataApp(SEED, watch=False, mask_volatile=True, config=str(config))
    async with app.run_test(size=(120, 40)):
        after = await app.wait_for_analysis()
    assert not any(f.rule == "KD206" for f in after.active)
    assert any(f.rule == "KD206" and f.suppressed for f in after.findings)


class _GatedAnalysis:
    """take_snapshot held at a gate, counting how many analyses run at once."""

    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        import threading

        self.real = real
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.triggers: list[str] = []

    def __call__(self, root, label, trigger="start", **kwargs):  # type: ignore[no-untyped-def]
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.triggers.append(trigger)
        try:
            assert self.gate.wait(30), "the test never opened the gate"
            return self.real(root, label, trigger, **kwargs)
        finally:
            with self.lock:
                self.running -= 1


async def test_the_screen_is_drawn_before_the_analysis_lands(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tui.app

    gated = _GatedAnalysis(tui.app.take_snapshot)
    monkeypatch.setattr(tui.app, "take_snapshot", gated)
    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.snapshot is None and app.analyzing
        assert "analyzing…" in str(app.query_one("#verdict-bar").render())
        assert "analyzing…" in str(app.header.render())
        gated.gate.set()
        await app.wait_for_analysis()
        await pilot.pause()
        bar = str(app.query_one("#verdict-bar").render())
        assert "analyzing" not in bar and "critical" in bar
        assert app.findings_pane.table.row_count == len(app.snapshot.active)  # type: ignore[union-attr]


async def test_requests_during_an_analysis_become_one_follow_up(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tui.app

    app = make_app(SEED)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        landed = app.analyses_landed
        gated = _GatedAnalysis(tui.app.take_snapshot)
        monkeypatch.setattr(tui.app, "take_snapshot", gated)
        for trigger in ("first", "second", "third", "fourth"):
            app.request_analysis(trigger)
            await pilot.pause()
        assert app.analyzing and app.header.running
        gated.gate.set()
        snapshot = await app.wait_for_analysis()
        await pilot.pause()
        # the running analysis, then one follow-up named after the newest request
        assert gated.triggers == ["first", "fourth"]
        assert gated.most == 1  # never two analyses at once
        assert app.analyses_landed == landed + 2 and snapshot.trigger == "fourth"
        assert not app.analyzing and "re-analyzing" not in str(app.header.render())


async def test_keyed_table_fits_columns_and_keeps_the_cursor_through_big_changes() -> None:
    from textual.app import App, ComposeResult

    from tui.widgets.badges import styled

    class Tables(App[None]):
        def compose(self) -> ComposeResult:
            table = KeyedTable(id="t")
            table.add_column("Name", key="name")
            yield table

    app = Tables()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one("#t", KeyedTable)
        table.sync([(f"k{i}", (styled(f"a long name number {i:03}"),)) for i in range(40)])
        await pilot.pause()
        assert table.select_key("k30")
        wide = table.ordered_columns[0].content_width
        assert wide == len("a long name number 030")
        # a filter: 30 of 40 rows go at once, the row under the cursor stays under it
        table.sync([(f"k{i}", (styled(f"a long name number {i:03}"),)) for i in range(25, 35)])
        await pilot.pause()
        assert table.row_count == 10 and table.cursor_key == "k30"
        # every cell gets shorter (the compact layout): the column narrows to the new widest
        table.sync([(f"k{i}", (styled(f"n{i}"),)) for i in range(25, 35)])
        await pilot.pause()
        assert table.ordered_columns[0].content_width == len("Name")
        assert table.cursor_key == "k30"
        assert [table.get_row_at(i)[0].plain for i in range(2)] == ["n25", "n26"]
