"""Snapshots (pytest-textual-snapshot) of every pane at 120x40 and at 70x40 (a side terminal),
on the seed app and the risky app, plus the drill-down. Volatile text (time, duration) is
masked and the root is named as typed, so the pictures are stable.

The analysis changes as rules land: regenerate with
`python -m pytest tests/test_tui_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp

PANES = ("overview", "volumes", "migrations", "relations", "findings")
SIZES = {"120x40": (120, 40), "70x40": (70, 40)}


def make_app(example: str) -> KeepdataApp:
    return KeepdataApp(
        EXAMPLES / example, watch=False, root_label=f"examples/{example}", mask_volatile=True
    )


def keys_then_settle(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, KeepdataApp)
        await app.wait_for_analysis()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
@pytest.mark.parametrize("pane", PANES)
@pytest.mark.parametrize("example", ["seed-app", "risky-app"])
def test_pane(snap_compare, example: str, pane: str, size: str) -> None:  # type: ignore[no-untyped-def]
    number = str(PANES.index(pane) + 1)
    assert snap_compare(
        make_app(example), terminal_size=SIZES[size], run_before=keys_then_settle(number)
    )


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_drill_down(snap_compare, size: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app("risky-app"),
        terminal_size=SIZES[size],
        run_before=keys_then_settle("5", "enter"),
    )
