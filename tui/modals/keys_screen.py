"""`?`: every key of the inspector, grouped by where it works, one row per key, with what it
does. The descriptions wrap (never cut to a column's width), so the screen reads the same at
70 columns as at 200; the list scrolls when it is longer than the screen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

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


def grouped_rows(
    groups: Sequence[tuple[str, Iterable[BindingType]]],
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(where, [(key, what), ...]) per group, one row per key: two bindings of one key in a
    group (`p` pauses, `p` resumes) are one row saying both."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for where, bindings in groups:
        rows: dict[str, list[str]] = {}
        for b in bindings:
            if not isinstance(b, Binding):
                continue
            what = b.tooltip or b.description or b.action
            texts = rows.setdefault(key_label(b.key), [])
            if what not in texts:
                texts.append(what)
        if rows:
            out.append((where, [(key, _either(texts)) for key, texts in rows.items()]))
    return out


def _either(texts: list[str]) -> str:
    """`Pause watching` and `Resume watching` as `Pause watching; or resume watching`."""
    rest = [t[:1].lower() + t[1:] for t in texts[1:]]
    return "; or ".join([texts[0], *rest])


def binding_rows(groups: Sequence[tuple[str, Iterable[BindingType]]]) -> list[tuple[str, str, str]]:
    """(where, key, what) for every row of the screen."""
    return [(where, key, what) for where, rows in grouped_rows(groups) for key, what in rows]


class KeysScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="keys-close", tooltip="Close"),
    ]

    def __init__(self, groups: Sequence[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-box", classes="dialog"):
            yield Label(
                "Keys  (Esc closes; ctrl+p opens the command palette)",
                id="keys-title",
                classes="dialog-title",
            )
            with VerticalScroll(id="keys-table", classes="fill"):
                for where, rows in grouped_rows(self.groups):
                    yield Static(where, classes="keys-group", markup=False)
                    for key, what in rows:
                        with Horizontal(classes="keys-row"):
                            yield Static(key, classes="keys-key", markup=False)
                            yield Static(what, classes="keys-what", markup=False)

    def rows(self) -> list[tuple[str, str, str]]:
        """(where, key, what) as shown, in order (for tests)."""
        return binding_rows(self.groups)

    def action_close(self) -> None:
        self.dismiss(None)
