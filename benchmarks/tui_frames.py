"""What the inspector's benchmarks (bench_tui) and their start-up children share: when the app
is quiet and which frames it rendered. Small on purpose: a child imports it inside the timed
start-up."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.app import App
    from textual.screen import Screen

Frame = tuple[float, float, float, int]
"""(time.time(), time.perf_counter(), time.process_time(), analyses landed) of one frame."""


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
            frames.append((time.time(), time.perf_counter(), time.process_time(), landed))
        display(screen, renderable)

    app._display = timed_display  # type: ignore[method-assign]
