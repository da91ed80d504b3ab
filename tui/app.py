"""The live inspector: `keepdata [PATH]` (`--no-watch` for a one-shot look).

Layout: a header (root, watch state, last analysis), the verdict bar, five tabbed panes on the
number keys, the drill-down on a layer over the panes' right half below the tab bar (wide
terminals) or over all of them (narrow ones), and the footer. Opening it resizes nothing
underneath, so the panes' rows are neither rebuilt nor repainted. The analysis runs in one exclusive thread worker at a time (requests that arrive
meanwhile become one follow-up analysis) and answers with an `AnalysisReady` message; the
result becomes the app's reactive `snapshot`, which the header and the verdict bar are bound
to (`data_bind`) and update from in place; the pane on screen is filled at once, the others
once it is painted. The project watcher runs in an async worker. The screen is drawn first
(saying "analyzing…") and filled when the analysis lands; the analysis's modules are imported
by its worker, not before the first frame.

Keys: `p` pauses watching, except inside the drill-down, where `n`/`p` step through the
findings; `P` pauses everywhere. `?` lists every key.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from analysis.model import Finding
from analysis.terminal import terminal_line
from tui.commands import KeepdataCommands
from tui.drilldown import DrillDown
from tui.export_flow import export_chosen, export_done, render_report, save_svg
from tui.heap import IDLE_SECONDS, HeapFreezer
from tui.messages import AnalysisReady, DrillTarget, OpenDrillDown
from tui.modals.export_dialog import ExportDialog, ExportRequest
from tui.modals.keys_screen import KeysScreen
from tui.panes.base import Pane
from tui.panes.findings import FindingsPane
from tui.panes.migrations import MigrationsPane
from tui.panes.overview import OverviewPane
from tui.panes.relations import RelationsPane
from tui.panes.volumes import VolumesPane
from tui.screen import InspectorScreen
from tui.warm import PaneWarmer
from tui.watch import (
    ProjectFilter,
    ProjectWatcher,
    Snapshot,
    describe_changes,
    diff_findings,
    diff_lines,
    take_snapshot,
)
from tui.widgets.code_view import language_for, warm_lexers
from tui.widgets.footer import KeyFooter
from tui.widgets.status import StatusHeader, VerdictBar
from tui.widgets.tabs import tab_labels

if TYPE_CHECKING:
    from analysis.settings import Settings

GONE_DETAIL = "the project folder is gone"
"""The header's note with --no-watch when a rescan finds no project folder."""
SWITCH_INTERVAL = 0.001
"""sys.setswitchinterval while the inspector runs (Python's default is 0.005)."""
IDLE_CHECK_SECONDS = 0.5
"""How often the inspector asks whether the user is idle (for tui.heap)."""
WARM_AFTER = 0.25
"""Seconds after an analysis lands when its files' Pygments lexers are imported (in a thread:
the first import of one, the SQL lexer ~45 ms, would land on the first drill-down into such a
file); the panes are painted by then."""
DRILL_OPEN = "-drill-open"
"""The class on #body while the drill-down is open (app.tcss lays the panes out for it)."""
DRILL_STYLED_IN_PANES = ".split, MigrationsPane, #history-table, #model-picker"
"""The nodes inside the panes a `#body.-drill-open` rule in app.tcss styles: the Overview,
Migrations and Relations panes stack their lists so both stay beside the drill-down."""
DRILL_STYLED = f"#panes, {DRILL_STYLED_IN_PANES}"
"""Every node a `#body.-drill-open` rule in app.tcss styles (tests/tui/test_drill_styles.py
checks the result against a full restyle). Opening the drill-down restyles #panes and these
nodes in the pane on screen only, the other panes' when they are shown: Textual's class
toggle restyles the whole subtree of #body, every pane and row widget, which cost more than
the rest of opening the drill-down. The rules set no inherited property, so the nodes'
descendants keep their styles."""


def root_label_for(root: Path, mask_volatile: bool = False) -> str:
    """How the header names the project: as typed when relative, else with ~ for home."""
    text = str(root)
    if not root.is_absolute() and text not in (".", ""):
        return text
    resolved = root.resolve()
    if mask_volatile:
        return resolved.name
    home = Path.home()
    try:
        return "~/" + str(resolved.relative_to(home))
    except ValueError:
        return str(resolved)


