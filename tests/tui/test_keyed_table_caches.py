"""KeyedTable's render caches: a cursor move renders only the two rows it changes, a focus
move away and back takes the lines of the old style back, and neither ever paints anything
else than a table rendered from scratch would."""

from __future__ import annotations

from unittest.mock import patch

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static

from tui.widgets.badges import styled
from tui.widgets.keyed_table import KeyedTable

ROWS = [
    (f"r{i}", (styled(f"KD{600 + i}"), styled(f"migration {i}.sql:{i + 1}"))) for i in range(40)
]


class TableApp(App[None]):
    CSS = "KeyedTable { height: 1fr; } #other { height: 1; }"

    def compose(self) -> ComposeResult:
        table = KeyedTable(id="t")
        table.add_column("rule", key="rule")
        table.add_column("where", key="where")
        yield table
        other = Static("elsewhere", id="other")
        other.can_focus = True
        yield other

    def on_mount(self) -> None:
        self.query_one(KeyedTable).sync(ROWS)

    async def move_focus(self, pilot: Pilot[None], selector: str) -> str:
        """Focus `selector`, wait for the repaint, return the screen."""
        self.query_one(selector).focus()
        await pilot.pause()
        return self.export_screenshot()


async def fresh_paint(app: TableApp, table: KeyedTable) -> str:
    """The screen with the table's caches thrown away (rendered from its cells)."""
    table._clear_caches()
    table.refresh()
    await app._animator.wait_until_complete()
    return app.export_screenshot()


async def test_a_cursor_move_renders_only_the_two_rows_it_changes() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(KeyedTable)
        await app.move_focus(pilot, "#t")
        for _ in range(3):
            before = len(table._line_cache)
            await pilot.press("down")
            table.refresh()  # the whole table painted again, as after a layout or a restyle
            await pilot.pause()
            # at most the rows the cursor left and reached (DataTable: all 18 visible rows)
            assert 1 <= len(table._line_cache) - before <= 2
        shown = app.export_screenshot()
        assert shown == await fresh_paint(app, table)


async def test_focus_away_and_back_paints_the_table_from_its_kept_lines() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(KeyedTable)
        focused = await app.move_focus(pilot, "#t")
        blurred = await app.move_focus(pilot, "#other")
        assert blurred != focused  # the table looks different without focus (cursor, tint)
        with patch.object(table, "_render_line_in_row", wraps=table._render_line_in_row) as rows:
            assert await app.move_focus(pilot, "#t") == focused
        assert rows.call_count == 0  # every line from the kept caches (DataTable: all 18 again)
        assert await app.move_focus(pilot, "#other") == blurred
        assert app.export_screenshot() == await fresh_paint(app, table)


async def test_rows_changed_while_blurred_are_painted_new_on_focus() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(KeyedTable)
        await app.move_focus(pilot, "#t")
        await app.move_focus(pilot, "#other")
        table.sync([(key, (styled("KD999"), cells[1])) for key, cells in ROWS])
        await pilot.pause()
        shown = await app.move_focus(pilot, "#t")
        assert "KD999" in shown and "KD600" not in shown
        assert shown == await fresh_paint(app, table)
