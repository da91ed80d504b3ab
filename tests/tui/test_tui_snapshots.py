"""Snapshots (pytest-textual-snapshot) of every screen of the inspector (the five panes, the
drill-down, the help screen and the export dialog) at four terminal
sizes (70x24, 100x30, 120x40, 200x50), on the risky example and on a generated large
project (50 models, 240 migrations of which 236 are applied history, ~420 findings:
tests/large_project.py), plus the seed example's panes and the command palette (with a
query) at 120x40. Volatile text (time,
duration) is masked and the root is named by a label, so the pictures are stable.

Each project is analyzed once per session: the apps of the tests get that analysis instead of
running their own (`tui.app.take_snapshot` is replaced for the test's duration).

The analysis changes as rules land: regenerate with
`python -m pytest tests/tui/test_tui_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot

from tests.conftest import EXAMPLES
from tests.large_project import make_large_project
from tui.app import KeepdataApp
from tui.commands import FILTER_PRESETS
from tui.watch import Snapshot, take_snapshot

SIZES = {"70x24": (70, 24), "100x30": (100, 30), "120x40": (120, 40), "200x50": (200, 50)}
SCREENS: dict[str, tuple[str, ...]] = {
    "overview": ("1",),
    "volumes": ("2",),
    "migrations": ("3",),
    "relations": ("4",),
    "findings": ("5",),
    "drilldown": ("5", "enter"),
    "help": ("question_mark",),
    "export": ("e",),
}
# The command palette has its own test (test_palette): opened bare, its list fills in
# batches from two providers in an order that depends on timing.
PALETTE_QUERY = "filter"
PANES = ("overview", "volumes", "migrations", "relations", "findings")
LARGE_LABEL = "large-app"

_ANALYSES: dict[Path, Snapshot] = {}


@pytest.fixture(scope="session")
def large_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_project(tmp_path_factory.mktemp("large") / "large-app").resolve()


def analysis_of(root: Path, label: str, history: bool) -> Snapshot:
    """One analysis per project for the whole session. `history`: grade the migrations
    committed to the project's git as applied history (the suite grades every migration
    as new by default, see tests/conftest.py)."""
    if root not in _ANALYSES:
        with pytest.MonkeyPatch.context() as mp:
            if history:
                mp.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)
            _ANALYSES[root] = take_snapshot(root, label, "start")
    return _ANALYSES[root]


@pytest.fixture
def reuse_analyses(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's analysis thread gets the session's analysis of its root."""

    def cached(root: Path, root_label: str, trigger: str, **kwargs: Any) -> Snapshot:
        hit = _ANALYSES.get(Path(root).resolve())
        return hit if hit is not None else take_snapshot(root, root_label, trigger, **kwargs)

    monkeypatch.setattr("tui.app.take_snapshot", cached)
    yield


def make_app(root: Path, label: str, history: bool = False) -> KeepdataApp:
    analysis_of(root, label, history)
    return KeepdataApp(root, watch=False, root_label=label, mask_volatile=True)


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
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_risky_app(snap_compare, reuse_analyses, screen: str, size: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(EXAMPLES / "risky-app", "examples/risky-app")
    assert snap_compare(
        app, terminal_size=SIZES[size], run_before=keys_then_settle(*SCREENS[screen])
    )


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_large_project(
    snap_compare, reuse_analyses, large_root: Path, screen: str, size: str
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(large_root, LARGE_LABEL, history=True)
    assert snap_compare(
        app, terminal_size=SIZES[size], run_before=keys_then_settle(*SCREENS[screen])
    )


@pytest.mark.parametrize("pane", PANES)
def test_seed_app(snap_compare, reuse_analyses, pane: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(EXAMPLES / "seed-app", "examples/seed-app")
    assert snap_compare(app, terminal_size=(120, 40), run_before=keys_then_settle(*SCREENS[pane]))


async def open_palette_with_query(pilot: Pilot) -> None:
    """ctrl+p, then a query that only the inspector's filter presets match, so the list is
    known in advance; waits until the list holds all of them and nothing is still gathering.
    No animations and a steady (non-blinking) cursor, so the picture does not depend on
    when it is taken."""
    app = pilot.app
    assert isinstance(app, KeepdataApp)
    app.animation_level = "none"
    await app.wait_for_analysis()
    await pilot.pause()
    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(CommandInput).cursor_blink = False
    await pilot.press(*PALETTE_QUERY)
    options = palette.query_one(CommandList)
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if options.option_count == len(FILTER_PRESETS) and palette.has_class("-ready"):
            break
    assert options.option_count == len(FILTER_PRESETS)
    assert options.highlighted == 0
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_palette(snap_compare, reuse_analyses, size: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(EXAMPLES / "risky-app", "examples/risky-app")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=open_palette_with_query)
