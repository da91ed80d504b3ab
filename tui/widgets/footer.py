"""The footer: one row of keys per set of bindings, mounted once and shown again.

Textual's Footer removes and mounts all its keys again each time the screen's bindings
signal fires (every focus move, every `refresh_bindings`), one frame later: each time a
dozen new widgets are styled and laid out, and their sizes settle in a second layout pass.
Opening the drill-down (the focus moves from a table to it) and switching panes change the
keys every time: that cost 40 ms of the 110 ms opening the drill-down took.

This footer composes the keys as Footer does and keeps them in a row per signature (what
each key shows and does). When the bindings change it shows the row already mounted for
them, at once, in the same frame as what moved the focus; only a signature not seen before
mounts a new row. Rows are kept up to `MAX_ROWS` (least recently shown ones go first)."""

from __future__ import annotations

from textual.compose import compose
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KeySignature = tuple[object, ...]
MAX_ROWS = 16
"""Rows of keys kept mounted (a handful of focus places times paused or not)."""


def _signature(key: FooterKey) -> KeySignature:
    tooltip = key.tooltip if isinstance(key.tooltip, str) else str(key.tooltip or "")
    classes = frozenset(key.classes) - {"-compact"}
    return (
        key.key,
        key.key_display,
        key.description,
        key.action,
        key._disabled,
        tooltip,
        classes,
    )


class KeyRow(Horizontal):
    """One set of keys, as wide as the footer (the command palette's key docks right)."""

    DEFAULT_CSS = """
    KeyRow {
        width: 1fr;
        height: 1;
        overflow: hidden hidden;
    }
    """

    def __init__(self, widgets: list[Widget], signature: tuple[object, ...]) -> None:
        super().__init__(*widgets)
        self.signature = signature


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[tuple[object, ...], KeyRow] = {}
        """The mounted rows by signature, least recently shown first."""
        self._shown: KeyRow | None = None

    def compose(self) -> list[Widget]:  # the rows come as the bindings do
        return []

    @property
    def shown_keys(self) -> list[FooterKey]:
        """The keys on screen, in order (the command palette's last)."""
        if self._shown is None:
            return []
        return list(self._shown.query_children(FooterKey))

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pruning:
            self._show_bindings()

    async def recompose(self) -> None:
        """Footer's compact/show_command_palette watchers recompose: show the keys again."""
        if self.is_attached and not self._pruning and self._bindings_ready:
            self._show_bindings()

    def _bindings_signature(self) -> tuple[object, ...]:
        """What decides the keys Footer.compose makes, read without making them."""
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (binding, enabled, tooltip)
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
            ),
        )

    def _show_bindings(self) -> None:
        signature = self._bindings_signature()
        row = self._rows.pop(signature, None)
        if row is None or not row.is_attached:
            with self._context():
                widgets = compose(self, Footer.compose(self))
            row = KeyRow(widgets, signature)
            row.display = False
            self.mount(row)
        self._rows[signature] = row  # most recently shown last
        if row is not self._shown:
            if self._shown is not None:
                self._shown.display = False
            row.display = True
            self._shown = row
        while len(self._rows) > MAX_ROWS:
            oldest = next(iter(self._rows))
            self._rows.pop(oldest).remove()
