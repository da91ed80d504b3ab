"""The header (project root, watch state, last analysis time and duration) and the verdict
bar (the verdict and the count per severity)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from analysis.model import Severity
from analysis.terminal import terminal_line
from tui.watch import Snapshot
from tui.widgets.badges import LEVEL_CLASS, SEVERITY_STYLE, level_icon, level_value

WATCH_STYLE = {
    "watching": ("●", "$text-success"),
    "paused": ("‖", "$text-warning"),
    "error": ("✖", "$text-error"),
    "starting": ("○", "$text-muted"),
    "off": ("○", "$text-muted"),
    "gone": ("✖", "$text-error"),
}
STATE_TEXT = {
    "off": "one-shot (--no-watch)",
    "gone": "folder gone, waiting for it",
}


class StatusHeader(Static):
    """`keepdata  <root>  ● watching  last analysis 12:03:04 in 212 ms  (15 files)`

    Its state is reactive: the app binds `state`, `detail`, `snapshot` and `running` to its
    own (`data_bind`), and every change re-renders the line."""

    state: reactive[str] = reactive("starting", init=False)
    detail: reactive[str] = reactive("", init=False)
    snapshot: reactive[Snapshot | None] = reactive(None, init=False)
    running: reactive[bool] = reactive(False, init=False)

    def __init__(self, root_label: str, *, mask_volatile: bool = False, id: str | None = None):
        super().__init__("", id=id)
        self.root_label = root_label
        self.mask_volatile = mask_volatile

    def on_mount(self) -> None:
        self.render_status()

    def watch_state(self) -> None:
        self.render_status()

    def watch_detail(self) -> None:
        self.render_status()

    def watch_snapshot(self) -> None:
        self.render_status()

    def watch_running(self) -> None:
        self.render_status()

    def render_status(self) -> None:
        icon, style = WATCH_STYLE.get(self.state, ("?", ""))
        state = STATE_TEXT.get(self.state, self.state)
        parts: list[str | tuple[str, str]] = [
            ("keepdata", "bold $text-primary"),
            "  ",
            (terminal_line(self.root_label), "bold"),
            "  ",
            (f"{icon} {state}", style),
        ]
        if self.detail:
            parts += [" ", (f"({terminal_line(self.detail)})", "$text-muted")]
        snap = self.snapshot
        if snap is None:
            parts += ["  ", ("analyzing…", "$text-muted")]
        else:
            if self.mask_volatile:
                when, took = "--:--:--", "-- ms"
            else:
                when = snap.finished_at.strftime("%H:%M:%S")
                took = f"{snap.duration * 1000:.0f} ms"
            parts += [
                "  ",
                ("last analysis ", "$text-muted"),
                when,
                (" in ", "$text-muted"),
                took,
                ("  ", ""),
                (f"{len(snap.files)} files", "$text-muted"),
            ]
            if self.running:
                parts += ["  ", ("re-analyzing…", "$text-accent")]
        self.update(Content.assemble(*parts))


class VerdictBar(Static):
    """`UNSAFE  4 critical  5 high  3 medium  2 low  0 info  · worst: KD105 file:line`

    `snapshot` is bound to the app's (`data_bind`); until the first analysis lands the bar
    says it is analyzing."""

    snapshot: reactive[Snapshot | None] = reactive(None, init=False)

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is not None:
            self.show(snapshot)

    def show(self, snapshot: Snapshot) -> None:
        verdict = snapshot.verdict
        for cls in LEVEL_CLASS.values():
            self.remove_class(cls)
        counts = snapshot.counts()
        parts: list[str | tuple[str, str]] = []
        if verdict is not None:
            level = level_value(verdict.level)
            self.add_class(LEVEL_CLASS.get(level, ""))
            parts += [(f" {level_icon(level)} {level} ", "bold reverse"), "  "]
        for sev in sorted(Severity, reverse=True):
            n = counts[sev]
            parts += [(f"{n} {sev.label}", SEVERITY_STYLE[sev] if n else "$text-muted"), "  "]
        suppressed = sum(1 for f in snapshot.findings if f.suppressed is not None)
        if suppressed:
            parts += [(f"({suppressed} suppressed)", "$text-muted"), "  "]
        if verdict is not None and verdict.decided_by is not None:
            f = verdict.decided_by
            parts += [
                ("worst: ", "$text-muted"),
                (f.rule, SEVERITY_STYLE[f.severity]),
                " ",
                (terminal_line(f"{f.location.path}:{f.location.line}"), "$text-muted"),
            ]
        elif verdict is not None:
            parts += [("no finding", "$text-success")]
        self.update(Content.assemble(*parts))

    def show_gone(self, root_label: str) -> None:
        """No verdict: the project folder is not there (nothing analyzed is not SAFE)."""
        for cls in LEVEL_CLASS.values():
            self.remove_class(cls)
        self.update(
            Content.assemble(
                (" ✖ NO VERDICT ", "bold reverse $text-error"),
                "  ",
                (f"{terminal_line(root_label)} is gone", "bold $text-error"),
                ("  (deleted or moved away; the panes show the last analysis)", "$text-muted"),
            )
        )
