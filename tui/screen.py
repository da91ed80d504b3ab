"""The inspector's screen: styled once when it first appears, not three times.

Textual styles every widget as it is mounted, then restyles the whole screen when it is
first resumed (`ScreenResume.refresh_styles`, needed for a screen coming back from under a
modal, not for a fresh one), and again when the first resize sets the breakpoint class
(`-narrow`/`-wide`). Those two passes over the ~110 nodes were a third of the CPU time to
the first frame. This screen starts with the breakpoint class of the terminal's size and
skips the style refresh of its first resume; later resumes (after a dialog) refresh as
usual.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from tui.widgets.acyclic import keep_render_caches_acyclic


class InspectorScreen(Screen[None]):
    def __init__(self, width: int, breakpoints: list[tuple[int, str]], id: str) -> None:
        super().__init__(id=id)
        keep_render_caches_acyclic()  # repaints leave less for the cyclic collector
        self._first_resume = True
        self.set_classes(self._get_breakpoint_classes(width, breakpoints))

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # runs before Screen's own handler, with the same event
        if self._first_resume:
            self._first_resume = False
            event.refresh_styles = False  # every node was styled as it was mounted
