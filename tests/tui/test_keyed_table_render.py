"""KeyedTable renders its one-line cells without Rich's layout machinery: every cell must
come out exactly as DataTable's own rendering draws it (cropped, padded, cursor, hover)."""

from __future__ import annotations

from functools import partial

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import DataTable

from tui.widgets.badges import SEVERITY_STYLE, styled
from tui.widgets.keyed_table import KeyedTable, as_cell

ROWS = [
    ("a", ("Critical", "KD602", "prisma/migrations/20200101000000_step_0/migration.sql:3", "")),
    ("b", ("", "KD101", "docker-compose.yml:4", "a message far longer than its column " * 4)),
    ("c", ("High", "KD7", "名前/ファイル.sql:12", "wide 文字 cut in the middle 文字文字文字")),
    ("d", ("Medium", "KD605", "x", "trailing spaces   ")),
]


def cells(values: tuple[str, ...]) -> tuple[Content, ...]:
    sev, rule, loc, msg = values
    style = SEVERITY_STYLE[next(iter(SEVERITY_STYLE))]
    return (styled(sev, style), styled(rule, style), styled(loc, "$text-muted"), styled(msg))


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        table = KeyedTable(id="t")
        for key in ("sev", "rule", "loc", "msg"):
            table.add_column(key, key=key)
        yield table


def simplified(lines: list[list[Segment]]) -> list[list[tuple[str, Style | None]]]:
    return [[(s.text, s.style) for s in Segment.simplify(line)] for line in lines]


async def test_every_cell_renders_as_datatable_renders_it() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(KeyedTable)
        table.sync([(key, cells(values)) for key, values in ROWS])
        table.set_widths({"loc": 14, "msg": 20})  # crops the long ones
        await pilot.pause()
        base = Style.parse("on grey11")
        compared = 0
        for row in range(len(ROWS)):
            for column, col in enumerate(table.ordered_columns):
                width = col.get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    fast = table._render_cell(row, column, base, width, cursor, hover)
                    table._cell_render_cache.clear()
                    slow = DataTable._render_cell(table, row, column, base, width, cursor, hover)
                    table._cell_render_cache.clear()
                    assert simplified(fast) == simplified(slow), (row, column, cursor, hover)
                    assert sum(s.cell_length for s in fast[0]) == width
                    compared += 1
        assert compared == len(ROWS) * 4 * 3


async def test_the_painted_table_is_the_same_with_and_without_the_shortcut() -> None:
    screens = []
    for shortcut in (True, False):
        app = TableApp()
        async with app.run_test(size=(70, 8)) as pilot:
            table = app.query_one(KeyedTable)
            if not shortcut:
                table._render_cell = partial(  # type: ignore[method-assign]
                    DataTable._render_cell, table
                )
            table.sync([(key, cells(values)) for key, values in ROWS])
            table.set_widths({"loc": 10, "msg": 24})
            table.focus()
            await pilot.press("down")
            await pilot.pause()
            screens.append(app.export_screenshot())
    assert screens[0] == screens[1]


async def test_columns_are_as_wide_as_datatable_measures_them() -> None:
    widths = []
    for table_type in (KeyedTable, DataTable):

        class Measure(App[None]):
            TABLE = table_type

            def compose(self) -> ComposeResult:
                yield self.TABLE(id="t")

        app = Measure()
        async with app.run_test(size=(200, 12)) as pilot:
            table = app.query_one("#t", DataTable)
            for key in ("sev", "rule", "loc", "msg"):
                table.add_column(key, key=key)
            for key, values in ROWS:
                table.add_row(*(as_cell(c) for c in cells(values)), key=key)
            await pilot.pause()
            widths.append([c.content_width for c in table.ordered_columns])
    assert widths[0] == widths[1]
    assert widths[0][2] == len("prisma/migrations/20200101000000_step_0/migration.sql:3")
