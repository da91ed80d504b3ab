"""Scroll views (tui.widgets.steady_scroll) repaint their scrollbars when what they show
changes size, and not on a layout pass that changed nothing for them."""

from __future__ import annotations

from unittest.mock import patch

from textual.app import App, ComposeResult

from tui.widgets.code_view import CodeView


class CodeApp(App[None]):
    CSS = "CodeView { height: 10; }"

    def compose(self) -> ComposeResult:
        yield CodeView(id="code")


def lines(count: int) -> str:
    return "".join(f"line {i}\n" for i in range(count))


async def test_the_scrollbar_follows_the_file_shown() -> None:
    app = CodeApp()
    async with app.run_test(size=(60, 20)) as pilot:
        code = app.query_one(CodeView)
        for count in (100, 5, 300, 100):
            code.show("a.txt", lines(count), set(), 1)
            await pilot.pause()
            bar = code.vertical_scrollbar
            assert bar.window_virtual_size == count
            assert bar.window_size == 10


async def test_a_layout_pass_that_changes_nothing_leaves_the_scrollbar_alone() -> None:
    app = CodeApp()
    async with app.run_test(size=(60, 20)) as pilot:
        code = app.query_one(CodeView)
        code.show("a.txt", lines(100), set(), 50)
        await pilot.pause()
        bar = code.vertical_scrollbar
        with patch.object(bar, "refresh", wraps=bar.refresh) as repaint:
            app.screen.refresh(layout=True)
            await pilot.pause()
        assert repaint.call_count == 0  # Textual's ScrollView: once per layout pass
        app.screen.styles.padding = (0, 0, 0, 3)  # a real change of size repaints it
        await pilot.pause()
        assert code.size.width == 57
        assert bar.window_virtual_size == 100
