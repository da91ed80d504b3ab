"""The mouse: one click on a row opens it in the drill-down, a click on a related location
jumps there, and the wheel scrolls every pane's lists, the code and the help screen."""

from __future__ import annotations

import os

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.modals.keys_screen import KeysScreen

RISKY = EXAMPLES / "risky-app"


def make_app() -> KeepdataApp:
    return KeepdataApp(RISKY, watch=False, mask_volatile=True)


async def wheel(pilot: Pilot, widget: Widget, times: int = 5) -> None:
    """Turn the mouse wheel down over `widget` (Pilot has no scroll helper)."""
    for _ in range(times):
        widget.post_message(
            events.MouseScrollDown(widget, 2, 2, 0, 1, 0, False, False, False, screen_x=2)
        )
    await pilot.pause()


async def test_one_click_on_a_row_opens_it_and_a_click_on_related_jumps() -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5")
        await pilot.pause()
        shown = app.findings_pane.shown_findings
        assert not app.drilldown_open
        # row 3 (the header is line 0): not the cursor row, one click is enough
        await pilot.click("#findings-table", offset=(10, 3))
        await pilot.pause()
        assert app.drilldown_open
        assert app.drilldown.current_finding() == shown[2]
        # the worst finding has a related location: click it in the list under the text
        await pilot.press("escape")
        await pilot.click("#findings-table", offset=(10, 1))
        await pilot.pause()
        drill = app.drilldown
        target = drill.target
        assert target is not None and target.related
        related = drill.query_one("#drill-related")
        related.scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click(related, offset=(5, 2))
        await pilot.pause()
        assert drill.related_index == 0
        assert drill.location == target.related[0].location
        assert drill.code.path == target.related[0].location.path
        title = str(drill.query_one("#drill-title").render())
        assert f"{target.related[0].location.path}:{target.related[0].location.line}" in title


@pytest.mark.parametrize(
    ("key", "selector"),
    [
        ("1", "#checklist-table"),
        ("3", "MigrationsPane"),
        ("5", "#findings-table"),
    ],
)
async def test_the_wheel_scrolls_the_lists(key: str, selector: str) -> None:
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await app.wait_for_analysis()
        await pilot.press(key)
        await pilot.pause()
        widget = app.query_one(selector)
        assert widget.max_scroll_y > 0, "the list must be longer than the screen"
        await wheel(pilot, widget)
        assert widget.scroll_y > 0


async def test_the_wheel_scrolls_the_code_the_drilldown_text_and_the_help() -> None:
    os.environ.setdefault("KEEPDATA_ALL_MIGRATIONS", "1")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("5", "enter")
        await pilot.pause()
        code = app.drilldown.code
        before = code.scroll_y
        await wheel(pilot, code)
        assert code.scroll_y > before
        info = app.drilldown.query_one("#drill-info")
        assert info.max_scroll_y > 0
        await wheel(pilot, info)
        assert info.scroll_y > 0
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        keys = app.screen.query_one("#keys-table")
        await wheel(pilot, keys)
        assert keys.scroll_y > 0
