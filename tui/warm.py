"""Lay out and render a pane under an inactive tab before its first visit, unseen.

A pane filled while its tab was inactive (`display: none`) was laid out the first time it
was shown: its tables got their first size, their scrollbars appeared (a second and third
layout pass), every widget rendered for the first time, and the footer mounted a row for
its keys. That made the first visit to the Migrations and Relations panes on a project
with 500 findings cost two to three times a later one (~130 ms of CPU), the slowest pane
switches. `warm_pane` does that work in idle time after the first full screen: it shows
the pane over the active one (each pane has a layer of its own: app.tcss) inside a batch
update, lays the screen out twice (the second pass with the scrollbars the first showed),
renders every widget's lines into their caches, hides the pane and lays the screen out as
it was. No frame is written meanwhile, and the screen's map ends as it began, so nothing
is repainted. The footer's row of keys is left to the first visit (~10 ms): mounting one
repaints the footer, a frame after the first full screen.

It reaches into Textual's screen (`_refresh_layout`, the compositor's dirty regions),
written for Textual 8.2, and only when the screen has nothing pending: no layout, repaint
or message waiting that the restored dirty regions could drop.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent

WARM_TRIES = 20
"""Refreshes after which `PaneWarmer` stops waiting for a quiet screen; the panes left are
laid out when first shown, as without."""


def screen_is_quiet(screen: Screen[Any]) -> bool:
    """Nothing waits to be laid out, painted or handled on `screen` (nor by its widgets: a
    widget being mounted, a row of keys say, lays the screen out once it is)."""
    return not (
        screen._layout_required
        or screen._repaint_required
        or screen._dirty_widgets
        or screen._compositor._dirty_regions
        or not screen._message_queue.empty()
        or any(not node._message_queue.empty() for node in screen.walk_children())
    )


def warm_pane(screen: Screen[Any], pane: Widget) -> bool:
    """Lay out and render the hidden `pane` at its size on `screen`, unseen; False (nothing
    done) when the screen is not quiet: try again after the next refresh."""
    if pane.display or not screen.is_current or not screen_is_quiet(screen):
        return False
    compositor = screen._compositor
    with screen.app.batch_update():
        pane.display = True
        try:
            screen._refresh_layout()
            screen._refresh_layout()  # with the scrollbars the first pass showed
            compositor.render_full_update()  # into the widgets' caches, not the terminal
        finally:
            pane.display = False
            screen._refresh_layout()
    compositor._dirty_regions.clear()  # the map is as it was: nothing to repaint
    return True


class PaneWarmer:
    """The panes of a TabbedContent never shown yet, laid out one per refresh (a key waits for
    one at most) once the screen is quiet, after the first full screen."""

    def __init__(self, pane_ids: list[str]) -> None:
        self.cold = list(pane_ids)
        """The panes not laid out yet, in the order they will be."""
        self.tries = WARM_TRIES

    def shown(self, pane_id: str | None) -> None:
        """The pane is on screen: laid out by its visit."""
        if pane_id in self.cold:
            self.cold.remove(pane_id)

    def start(self, tabs: TabbedContent) -> None:
        """Call when the panes were filled: lays them out after the refreshes to come."""
        if self.cold:
            tabs.app.call_after_refresh(self._step, tabs)

    def _step(self, tabs: TabbedContent) -> None:
        screen = tabs.app.screen
        if not self.cold or not tabs.is_attached or screen is not tabs.screen:
            return  # closing, or a dialog is open: the panes are laid out when shown
        try:
            warmed = warm_pane(screen, tabs.get_pane(self.cold[0]))
        except AttributeError:  # another Textual than 8.2, built differently: stop warming;
            self.cold.clear()  # the panes are laid out when first shown, as without
            return
        if warmed:
            self.cold.pop(0)
        else:
            self.tries -= 1  # the screen was busy
        if self.cold and self.tries > 0:
            tabs.app.call_after_refresh(self._step, tabs)
