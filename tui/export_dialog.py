"""The export dialog: pick a format (Markdown, JSON, SARIF, or an SVG screenshot of the
screen) and a path; the app writes it through the report code and confirms with the path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

FORMATS: tuple[tuple[str, str, str], ...] = (
    ("md", "Markdown report", "md"),
    ("json", "JSON report", "json"),
    ("sarif", "SARIF 2.1.0", "sarif"),
    ("svg", "SVG screenshot of this screen", "svg"),
)
"""(format id, label, file extension)."""


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    path: Path


def default_path(fmt: str, folder: Path | None = None) -> Path:
    ext = dict((f, e) for f, _, e in FORMATS)[fmt]
    name = "keepdata-screen.svg" if fmt == "svg" else f"keepdata-report.{ext}"
    return (folder or Path.cwd()) / name


class ExportDialog(ModalScreen[ExportRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Close without writing"),
    ]

    def __init__(self, fmt: str = "md", folder: Path | None = None) -> None:
        super().__init__()
        self.fmt = fmt
        self.folder = folder
        self._auto_path = str(default_path(fmt, folder))

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label("Export", id="export-title")
            with RadioSet(id="export-format"):
                for fmt, label, _ in FORMATS:
                    yield RadioButton(label, value=fmt == self.fmt, id=f"export-{fmt}")
            yield Label("Path")
            yield Input(self._auto_path, id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("Write", variant="primary", id="export-write")
                yield Button("Cancel", id="export-cancel-button")

    def on_mount(self) -> None:
        self.query_one("#export-format", RadioSet).focus()

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        button_id = event.pressed.id or ""
        self.fmt = button_id.removeprefix("export-")
        box = self.query_one("#export-path", Input)
        if box.value == self._auto_path:  # the user did not type a path: follow the format
            self._auto_path = str(default_path(self.fmt, self.folder))
            box.value = self._auto_path

    def _submit(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("give a path to write to", severity="warning")
            return
        self.dismiss(ExportRequest(self.fmt, Path(text).expanduser()))

    @on(Button.Pressed, "#export-write")
    def _write(self) -> None:
        self._submit()

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self) -> None:
        self._submit()

    @on(Button.Pressed, "#export-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)
