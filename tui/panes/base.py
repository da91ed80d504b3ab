"""What every pane shares: the snapshot it shows and helpers to find findings at a place."""

from __future__ import annotations

from collections.abc import Iterable

from textual.containers import Vertical
from textual.reactive import reactive

from analysis.model import Finding, Location
from analysis.terminal import terminal_line
from tui.messages import DrillTarget, OpenDrillDown
from tui.watch import Snapshot


def where(location: Location | None) -> str:
    """`path:line` of a location, fit for the terminal (a file name may hold escapes)."""
    if location is None:
        return ""
    return terminal_line(f"{location.path}:{location.line}")


def findings_at(
    findings: Iterable[Finding], path: str, first: int, last: int | None = None
) -> tuple[Finding, ...]:
    """Active findings located in `path` on lines first..last."""
    last = first if last is None else last
    return tuple(
        f
        for f in findings
        if f.suppressed is None and f.location.path == path and first <= f.location.line <= last
    )


def worst(findings: Iterable[Finding]) -> Finding | None:
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.sort_key))
    return ordered[0] if ordered else None


class Pane(Vertical):
    """A pane renders a Snapshot. `snapshot` is bound to the app's (`data_bind`): each new
    analysis reaches `show`, which updates the pane in place. A pane that fails says so in a
    notification and the others still update."""

    snapshot: reactive[Snapshot | None] = reactive(None, init=False)

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        try:
            self.show(snapshot)
        except Exception as exc:  # a pane's bug must not take the screen down
            self.log.error(f"{self.id} failed: {exc!r}")
            self.app.notify(
                terminal_line(f"{self.id}: {type(exc).__name__}: {exc}"),
                severity="error",
                markup=False,
            )

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def open_target(self, target: DrillTarget) -> None:
        self.post_message(OpenDrillDown(target))

    def open_location(
        self, location: Location | None, title: str, detail: str = "", prefer_finding: bool = True
    ) -> None:
        """Open the drill-down at `location`: on the finding there when there is one."""
        if location is None:
            self.app.notify("no file location for this row", severity="warning")
            return
        if prefer_finding and self.snapshot is not None:
            here = worst(
                findings_at(
                    self.snapshot.findings, location.path, location.line, location.last_line
                )
            )
            if here is not None:
                self.open_target(DrillTarget.of_finding(here))
                return
        self.open_target(DrillTarget(location=location, title=title, detail=detail))
