"""Line-API widgets whose scrollbars are painted only when they change.

Textual's `ScrollView._size_updated` runs on every layout pass for every scroll view on
screen and refreshes its scrollbars even when the view's size, virtual size and container
are what they were (it compares the container it is given with its own, which differ by
the gutter). Each of the 2-3 layout passes of a drill-down key repainted the Findings
table's 31-line scrollbar (1-3 ms a time) and the code view's."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


class SteadyScrollbars(ScrollView):
    """A ScrollView that skips the scrollbar update of a layout pass that changed nothing:
    neither its size nor its own virtual size (a ScrollView ignores the one the layout
    hands it, which always differs) since the last update."""

    _scrollbars_for: tuple[Size, Size] | None = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        done = (size, self.virtual_size)
        if (
            done == self._scrollbars_for
            and size - self.styles.gutter.totals == self._container_size
        ):
            # what ScrollView answers in this case, without repainting the scrollbars
            return self._container_size != container_size
        answer = super()._size_updated(size, virtual_size, container_size, layout)
        self._scrollbars_for = done
        return answer
