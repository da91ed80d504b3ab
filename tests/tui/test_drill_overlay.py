"""The drill-down lies on a layer over the panes: on a wide terminal over their right half,
below the tab bar, so opening and closing it leaves the list underneath as it was (its size,
its rows, its cursor, the tab labels); on a narrow one it covers the whole body."""

from __future__ import annotations

from textual.widgets import TabbedContent

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp

RISKY = EXAMPLES / "risky-app"


async def test_the_wide_drill_down_leaves_the_list_underneath_as_it_was() -> None:
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "down", "down", "down")
        await pilot.pause()
        table = app.findings_pane.table
        size, cursor, cells = table.size, table.cursor_row, dict(table._cells)
        tabs = app.query_one("#panes", TabbedContent)
        labels = [str(tabs.get_tab(pane).label) for pane, _ in app.PANES]

        await pilot.press("enter")
        await pilot.pause()
        drill = app.drilldown
        assert app.drilldown_open and drill.visible
        assert table.size == size and table.cursor_row == cursor
        assert all(table._cells[key] is row for key, row in cells.items())  # not rebuilt
        assert [str(tabs.get_tab(pane).label) for pane, _ in app.PANES] == labels
        body = app.query_one("#body").region
        tab_bar = tabs.query_one("ContentTabs").region
        assert drill.region.right == body.right and drill.region.width == body.width // 2
        assert drill.region.y == tab_bar.bottom  # the tabs stay in sight
        assert drill.region.bottom == body.bottom

        await pilot.press("escape")
        await pilot.pause()
        assert not app.drilldown_open and not drill.visible
        assert table.size == size and table.cursor_row == cursor
        assert app.focused is table


async def test_the_narrow_drill_down_covers_the_panes() -> None:
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=(80, 30)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "enter")
        await pilot.pause()
        body = app.query_one("#body").region
        assert app.drilldown.region == body
        assert not app.query_one("#panes").display  # nothing focusable hides under it
