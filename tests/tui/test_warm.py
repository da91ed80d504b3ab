"""The panes under inactive tabs are laid out and rendered before their first visit, unseen
(tui.warm): the first visit sizes nothing new, and the warm-up changes nothing on screen."""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.warm import warm_pane
from tui.widgets.keyed_table import KeyedTable


async def test_a_pane_shown_the_first_time_was_laid_out_before() -> None:
    app = KeepdataApp(EXAMPLES / "risky-app", watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        for _ in range(500):  # a pane per refresh once the screen is quiet
            if not app._warmer.cold:
                break
            await pilot.pause()
        assert app._warmer.cold == []
        tables = list(app.query_one("#migrations-pane").query(KeyedTable))
        sizes_before = [table._size for table in tables]
        assert all(sizes_before)  # sized while the Overview pane was on screen

        await pilot.press("3")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "migrations"
        assert [table._size for table in tables] == sizes_before
        assert [table.size for table in tables if table.display] == [
            size for table, size in zip(tables, sizes_before, strict=True) if table.display
        ]


async def test_warming_a_pane_writes_nothing_and_leaves_the_screen_as_it_was() -> None:
    app = KeepdataApp(EXAMPLES / "risky-app", watch=False, mask_volatile=True)
    app._warmer.cold = []  # no warm-up of its own: the test warms one pane
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        screen = app.screen
        pane = app.query_one("#panes", TabbedContent).get_pane("relations")
        edges = app.query_one("#edges-table", KeyedTable)
        assert not edges._size  # never laid out
        before = app.export_screenshot()
        written: list[object] = []
        display = app._display

        def spy(screen: object, renderable: object) -> None:
            if renderable is not None:
                written.append(renderable)
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = spy  # type: ignore[method-assign]

        assert warm_pane(screen, pane)
        await pilot.pause()
        assert edges._size  # laid out at its size
        assert not pane.display
        assert written == []
        assert app.export_screenshot() == before

        screen.refresh(layout=True)  # a layout pending: not quiet, nothing done
        assert not warm_pane(screen, app.query_one("#panes", TabbedContent).get_pane("volumes"))
        assert not app.query_one("#mounts-table", KeyedTable)._size


async def test_a_textual_built_differently_stops_the_warm_up_not_the_inspector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warm-up reads Textual 8.2's screen internals; where another release lacks them,
    the panes are laid out when first shown and the inspector goes on."""

    def missing(screen: object, pane: object) -> bool:
        raise AttributeError("'Screen' object has no attribute '_compositor'")

    monkeypatch.setattr("tui.warm.warm_pane", missing)
    app = KeepdataApp(EXAMPLES / "risky-app", watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        for _ in range(50):
            if not app._warmer.cold:
                break
            await pilot.pause()
        assert app._warmer.cold == []
        await pilot.press("3")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "migrations"
        assert app.is_running
