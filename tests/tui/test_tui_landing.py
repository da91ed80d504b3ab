"""How an analysis reaches the screen (tui.app): the pane on screen is filled at once, the
panes under the other tabs once it is painted, and never later than a key or a click that
could show or read them."""

from __future__ import annotations

import asyncio

from textual import events

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.messages import AnalysisReady
from tui.panes.base import Pane
from tui.watch import take_snapshot


async def test_the_panes_under_other_tabs_show_the_analysis_before_a_key_reads_them() -> None:
    app = KeepdataApp(EXAMPLES / "seed-app", watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        first = await app.wait_for_analysis()
        await pilot.pause()
        panes = {pane.id: pane for pane in app.query(Pane)}
        assert all(pane.snapshot is first for pane in panes.values())

        second = take_snapshot(app.root, app.root_label, "test")
        app.post_message(AnalysisReady(second))
        while app.snapshot is not second:
            await asyncio.sleep(0)
        assert panes["overview-pane"].snapshot is second  # on screen: filled at once
        assert panes["migrations-pane"].snapshot is first  # not seen: after the paint

        await app.on_event(events.Key("3", "3"))  # the key shows the Migrations pane
        assert all(pane.snapshot is second for pane in panes.values())


async def test_waiting_for_an_analysis_waits_for_every_pane() -> None:
    app = KeepdataApp(EXAMPLES / "seed-app", watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)):
        await app.wait_for_analysis()
        app.request_analysis("rescan")
        shown = await app.wait_for_analysis(after=1)
        assert all(pane.snapshot is shown for pane in app.query(Pane))
