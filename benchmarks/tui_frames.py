"""What the inspector's benchmarks (bench_tui) and their start-up children share: when the app
is quiet and which frames it rendered. Small on purpose: a child imports it inside the timed
start-up."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.app import App
    from textual.screen import Screen


class Frame(NamedTuple):
    """One frame the compositor rendered."""

    wall: float
    """time.time() (comparable with the parent process's clock)"""
    clock: float
    """time.perf_counter()"""
    cpu: float
    """time.process_time()"""
    landed: int
    """analyses landed so far"""
    panes_behind: bool
    """the panes under inactive tabs did not show the landed analysis yet (tui.app fills
    them once the pane on screen is painted)"""


def on_screen(frames: list[Frame]) -> Frame:
    """The frame that finished showing the newest analysis on screen: the last one before
    the hidden panes caught up with it (their filling may repaint parts of the screen that
    do not change), or the last frame when none came in between."""
    last = frames[-1]
    shown = [f for f in frames if f.landed == last.landed and f.panes_behind]
    return shown[-1] if shown else last


async def settle(app: App[Any]) -> None:
    """Return once every widget's message queue is empty and the screen is painted: the
    pending layout and repaint are done now rather than on the screen's timer. (Pilot.press
    and Pilot.pause wait for the process to idle in 20 ms slices, too coarse to time a key.)"""
    while True:
        await asyncio.sleep(0.0002)
        screen = app.screen
        if any(not node._message_queue.empty() for node in (app, *screen.walk_children())):
            continue
        if screen._layout_required or screen._repaint_required or screen._dirty_widgets:
            screen._on_timer_update()
            continue
        if not screen._message_queue.empty():
            continue
        return


def record_frames(app: App[Any], frames: list[Frame]) -> None:
    """Append a Frame to `frames` for every frame the app's compositor renders (headless: the
    frame is rendered, then not written)."""
    display = app._display

    def timed_display(screen: Screen[Any], renderable: RenderableType | None) -> None:
        if renderable is not None and not app._batch_count:
            landed = getattr(app, "analyses_landed", 0)
            behind = bool(getattr(app, "_hidden_stale", False))
            now = (time.time(), time.perf_counter(), time.process_time())
            frames.append(Frame(*now, landed, behind))
        display(screen, renderable)

    app._display = timed_display  # type: ignore[method-assign]
