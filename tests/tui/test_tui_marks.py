"""The inspector's status marks take the same width in Rich (which lays the screen out) and
in terminals (wcwidth, as tmux and most terminals count): a mark whose widths differ shifts
the rest of its row by a cell (emoji such as ⚠️ did under tmux)."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len

from tui.widgets.badges import LEVEL_ICON, STATUS_ICON, marks
from tui.widgets.relation_map import GRAPH_MARKS

wcwidth = pytest.importorskip("wcwidth")


@pytest.mark.parametrize("mark", sorted(marks() | GRAPH_MARKS))
def test_rich_and_wcwidth_agree_on_every_mark(mark: str) -> None:
    assert cell_len(mark) == wcwidth.wcswidth(mark) == len(mark), repr(mark)


@pytest.mark.parametrize("mark", sorted(marks()))
def test_status_marks_are_not_emoji_nor_of_ambiguous_width(mark: str) -> None:
    for char in mark:
        assert unicodedata.east_asian_width(char) in ("N", "Na"), (mark, char)
        assert char != "\ufe0f", mark  # the emoji presentation selector


def test_every_status_and_level_has_a_distinct_mark() -> None:
    assert len(set(STATUS_ICON.values())) == len(STATUS_ICON)
    assert "✅" not in marks() and "⚠️" not in marks()
    assert LEVEL_ICON["SAFE"] != LEVEL_ICON["UNSAFE"]