class KeepdataApp(App[int]):
    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#checklist-table"
    TITLE = "keepdata"
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (declared as a ClassVar by App)
        (0, "-narrow"),
        (100, "-wide"),
    ]
    COMMANDS = App.COMMANDS | {KeepdataCommands}
    PANES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("overview", "Overview"),
        ("volumes", "Volumes"),
        ("migrations", "Migrations"),
        ("relations", "Relations"),
        ("findings", "Findings"),
    )
    BINDINGS: ClassVar[list[Any]] = [
        *(
            Binding(
                str(number),
                f"show_pane('{pane_id}')",
                title,
                show=False,
                id=f"pane-{pane_id}",
                tooltip=f"Show the {title} pane",
            )
            for number, (pane_id, title) in enumerate(PANES, start=1)
        ),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter the findings"),
        Binding("n", "next_finding", "Next", id="next-finding", tooltip="Open the next finding"),
        Binding(
            "p",
            "pause_watching",
            "Pause",
            id="pause",
            tooltip="Pause watching (in the drill-down p is the previous finding, P pauses)",
        ),
        Binding(
            "p",
            "resume_watching",
            "Resume",
            id="resume",
            tooltip="Resume watching and re-analyze what changed meanwhile",
        ),
        Binding(
            "P",
            "toggle_pause",
            "Pause",
            show=False,
            id="pause-anywhere",
            tooltip="Pause or resume watching, also inside the drill-down",
        ),
        Binding("r", "rescan", "Rescan", id="rescan", tooltip="Analyze the project again now"),
        Binding("e", "export", "Export", id="export", tooltip="Write a report or a screenshot"),
        Binding("question_mark", "show_keys", "Keys", id="keys", tooltip="Show every key"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Stop watching and quit"),
    ]

    snapshot: reactive[Snapshot | None] = reactive(None, init=False)
    """The analysis on screen (the header and the verdict bar are bound to it; the panes are
    filled by `_show_snapshot`)."""
    watch_state: reactive[str] = reactive("starting", init=False)
    """What the header shows: starting, watching, paused, gone, error or off."""
    watch_detail: reactive[str] = reactive("", init=False)
    """The header's note beside the state (why watching failed, "analysis failed", ...)."""
    analyzing: reactive[bool] = reactive(False, init=False)
    """An analysis was requested and its result is not on screen yet."""
    paused: reactive[bool] = reactive(False, init=False, bindings=True)
    """Watching is paused (the footer shows Resume instead of Pause)."""

    def __init__(
        self,
        root: Path | str,
        watch: bool = True,
        *,
        root_label: str | None = None,
        mask_volatile: bool = False,
        config: str | None = None,
        base: str | None = None,
    ) -> None:
        super().__init__()
        self.settings_args = argparse.Namespace(config=config, base=base)
        """What `analysis.settings.load` reads from the command line."""
        self.root = Path(root).resolve()
        self.watch_enabled = watch
        self.mask_volatile = mask_volatile
        self.root_label = root_label or root_label_for(Path(root), mask_volatile)
        self.set_reactive(KeepdataApp.watch_state, "starting" if watch else "off")
        self.watcher_state = self.watch_state
        """The watcher's own state (watching while paused)."""
        self.watcher: ProjectWatcher | None = None
        self.analyses_requested = 0
        """How many analyses were asked for (saves, rescans, ...; for tests and benchmarks)."""
        self.analyses_landed = 0
        """How many analyses reached the screen."""
        self._analysis_running = False
        self._follow_up: str | None = None
        """The trigger of the analysis to run when the running one lands (requests made while
        one runs are folded into it)."""
        self.last_export: Path | None = None
        self.landed_at = 0.0
        """perf_counter() when the panes last showed a new analysis (for benchmarks)."""
        self.update_seconds = 0.0
        """How long the UI thread spent putting the last analysis on screen."""
        self.notices: list[str] = []
        """Every finding-change notification, in order (for tests and the log)."""
        self._landed = asyncio.Event()
        self._stop_watch: asyncio.Event | None = None
        self._changes_while_paused = False
        self._filter = ProjectFilter(self.root)
        self._focus_before_drill: Widget | None = None
        self._panes_to_restyle: set[str] = set()
        """Panes not restyled since the drill-down opened or closed (restyled when shown)."""
        self._switch_interval = sys.getswitchinterval()
        self.heap = HeapFreezer()
        """The garbage collector's policy while the inspector runs (tui.heap)."""
        self._last_input = time.monotonic()
        self._warmed: set[str] = set()
        self._panes: dict[str, Pane] = {}
        """The panes by tab id (made by `compose`)."""
        self._hidden_stale = False
        """The panes under inactive tabs do not show `snapshot` yet (`_fill_hidden_panes`)."""
        self._warmer = PaneWarmer([pane_id for pane_id, _ in self.PANES[1:]])
        """Lays out the panes never shown yet after the first full screen (tui.warm)."""
        """The languages whose Pygments lexers `_warm_lexers` imported or is importing."""

    def get_default_screen(self) -> InspectorScreen:
        return InspectorScreen(self.size.width, list(self.HORIZONTAL_BREAKPOINTS), id="_default")

    def _settings(self, root: Path) -> Settings:
        from analysis.settings import load

        return load(root, config=self.settings_args.config, base=self.settings_args.base)

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(
            self.root_label, mask_volatile=self.mask_volatile, id="status-header"
        ).data_bind(
            snapshot=KeepdataApp.snapshot,
            state=KeepdataApp.watch_state,
            detail=KeepdataApp.watch_detail,
            running=KeepdataApp.analyzing,
        )
        yield VerdictBar("analyzing…", id="verdict-bar").data_bind(KeepdataApp.snapshot)
        with Horizontal(id="body"):
            with TabbedContent(id="panes", initial="overview"):
                # not bound to the app's snapshot: `_show_snapshot` fills them
                with TabPane("1 Overview", id="overview"):
                    yield self._panes.setdefault("overview", OverviewPane(id="overview-pane"))
                with TabPane("2 Volumes", id="volumes"):
                    yield self._panes.setdefault("volumes", VolumesPane(id="volumes-pane"))
                with TabPane("3 Migrations", id="migrations"):
                    yield self._panes.setdefault("migrations", MigrationsPane(id="migrations-pane"))
                with TabPane("4 Relations", id="relations"):
                    yield self._panes.setdefault("relations", RelationsPane(id="relations-pane"))
                with TabPane("5 Findings", id="findings"):
                    yield self._panes.setdefault("findings", FindingsPane(id="findings-pane"))
            yield DrillDown(id="drilldown")
        yield KeyFooter()

    @property
    def header(self) -> StatusHeader:
        return self.query_one("#status-header", StatusHeader)

    @property
    def drilldown(self) -> DrillDown:
        return self.query_one("#drilldown", DrillDown)

    @property
    def findings_pane(self) -> FindingsPane:
        return self.query_one("#findings-pane", FindingsPane)

    @property
    def drilldown_open(self) -> bool:
        return self.query_one("#body").has_class(DRILL_OPEN)

    def _set_drill_open(self, is_open: bool) -> None:
        """Toggle DRILL_OPEN on #body and restyle only the nodes its rules style: #panes,
        and those in the pane on screen (the others' when they are shown)."""
        body = self.query_one("#body")
        if body.has_class(DRILL_OPEN) == is_open:
            return
        body.set_class(is_open, DRILL_OPEN, update=False)
        tabs = self.query_one("#panes", TabbedContent)
        self.stylesheet.update_nodes([tabs], animate=False)
        self._panes_to_restyle = {pane_id for pane_id, _ in self.PANES}
        self._restyle_pane(tabs.active)

    def _restyle_pane(self, pane_id: str) -> None:
        """Restyle a pane's DRILL_STYLED nodes if the drill-down opened or closed since."""
        if pane_id in self._panes_to_restyle:
            self._panes_to_restyle.discard(pane_id)
            pane = self.query_one(f"#{pane_id}", TabPane)
            self.stylesheet.update_nodes(pane.query(DRILL_STYLED_IN_PANES), animate=False)

    def on_load(self) -> None:
        self.heap.hold()  # no garbage collection on the way to the first full screen

    def on_mount(self) -> None:
        # The analysis thread and the UI share the GIL: hand it back to the UI sooner, so
        # keys stay responsive while a large project is re-analyzed.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL))
        self.drilldown.visible = False
        self.heap.start()
        self.set_interval(IDLE_CHECK_SECONDS, self._collect_when_idle)
        self.call_after_refresh(self.request_analysis, "start")  # once the screen is drawn
        if self.watch_enabled:
            self._watch_files()
        self.call_after_refresh(self._initial_focus)

    async def on_event(self, event: events.Event) -> None:
        user = isinstance(event, (events.Key, events.MouseEvent))
        if user:
            self._mark_input()
            self._fill_hidden_panes()  # a key or a click may show or read any pane
        await super().on_event(event)
        if user:
            self._mark_input()
            self.call_after_refresh(self._mark_input)  # idle counts from the repaint

    def _mark_input(self) -> None:
        self._last_input = time.monotonic()

    def _collect_when_idle(self) -> None:
        """Every IDLE_CHECK_SECONDS: no input for a while, so once the screen has nothing
        left to lay out or paint and still no input came, collect (tui.heap)."""
        if time.monotonic() - self._last_input < IDLE_SECONDS or self.analyzing:
            return  # not while the user types, nor while an analysis is on its way
        asked = time.monotonic()

        def collect() -> None:
            # not when input came meanwhile, nor when a key waits in the queue
            if (
                self._last_input < asked - IDLE_SECONDS
                and self._message_queue.empty()
                and not self.analyzing
            ):
                self.heap.collect_when_idle(time.monotonic() - self._last_input)

        self.call_after_refresh(collect)

    def _initial_focus(self) -> None:
        if self.focused is None and not self.drilldown_open:
            self._focus_pane("overview")

    def on_unmount(self) -> None:
        self._stop_watching()
        self.heap.release()
        sys.setswitchinterval(self._switch_interval)

    # -- analysis ----------------------------------------------------------------------
    def request_analysis(self, trigger: str) -> None:
        """Analyze the project again. One analysis runs at a time: a request made while one
        runs is folded into a single follow-up analysis, started when the running one lands
        (the newest trigger names it)."""
        self.analyses_requested += 1
        self.analyzing = True
        if self._analysis_running:
            self._follow_up = trigger
            return
        self._start_analysis(trigger)

    def _start_analysis(self, trigger: str) -> None:
        self.heap.hold()  # until its result is on screen (tui.heap)
        self._analysis_running = True
        self._follow_up = None
        self._analyze(trigger)

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False)
    def _analyze(self, trigger: str) -> None:
        snapshot = take_snapshot(
            self.root, self.root_label, trigger, settings_loader=self._settings
        )
        if not get_current_worker().is_cancelled:
            self.post_message(AnalysisReady(snapshot))

    def _warm_lexers(self, files: Iterable[str]) -> None:
        """Import the Pygments lexers of the files' languages not asked for yet, in a thread,
        before a drill-down needs them (called WARM_AFTER an analysis landed: the work is not
        on the way to the screen, and a save whose files' languages are all warm costs
        nothing)."""
        by_language = {language_for(path): path for path in files}
        new = [path for language, path in by_language.items() if language not in self._warmed]
        if new:
            self._warmed |= by_language.keys()
            self._warm(new)

    @work(thread=True, group="lexers", exit_on_error=False)
    def _warm(self, paths: list[str]) -> None:
        warm_lexers(paths)

    def _analysis_finished(self) -> None:
        """The running analysis landed or failed: start the follow-up, if one was asked for."""
        self._analysis_running = False
        if self._follow_up is not None:
            self._start_analysis(self._follow_up)
        else:
            self.analyzing = False

    async def wait_for_analysis(self, after: int | None = None, timeout: float = 30.0) -> Snapshot:
        """Wait (no sleeping) until the screen shows an analysis: with `after`, until more
        than `after` analyses have landed (`analyses_landed`); without, until every analysis
        asked for so far has landed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def done() -> bool:
            if self.snapshot is None or self._hidden_stale:
                return False
            return self.analyses_landed > after if after is not None else not self.analyzing

        while not done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no analysis landed (after {after})")
            await asyncio.wait_for(self._landed.wait(), remaining)
        assert self.snapshot is not None
        return self.snapshot

    @on(AnalysisReady)
    def _analysis_ready(self, message: AnalysisReady) -> None:
        started = time.perf_counter()
        self._analysis_finished()
        snapshot = message.snapshot
        self.analyses_landed += 1
        if snapshot.root_missing:  # keep the last analysis on screen, under "gone"
            self._root_gone()
        else:
            self.snapshot = snapshot  # the header, the verdict bar and the panes follow
        self.landed_at = time.perf_counter()
        self.update_seconds = self.landed_at - started
        self.call_after_refresh(self.heap.settle)  # once the panes are painted
        self.set_timer(WARM_AFTER, partial(self._warm_lexers, snapshot.files))
        self._wake_waiters()

    def _wake_waiters(self) -> None:
        self._landed.set()
        self._landed = asyncio.Event()

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        """Fill the pane on screen now and the others once it is painted: those under the
        inactive tabs are not seen, and filling them (risky-app: ~75 ms, 85% of putting an
        analysis on screen) delayed the first full screen and every save's repaint. Any key,
        click or tab switch fills them first, so no action reads a pane that is behind."""
        active = self.query_one("#panes", TabbedContent).active
        pane = self._panes.get(active)
        if pane is not None:
            pane.snapshot = snapshot
        self._hidden_stale = True
        # the first refresh paints the header; the pane's new content comes with the second
        self.call_after_refresh(self.call_after_refresh, self._fill_hidden_panes)

    def _fill_hidden_panes(self) -> None:
        if not self._hidden_stale:
            return
        self._hidden_stale = False
        for pane in self._panes.values():
            if pane.is_attached:  # not a callback that runs while the app closes
                pane.snapshot = self.snapshot
        self._wake_waiters()
        self._warmer.start(self.query_one("#panes", TabbedContent))

    def watch_snapshot(self, old: Snapshot | None, snapshot: Snapshot | None) -> None:
        """What the bound widgets do not do themselves: the panes, the watch filter, the tab
        labels, the open drill-down, the header's note, the change notification."""
        if snapshot is None:
            return
        self._show_snapshot(snapshot)
        self._filter.update(snapshot.files)
        self._update_tab_labels(snapshot)
        if self.drilldown_open:
            self.drilldown.refresh_snapshot(snapshot)
        if self.watch_state == "gone" or self.watch_detail == GONE_DETAIL:  # it is back
            self._set_watch_state("watching" if self.watch_enabled else "off")
        if snapshot.error:
            self.notify("the analysis failed; see the KD001 finding", severity="error")
            self.watch_detail = "analysis failed"
        elif self.watch_detail == "analysis failed":
            self.watch_detail = ""
        if old is not None:
            self._notify_changes(old, snapshot)

    def _update_tab_labels(self, snapshot: Snapshot | None = None) -> None:
        """Full labels when they fit, shorter ones when not (the bar must not scroll)."""
        snapshot = snapshot or self.snapshot
        tabs = next(iter(self.query("#panes").results(TabbedContent)), None)
        if tabs is None:  # a callback after refresh that runs while the app is closing
            return
        n = len(snapshot.active) if snapshot is not None else None
        labels = tab_labels(tabs.size.width or self.size.width, n)
        for (pane_id, _), label in zip(self.PANES, labels, strict=True):
            tab = tabs.get_tab(pane_id)
            if str(tab.label) != label:
                tab.label = label

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_tab_labels)

    def _notify_changes(self, old: Snapshot, new: Snapshot) -> None:
        diff = diff_findings(old.findings, new.findings)
        if not diff:
            return
        lines = [terminal_line(line) for line in diff_lines(diff)]
        self.notices.extend(lines)
        self.notify(
            "\n".join(lines),
            title="findings changed",
            severity="warning" if diff.added else "information",
            markup=False,
        )

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """One place for worker errors (as Harlequin does)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "analysis":
            self._analysis_finished()
            self.heap.settle()  # ends the start-up's hold on the collector
        if event.worker.group == "watcher":
            self._set_watch_state("error", terminal_line(str(error)))
        self.notify(terminal_line(f"{event.worker.name}: {error}"), severity="error", markup=False)

    # -- watching ----------------------------------------------------------------------
    @work(exclusive=True, group="watcher", exit_on_error=False)
    async def _watch_files(self) -> None:
        """Follow the project watcher (tui.watch.ProjectWatcher): it never stops by itself,
        so the header always says what is true (watching, paused, the root gone, an error
        being retried)."""
        self._stop_watch = stop = asyncio.Event()
        watcher = ProjectWatcher(self.root, self._filter)
        self.watcher = watcher
        async with contextlib.aclosing(watcher.events(stop)) as events:
            async for event in events:
                if event.kind == "changes":
                    if self.paused:
                        self._changes_while_paused = True
                        continue
                    self.request_analysis(describe_changes(self.root, event.changes))
                elif event.kind == "watching":
                    self._set_watch_state("watching", event.detail)
                elif event.kind == "gone":
                    self._root_gone()
                elif event.kind == "back":
                    self._set_watch_state("watching")
                    self.notify(
                        f"{terminal_line(self.root_label)} is back; analyzing it again",
                        title="project folder",
                        markup=False,
                    )
                    self.request_analysis("the project folder is back")
                elif event.kind == "problem":
                    self._set_watch_state("error", f"{event.detail}; retrying")

    def _root_gone(self) -> None:
        """The root folder was deleted or moved away: no verdict on nothing."""
        self.workers.cancel_group(self, "analysis")  # whatever analysis runs must not land
        self.heap.settle()  # nothing is on its way to the screen
        self._analysis_running = False
        self._follow_up = None
        self.analyzing = False
        if self.watch_enabled:
            self._set_watch_state("gone")
        else:
            self._set_watch_state("off", GONE_DETAIL)
        with contextlib.suppress(Exception):
            self.query_one("#verdict-bar", VerdictBar).show_gone(self.root_label)

    def _stop_watching(self) -> None:
        if self._stop_watch is not None:
            self._stop_watch.set()

    def _set_watch_state(self, state: str, detail: str = "") -> None:
        """`state` is the watcher's; the header shows `paused` over `watching`."""
        self.watcher_state = state
        self.watch_state = "paused" if self.paused and state == "watching" else state
        self.watch_detail = detail

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows Pause while watching and Resume while paused."""
        if action == "pause_watching":
            return self.watch_enabled and not self.paused
        if action == "resume_watching":
            return self.watch_enabled and self.paused
        return True

    def action_pause_watching(self) -> None:
        self.action_toggle_pause()

    def action_resume_watching(self) -> None:
        self.action_toggle_pause()

    def action_toggle_pause(self) -> None:
        if not self.watch_enabled:
            self.notify("not watching (--no-watch); r rescans")
            return
        self.paused = not self.paused
        self._set_watch_state(self.watcher_state, self.watch_detail)
        if not self.paused and self._changes_while_paused:
            self._changes_while_paused = False
            if self.watcher_state != "gone":
                self.request_analysis("resumed")

    def action_rescan(self) -> None:
        self.request_analysis("rescan")

    # -- panes -------------------------------------------------------------------------
    def action_show_pane(self, pane_id: str) -> None:
        if self.drilldown_open and self.screen.has_class("-narrow"):
            self.action_close_drilldown()
        self._restyle_pane(pane_id)
        self.query_one("#panes", TabbedContent).active = pane_id
        self._focus_pane(pane_id)

    def _focus_pane(self, pane_id: str) -> None:
        pane = self.query_one(f"#{pane_id}-pane", Pane)
        for widget in pane.query("DataTable, OptionList"):
            if widget.display and widget.focusable:
                widget.focus()
                return

    @on(TabbedContent.TabActivated, "#panes")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._fill_hidden_panes()
        pane_id = event.pane.id
        self._warmer.shown(pane_id)
        if pane_id:
            self._restyle_pane(pane_id)  # a tab clicked
        if pane_id and self.focused is not None and event.pane not in self.focused.ancestors:
            self._focus_pane(pane_id)

    def action_filter(self) -> None:
        self.action_show_pane("findings")
        self.findings_pane.focus_filter()

    def apply_filter(self, query: str) -> None:
        self.action_show_pane("findings")
        self.findings_pane.set_filter(query)

    # -- drill-down --------------------------------------------------------------------
    @on(OpenDrillDown)
    def _open_requested(self, message: OpenDrillDown) -> None:
        self.open_drilldown(message.target)

    def open_drilldown(self, target: DrillTarget) -> None:
        if self.snapshot is None:
            return
        if not self.drilldown_open:
            focused = self.focused
            inside = focused is not None and self.drilldown in focused.ancestors_with_self
            self._focus_before_drill = None if inside else focused
        self._set_drill_open(True)
        drill = self.drilldown
        drill.visible = True
        drill.show_target(target, self.snapshot)
        drill.code.focus()

    def action_close_drilldown(self) -> None:
        if not self.drilldown_open:
            return
        self._set_drill_open(False)
        self.drilldown.visible = False
        before = self._focus_before_drill
        if before is not None and before.is_attached and before.display:
            before.focus()
        else:
            active = self.query_one("#panes", TabbedContent).active
            if active:
                self._focus_pane(active)

    def ordered_findings(self) -> tuple[Finding, ...]:
        """The findings in the Findings pane's order (its filter and sort)."""
        visible = self.findings_pane.shown_findings
        if visible:
            return visible
        if self.snapshot is None:
            return ()
        return tuple(sorted(self.snapshot.active, key=lambda f: (-int(f.severity), f.sort_key)))

    def step_finding(self, step: int) -> Finding | None:
        findings = self.ordered_findings()
        if not findings:
            self.notify("no findings")
            return None
        current = self.drilldown.current_finding() if self.drilldown_open else None
        index = next(
            (
                i
                for i, f in enumerate(findings)
                if current is not None and f.identity == current.identity
            ),
            None,
        )
        if index is None:
            index = 0 if step > 0 else len(findings) - 1
        else:
            index = (index + step) % len(findings)
        f = findings[index]
        self.findings_pane.select_finding(f)
        self.open_drilldown(DrillTarget.of_finding(f))
        return f

    def action_next_finding(self) -> None:
        self.step_finding(1)

    def action_previous_finding(self) -> None:
        self.step_finding(-1)

    # -- export ------------------------------------------------------------------------
    def action_export(self) -> None:
        dialog = ExportDialog(folder=self.root, folder_label=self.root_label)
        self.push_screen(dialog, callback=self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        export_chosen(self, request)

    def _save_svg(self, request: ExportRequest) -> None:
        save_svg(self, request)

    @work(thread=True, group="export", exit_on_error=False)
    def _write_report(self, request: ExportRequest) -> None:
        outcome = render_report(self.snapshot, request)
        if outcome == "nothing":
            self.call_from_thread(self.notify, "nothing analyzed yet", severity="warning")
        else:
            self.call_from_thread(self._export_done, request.path, outcome)

    def _export_done(self, path: Path, error: BaseException | None) -> None:
        if error is None:
            self.last_export = path
        export_done(self, path, error)

    # -- keys --------------------------------------------------------------------------
    def action_show_keys(self) -> None:
        from tui.panes.findings import FindingsPane as _Findings
        from tui.panes.migrations import MigrationsPane as _Migrations
        from tui.panes.relations import RelationsPane as _Relations

        groups = [
            ("Everywhere", self.BINDINGS),
            ("In the drill-down", DrillDown.BINDINGS),
            ("In the Migrations pane", _Migrations.BINDINGS),
            ("In the Findings pane", _Findings.BINDINGS),
            ("In the Relations pane", _Relations.BINDINGS),
            (
                "In tables and lists",
                [
                    Binding("enter", "select", "Open the row in the drill-down (or click it)"),
                    Binding("up,down", "cursor", "Move between rows (or scroll with the mouse)"),
                ],
            ),
            ("Command palette", [Binding("ctrl+p", "command_palette", "Open the command palette")]),
        ]
        self.push_screen(KeysScreen(groups))

    async def action_quit(self) -> None:
        self._stop_watching()
        self.workers.cancel_group(self, "analysis")
        self.exit(0)


def run_app(root: Path, watch: bool, *, config: str | None = None, base: str | None = None) -> int:
    """Run the inspector on `root` (called by `keepdata [PATH]`). `config` and `base` are
    `--config FILE` and `--base REF`, for when the command line passes them on."""
    app = KeepdataApp(root, watch=watch, config=config, base=base)
    result = app.run()
    if result is None:  # the app stopped on an error (Textual printed it): not a success
        return int(app.return_code or 0)
    return int(result)
