"""A DataTable whose rows are updated by key: a new analysis adds, removes, updates and
reorders rows in place, so the cursor stays on the same thing and the scroll does not jump
(never `clear()` and rebuild)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any, overload

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._segment_tools import line_crop
from textual.cache import LRUCache
from textual.content import Content, Span
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, CursorType, RowKey

from tui.widgets.steady_scroll import SteadyScrollbars

_RENDER_CACHES = ("_row_render_cache", "_cell_render_cache", "_row_renderable_cache", "_line_cache")
"""DataTable's caches of rendered rows, cells and lines: their keys hold the table's pseudo
classes and base style, not its component styles (the cursor's colours)."""
_ELSEWHERE = Coordinate(-2, -2)
"""The cursor (or the mouse) on a row other than the one rendered: no row has this index
(the header's is -1)."""

Row = tuple[str, Sequence[object]]
"""(key, cells)."""


class Cell(Content):
    """Content that DataTable can measure and render: as a Rich Text, made once per cell
    (DataTable measures every cell when rows are added, and renders the visible ones)."""

    _rich_text: Text | None = None
    _segments: list[Segment] | None = None

    def __rich__(self) -> Text:
        text = self._rich_text
        if text is None:
            text = self._rich_text = Text.assemble(
                *((part, style.rich_style) for part, style in self.render(end="")),
                no_wrap=True,
                end="",
            )
        return text

    def segments(self, console: Console) -> list[Segment]:
        """The cell's one line as Rich renders its Text (made once)."""
        segments = self._segments
        if segments is None:
            segments = self._segments = list(self.__rich__().render(console, end=""))
        return segments


def _opaque(span: Span) -> Span:
    """`$text-muted` is a translucent colour: outside a widget's background (a DataTable
    cell is rendered through Rich) it would come out black; dim text says the same."""
    style = span.style
    if isinstance(style, str) and "$text-muted" in style:
        return Span(span.start, span.end, style.replace("$text-muted", "dim"))
    return span


def ellipsis(text: str, width: int) -> str:
    """`text` on one line, cut to `width` cells with `…` when longer."""
    from rich.cells import cell_len, set_cell_size

    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"


@overload
def as_cell(value: Content) -> Content: ...
@overload
def as_cell(value: object) -> object: ...
def as_cell(value: object) -> object:
    if isinstance(value, Content) and not isinstance(value, Cell):
        return Cell(value.plain, [_opaque(span) for span in value.spans])
    return value


def _same(a: object, b: object) -> bool:
    if a is b:  # a cell kept from the last sync (FindingsPane caches its rows)
        return True
    if isinstance(a, Content) and isinstance(b, Content):
        return a.is_same(b)
    return type(a) is type(b) and bool(a == b)


def _same_row(a: Sequence[object], b: Sequence[object]) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def _width(value: object) -> int:
    """Cells a value takes on one line."""
    if isinstance(value, Content):
        return value.cell_length
    if isinstance(value, Text):
        return value.cell_len
    return cell_len(str(value))


BULK_REMOVE = 16
"""Removing more rows than this clears the table and adds the rows again."""


class KeyedTable(DataTable[object], SteadyScrollbars):
    """`sync(rows)` makes the table show exactly `rows`, in that order, touching only what
    changed. `cursor_key` is the key under the cursor."""

    def __init__(
        self,
        *,
        open_on_click: bool = False,
        row_height: int = 1,
        show_header: bool = True,
        cursor_type: CursorType = "row",
        zebra_stripes: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        self.open_on_click = open_on_click
        """One click on a row selects it (as Enter does), not only a second click."""
        self.row_height = row_height
        """Lines per row (a cell of two lines: a text and where it is)."""
        self._styled: tuple[object, ...] | None = None
        """The style the render caches were filled under (`_style_signature`)."""
        self._restyled = False
        """A style update since the last render: look for kept caches of the new style."""
        self._rendered_stamp: object = None
        """`_data_stamp` at the last render (what the kept caches were filled from)."""
        self._kept: dict[tuple[object, ...], tuple[object, tuple[LRUCache[Any, Any], ...]]] = {}
        """Render caches of the other styles the table was in (focused or not), by style:
        (the data they were rendered from, the caches)."""
        super().__init__(
            show_header=show_header,
            cursor_type=cursor_type,
            zebra_stripes=zebra_stripes,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        self._keys: list[str] = []
        self._cells: dict[str, tuple[object, ...]] = {}

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._keys)

    @property
    def cursor_key(self) -> str | None:
        if not self._keys or self.row_count == 0:
            return None
        row = self.cursor_row
        if row < 0 or row >= self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return key.value

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """DataTable's cell rendering, without Rich's layout machinery for the one case
        every keepdata table has: a one-line `Cell` in a row of height 1. DataTable wraps
        each cell in Styled(Padding(...)) and lays it out through Rich (wrap, crop, pad:
        most of the time a repaint of the table took); the same segments come from the
        cell's own line cropped or padded to the column, between the padding, under the
        same styles (tests/tui/test_keyed_table_render.py compares both, cell by cell)."""
        pad = self.cell_padding
        inner = width - 2 * pad
        if (
            row_index < self.fixed_rows
            or column_index < self.fixed_columns
            or self.row_height != 1
            or inner < 1
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cells = self._get_row_renderables(row_index).cells
        cell = cells[column_index] if column_index < len(cells) else None
        row = self.rows.get(row_key)
        if not isinstance(cell, Cell) or row is None or row.height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style + Style.from_meta({"row": row_index, "column": column_index})
        ) + component_style
        line = Segment.adjust_line_length(cell.segments(self.app.console), inner)
        if pad:
            line = [Segment(" " * pad), *line, Segment(" " * pad)]
        lines = [list(Segment.apply_style(line, style=pre_style, post_style=post_style))]
        self._cell_render_cache[cache_key] = lines
        return lines

    # -- lines cached by whether the cursor is on them -----------------------------------
    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable's `_render_line` for a row cursor, with the cursor's and the mouse's
        places in the cache keys replaced by "on this row" or "elsewhere": DataTable keys
        every line (and every row) by the cursor's coordinate, so each cursor move (`n`/`p`
        in the drill-down, arrow keys) rendered every visible row again from its cells;
        now only the two rows the move changes. A row's rendering depends on the cursor
        only through that test (`_should_highlight`, the row's extension)."""
        if self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        width = self.size.width
        try:
            row_key, y_offset_in_row = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        row_index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        cursor = self.cursor_coordinate
        cursor = cursor if cursor.row == row_index else _ELSEWHERE
        hover = self.hover_coordinate
        hover = hover if hover.row == row_index else _ELSEWHERE
        cache_key = (
            y,
            x1,
            x2,
            width,
            cursor,
            hover,
            base_style,
            self.cursor_type,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._line_cache.get(cache_key)
        if cached is not None:
            return cached
        fixed, scrollable = self._render_line_in_row(
            row_key, y_offset_in_row, base_style, cursor_location=cursor, hover_location=hover
        )
        fixed_width = sum(
            column.get_render_width(self) for column in self.ordered_columns[: self.fixed_columns]
        )
        fixed_line: list[Segment] = list(chain.from_iterable(fixed)) if fixed else []
        scrollable_line: list[Segment] = list(chain.from_iterable(scrollable))
        segments = fixed_line + line_crop(scrollable_line, x1 + fixed_width, x2, width)
        strip = Strip(segments).adjust_cell_length(width, base_style).simplify()
        self._line_cache[cache_key] = strip
        return strip

    # -- render caches kept across focus moves ------------------------------------------
    def _style_signature(self) -> tuple[object, ...]:
        """Everything of the table's style its rendered lines depend on."""
        components = tuple(
            self.get_component_rich_style(name, partial=True)
            for name in sorted(self.COMPONENT_CLASSES)
        )
        return (self.get_pseudo_class_state(), self.rich_style, components)

    def _data_stamp(self) -> object:
        """What the rows' rendering depends on besides the style: the rows (DataTable counts
        every change in `_update_count`), the column widths and the table's size."""
        widths = tuple((c.width, c.content_width, c.auto_width) for c in self.ordered_columns)
        return (self._update_count, widths, self.size, self.scroll_offset.x)

    def notify_style_update(self) -> None:
        """A restyle (the table gained or lost focus, the drill-down opened or closed) clears
        every render cache (DataTable), so the table's 30-odd visible lines were rendered
        again cell by cell on each focus move. Here the caches filled under the old style
        are kept aside, and the next render takes back those of the new style when the rows,
        widths and size are unchanged since: moving focus away and back costs one repaint of
        the visible lines from cached strips. (The component styles are only final after
        this call, so the lookup waits for the render.)"""
        if self._styled is not None:
            caches = tuple(getattr(self, name) for name in _RENDER_CACHES)
            self._kept[self._styled] = (self._rendered_stamp, caches)
            while len(self._kept) > 2:
                del self._kept[next(iter(self._kept))]
            for name, cache in zip(_RENDER_CACHES, caches, strict=True):
                setattr(self, name, LRUCache(cache.maxsize))
        self._styled = None
        self._restyled = True
        super().notify_style_update()

    def _clear_caches(self) -> None:
        self._kept.clear()
        super()._clear_caches()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._restyled:
            self._restyled = False
            style = self._style_signature()
            kept = self._kept.pop(style, None)
            if kept is not None and kept[0] == self._data_stamp():
                for name, cache in zip(_RENDER_CACHES, kept[1], strict=True):
                    setattr(self, name, cache)
            self._styled = style
        elif self._styled is None:
            self._styled = self._style_signature()
        self._rendered_stamp = self._data_stamp()
        return super().render_lines(crop)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Measure new rows of one-line `Cell`s by their cell length, which is what Rich's
        measurement of their no-wrap Text returns: DataTable measures every cell through
        `rich.measure` with fresh console options (a terminal size query each), most of
        the time a filter that brings back hundreds of rows took. Other rows (labels,
        auto height, other renderables) are measured by DataTable."""
        rest: list[RowKey] = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row = self.rows.get(row_key)
            data = self._data.get(row_key)
            if row is None or data is None or row_key not in self._row_locations:
                continue
            values = [data.get(column.key) for column in columns]
            if (
                row.label is not None
                or row.auto_height
                or not all(isinstance(v, Cell) and "\n" not in v.plain for v in values)
            ):
                rest.append(row_key)
                continue
            for column, value in zip(columns, values, strict=True):
                assert isinstance(value, Cell)
                column.content_width = max(column.content_width, value.cell_length)
        super()._update_dimensions(rest)

    def set_widths(self, widths: dict[str, int | None]) -> None:
        """Fix the width of columns by key (None: as wide as their content). A fixed width
        crops what is longer, so callers shorten their text with an ellipsis first."""
        changed = False
        for column in self.columns.values():
            key = column.key.value or ""
            if key not in widths:
                continue
            width = widths[key]
            auto = width is None
            new_width = column.width if width is None else max(1, width)
            if column.auto_width != auto or column.width != new_width:
                column.auto_width = auto
                column.width = new_width
                changed = True
        if changed:
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        before = self.cursor_coordinate
        await super()._on_click(event)
        row = meta.get("row", -1) if meta else -1
        if (
            self.open_on_click
            and isinstance(row, int)
            and row >= 0
            and self.cursor_type == "row"
            and self.cursor_coordinate != before  # a click on the cursor row already selects
        ):
            self._post_selected_message()  # type: ignore[no-untyped-call]  # Textual leaves it untyped

    def fit(self, fixed: dict[str, int], flexible: str, fallback: int = 100) -> int:
        """Fix the `fixed` columns' widths and give `flexible` the rest of the table's width
        (at least 12 cells); returns that width, for the caller to shorten its text to."""
        total = self.size.width or fallback
        padding = 2 * self.cell_padding * len(self.columns)
        rest = max(12, total - padding - sum(fixed.values()) - 2)  # 2: the scrollbar
        self.set_widths({**fixed, flexible: rest})
        return rest

    def select_key(self, key: str, scroll: bool = True) -> bool:
        """Move the cursor to the row `key` (False when there is none)."""
        if key not in self._cells:
            return False
        self.move_cursor(row=self.get_row_index(key), animate=False, scroll=scroll)
        return True

    def sync(self, rows: Sequence[Row]) -> None:
        column_keys = [c.key for c in self.ordered_columns]
        old_cursor_key = self.cursor_key
        old_cursor_row = self.cursor_row
        old_scroll = (self.scroll_x, self.scroll_y)
        new_keys = [k for k, _ in rows]
        wanted = dict(rows)
        removed = [k for k in self._keys if k not in wanted]
        if len(removed) > BULK_REMOVE:
            # remove_row renumbers every row: many at once (a filter) is one rebuild instead
            self.clear()
            self._cells = {}
        else:
            for key in removed:
                self.remove_row(key)
                del self._cells[key]
        resized: set[int] = set()
        data = self._data
        for key, cells in rows:
            cells_t = tuple(as_cell(c) for c in cells)
            previous = self._cells.get(key)
            if previous is None:
                self.add_row(*cells_t, key=key, height=self.row_height)
            elif not _same_row(previous, cells_t):
                row_data = data[RowKey(key)]
                for i, (col_key, old, new) in enumerate(
                    zip(column_keys, previous, cells_t, strict=False)
                ):
                    if not _same(old, new):
                        # what update_cell does, without its refresh per cell (a resize
                        # changes every row); update_width=True would re-measure the whole
                        # column for every cell that got narrower (quadratic): the widths
                        # are fitted once below
                        row_data[col_key] = new
                        resized.add(i)
            self._cells[key] = cells_t
        if resized:
            self._update_count += 1
            self._fit_columns(resized)
        current_order = [r.key.value for r in self.ordered_rows]
        if current_order != new_keys:
            self._reorder(new_keys)
        self._keys = new_keys
        if not new_keys:
            return
        if old_cursor_key is not None and old_cursor_key in self._cells:
            target = self.get_row_index(old_cursor_key)
        else:
            target = min(max(old_cursor_row, 0), len(new_keys) - 1)
        if target != self.cursor_row:
            self.move_cursor(row=target, animate=False, scroll=False)
        self.scroll_to(old_scroll[0], old_scroll[1], animate=False, immediate=True)

    def _fit_columns(self, indexes: set[int]) -> None:
        """Fit the columns at `indexes` to their widest cell (a cell narrows too)."""
        columns = self.ordered_columns
        for i in indexes:
            column = columns[i]
            width = _width(column.label)
            for cells in self._cells.values():
                if i < len(cells):
                    width = max(width, _width(cells[i]))
            column.content_width = width
        self._require_update_dimensions = True
        self.refresh(layout=True)

    def _reorder(self, keys: list[str]) -> None:
        order = {k: i for i, k in enumerate(keys)}
        # DataTable.sort hands its key function the cells only; set the order as sort() does.
        try:
            from textual._two_way_dict import TwoWayDict

            self._row_locations = TwoWayDict({RowKey(k): i for k, i in order.items()})
            self._update_count += 1
            self.refresh()
        except Exception:  # pragma: no cover - a Textual without the private dict
            pass
