"""`?`: every key of the inspector, by where it works, with what it does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
}


def key_label(keys: str) -> str:
    out = []
    for key in keys.split(","):
        key = key.strip()
        out.append(KEY_NAMES.get(key, key))
    return " / ".join(out)


def binding_rows(groups: Sequence[tuple[str, Iterable[BindingType]]]) -> list[tuple[str, str, str]]:
    """(where, key, what) for every Binding of every group."""
    rows = []
    for where, bindings in groups:
        for b in bindings:
            if not isinstance(b, Binding):
                continue
            what = b.tooltip or b.description or b.action
            rows.append((where, key_label(b.key), what))
    return rows


class KeysScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="keys-close", tooltip="Close"),
    ]

    def __init__(self, groups: Sequence[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-box"):
            yield Label("Keys  (Esc closes; ctrl+p opens the command palette)", id="keys-title")
            table: DataTable[Content] = DataTable(id="keys-table", cursor_type="row")
            table.add_column("Where", key="where")
            table.add_column("Key", key="key")
            table.add_column("What it does", key="what")
            for where, key, what in binding_rows(self.groups):
                table.add_row(
                    Content(where), Content.styled(key, "bold $text-accent"), Content(what)
                )
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
