"""What the inspector's export does once the dialog answers: a screenshot (SVG), the relations
graph, or a report rendered from the snapshot on screen (Markdown, JSON, SARIF), written where
the user chose, and a notification saying what was written or why not."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from analysis.terminal import terminal_line
from tui.modals.export_dialog import ExportRequest, write_export

if TYPE_CHECKING:
    from tui.app import KeepdataApp
    from tui.watch import Snapshot


def export_chosen(app: KeepdataApp, request: ExportRequest | None) -> None:
    """The dialog's answer: None when cancelled."""
    if request is None:
        return
    if request.fmt == "svg":
        app.call_after_refresh(app._save_svg, request)
    elif request.fmt == "graph":
        from tui.panes.relations import RelationsPane

        svg = app.query_one(RelationsPane).graph_svg()
        if svg is None:
            app.notify("no Prisma schema to draw", title="export", severity="warning")
            return
        app._export_done(request.path, write_export(request, svg))
    else:
        app._write_report(request)


def save_svg(app: KeepdataApp, request: ExportRequest) -> None:
    """The screen as it is drawn, as SVG."""
    try:
        svg = app.export_screenshot()
    except Exception as exc:
        app._export_done(request.path, exc)
        return
    app._export_done(request.path, write_export(request, svg))


def render_report(
    snapshot: Snapshot | None, request: ExportRequest
) -> BaseException | Literal["nothing"] | None:
    """Render and write the report (in a worker thread): None when written, the error when
    not, "nothing" before the first analysis."""
    if snapshot is None or snapshot.analysis is None:
        return "nothing"
    from analysis.report.render import render

    try:
        text = render(snapshot.analysis, request.fmt, snapshot.root_label)
    except Exception as exc:
        return exc
    return write_export(request, text)


def export_done(app: KeepdataApp, path: Path, error: BaseException | None) -> None:
    """Tell the user what was written, or why not (file names from the user are shown
    stripped of terminal control sequences)."""
    if error is None:
        app.notify(terminal_line(f"wrote {path}"), title="export", markup=False)
    elif isinstance(error, FileExistsError):
        app.notify(
            terminal_line(f"{path} exists now; not replaced (export again to overwrite)"),
            title="export",
            severity="warning",
            markup=False,
        )
    else:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        app.notify(
            terminal_line(f"cannot write {path}: {reason}"),
            title="export",
            severity="error",
            markup=False,
        )
