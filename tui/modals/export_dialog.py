"""The export dialog: pick a format (Markdown, JSON, SARIF, or an SVG screenshot of the
screen) and a path; the app writes it through the report code, to exactly that path (a
relative path is relative to the folder keepdata was started in, shown absolute), and confirms
with the path. An existing file is never replaced without asking: Write on an existing path
asks, and only a second press (now labelled Overwrite) replaces it; a folder is refused."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from analysis.terminal import terminal_line

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
    overwrite: bool = False
    """The user confirmed replacing the existing file at `path`; without it the app writes
    only a new file (an exclusive create: a file that appeared meanwhile is not replaced)."""


def write_export(request: ExportRequest, text: str) -> BaseException | None:
    """Write `text` to exactly `request.path`; replace a file only when the user confirmed
    it, else create it exclusively (a file that appeared meanwhile stays: FileExistsError).
    Returns the error, or None when written."""
    try:
        request.path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a folder of the path should be
        return NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
    except (OSError, ValueError) as exc:
        return exc
    try:
        mode = "w" if request.overwrite else "x"
        with open(request.path, mode, encoding="utf-8") as out:
            out.write(text)
    except (OSError, ValueError) as exc:
        return exc
    return None


def export_path(text: str, base: Path | None = None) -> Path:
    """What the user typed, as the absolute path the export is written to."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else (base or Path.cwd()) / path


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
        self._confirmed: Path | None = None
        """The existing file the user was asked about (Write again replaces it)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label("Export", id="export-title")
            with RadioSet(id="export-format"):
                for fmt, label, _ in FORMATS:
                    yield RadioButton(label, value=fmt == self.fmt, id=f"export-{fmt}")
            yield Label("Path")
            yield Input(self._auto_path, id="export-path")
            yield Label("", id="export-warning", markup=False)
            with Horizontal(id="export-buttons"):
                yield Button("Write", variant="primary", id="export-write")
                yield Button("Cancel", id="export-cancel-button")

    def on_mount(self) -> None:
        self.query_one("#export-warning", Label).display = False
        self.query_one("#export-format", RadioSet).focus()

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._ask(None)

    def _ask(self, existing: Path | None, message: str = "") -> None:
        """Show (or clear) the question about an existing file."""
        self._confirmed = existing
        warning = self.query_one("#export-warning", Label)
        warning.update(terminal_line(message))
        warning.display = bool(message)
        self.query_one("#export-write", Button).label = "Overwrite" if existing else "Write"

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
        path = export_path(text)
        if path.is_dir():
            self._ask(None, f"{path} is a folder: give a file name")
            return
        if os.path.lexists(path):
            if self._confirmed != path:
                self._ask(path, f"{path} exists. Overwrite it? (Overwrite again to confirm)")
                return
            self.dismiss(ExportRequest(self.fmt, path, overwrite=True))
            return
        self.dismiss(ExportRequest(self.fmt, path))

    @on(Button.Pressed, "#export-write")
    def _write(self) -> None:
        self._submit()

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self) -> None:
        self._submit()

    @on(Button.Pressed, "#export-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)
