"""The Findings pane: every finding (severity, rule, file:line, message), sortable and
filterable (`/`: free text plus `sev:`, `area:`, `rule:` terms)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from analysis.catalog import BY_ID
from analysis.model import Finding, Severity
from analysis.secrets import safe_text
from tui.messages import DrillTarget
from tui.panes.base import Pane
from tui.watch import Snapshot
from tui.widgets.badges import SEVERITY_STYLE, styled
from tui.widgets.keyed_table import KeyedTable, as_cell

MESSAGE_WIDTH = 140
SORTS = ("severity", "location", "rule")
AREAS = tuple(dict.fromkeys(r.area for r in BY_ID.values()))


@dataclass(slots=True, frozen=True)
class FindingFilter:
    """A parsed filter: `sev:high` (exactly), `sev>=medium` (at least), `sev:critical,high`,
    `area:schema`, `rule:KD6` (id prefix or name part), anything else is text to look for in
    the rule, path and message."""

    severities: frozenset[Severity] = frozenset()
    areas: frozenset[str] = frozenset()
    rules: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.severities or self.areas or self.rules or self.words)

    def matches(self, f: Finding) -> bool:
        if self.severities and f.severity not in self.severities:
            return False
        rule = BY_ID.get(f.rule)
        if self.areas and (rule is None or rule.area not in self.areas):
            return False
        if self.rules:
            name = rule.name if rule else ""
            if not any(
                f.rule.lower().startswith(r) or (len(r) > 2 and r in name) for r in self.rules
            ):
                return False
        if self.words:
            hay = " ".join((f.rule, rule.name if rule else "", f.location.path, f.message)).lower()
            if not all(w in hay for w in self.words):
                return False
        return True


def _severity(text: str) -> Severity | None:
    try:
        return Severity.parse(text)
    except ValueError:
        return None


def parse_filter(text: str) -> FindingFilter:
    severities: set[Severity] = set()
    areas: set[str] = set()
    rules: list[str] = []
    words: list[str] = []
    problems: list[str] = []
    for token in text.split():
        low = token.lower()
        if low.startswith(("sev>=", "severity>=")):
            level = _severity(low.split(">=", 1)[1])
            if level is None:
                problems.append(token)
            else:
                severities |= {s for s in Severity if s >= level}
        elif low.startswith(("sev:", "severity:")):
            for part in low.split(":", 1)[1].split(","):
                level = _severity(part)
                if level is None:
                    problems.append(token)
                else:
                    severities.add(level)
        elif low.startswith("area:"):
            for part in low.split(":", 1)[1].split(","):
                if part in AREAS:
                    areas.add(part)
                else:
                    problems.append(token)
        elif low.startswith("rule:"):
            rules.extend(p for p in low.split(":", 1)[1].split(",") if p)
        else:
            words.append(low)
    return FindingFilter(
        frozenset(severities), frozenset(areas), tuple(rules), tuple(words), tuple(problems)
    )


def finding_key(f: Finding) -> str:
    loc = f.location
    return f"{f.rule}|{loc.path}|{loc.line}|{loc.column}|{f.message}"


def sort_findings(findings: Iterable[Finding], sort: str, reverse: bool) -> list[Finding]:
    if sort == "location":
        key = lambda f: f.sort_key  # noqa: E731
    elif sort == "rule":
        key = lambda f: (f.rule, f.sort_key)  # noqa: E731
    else:
        key = lambda f: (-int(f.severity), f.sort_key)  # noqa: E731
    return sorted(findings, key=key, reverse=reverse)


def short_location(path: str, width: int = 48) -> str:
    """Long paths keep their last two parts (`…/20240415093000_cart/migration.sql`), cut in
    the middle of the folder when that is still too long."""
    if len(path) <= width:
        return path
    parts = path.split("/")
    short = "…/" + "/".join(parts[-2:])
    if len(short) <= width or len(parts) < 2:
        return short
    name = parts[-1]
    room = max(4, width - len(name) - 4)
    return "…/" + parts[-2][:room] + "…/" + name


SHORT_SEVERITY = {
    Severity.CRITICAL: "crit",
    Severity.HIGH: "high",
    Severity.MEDIUM: "med",
    Severity.LOW: "low",
    Severity.INFO: "info",
}
COMPACT_WIDTH = 100
"""Below this pane width the table abbreviates severities and paths (a side terminal, or
the drill-down open beside it)."""
COMPACT_LOCATION = 30


def _truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class FindingsPane(Pane):
    """A table of all findings, with a filter line and a summary."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "s",
            "cycle_sort",
            "Sort",
            id="findings-sort",
            tooltip="Sort by severity, then location, then rule (again: reverse)",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            show=False,
            id="findings-clear-filter",
            tooltip="Clear the filter and go back to the table",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort = "severity"
        self.reverse = False
        self.finding_filter = FindingFilter()
        self.shown_findings: tuple[Finding, ...] = ()
        self.compact = False
        self._rows: dict[tuple[int, bool], tuple[str, tuple[Content, ...]]] = {}
        self._rows_of: Snapshot | None = None

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="/ filter: text  sev:high  sev>=medium  area:schema  rule:KD6",
            id="findings-filter",
        )
        table = KeyedTable(id="findings-table")
        table.add_column("Sev", key="sev")
        table.add_column("Rule", key="rule")
        table.add_column("Location", key="loc")
        table.add_column("Message", key="msg")
        yield table
        yield Static("", id="findings-summary", classes="pane-status")

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#findings-table", KeyedTable)

    def show(self, snapshot: Snapshot) -> None:
        super().show(snapshot)
        self.refresh_rows()

    def on_resize(self) -> None:
        compact = self.size.width < COMPACT_WIDTH
        if compact != self.compact:
            self.compact = compact
            self.refresh_rows()

    def refresh_rows(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        active = snapshot.active
        shown = [f for f in active if self.finding_filter.matches(f)]
        ordered = sort_findings(shown, self.sort, self.reverse)
        self.shown_findings = tuple(ordered)
        if self._rows_of is not snapshot:  # rows are built once per analysis and layout
            self._rows_of = snapshot
            self._rows.clear()
        rows = [self._row(f) for f in ordered]
        self.table.sync(rows)
        self._update_summary(len(active), len(ordered))

    def _row(self, f: Finding) -> tuple[str, tuple[Content, ...]]:
        key = (id(f), self.compact)
        row = self._rows.get(key)
        if row is None:
            width = COMPACT_LOCATION if self.compact else 48
            cells = (
                styled(
                    SHORT_SEVERITY[f.severity] if self.compact else f.severity.label,
                    SEVERITY_STYLE[f.severity],
                ),
                styled(f.rule, SEVERITY_STYLE[f.severity]),
                styled(safe_text(f"{short_location(f.location.path, width)}:{f.location.line}")),
                styled(_truncate(safe_text(f.message), MESSAGE_WIDTH)),
            )
            row = self._rows[key] = (finding_key(f), tuple(as_cell(c) for c in cells))
        return row

    def _update_summary(self, total: int, shown: int) -> None:
        direction = "↑" if self.reverse else "↓"
        parts = [f"{shown} of {total} findings", f"sorted by {self.sort} {direction}"]
        text = self.query_one("#findings-filter", Input).value.strip()
        if text:
            parts.append(f"filter: {text}")
        if self.finding_filter.problems:
            parts.append("not understood: " + " ".join(self.finding_filter.problems))
        if total and not shown:
            parts.append("nothing matches (Esc clears the filter)")
        self.query_one("#findings-summary", Static).update(styled("  ·  ".join(parts)))

    # -- filtering and sorting ---------------------------------------------------------
    def set_filter(self, text: str) -> None:
        box = self.query_one("#findings-filter", Input)
        if box.value != text:
            box.value = text
        self.finding_filter = parse_filter(text)
        self.refresh_rows()

    def focus_filter(self) -> None:
        self.query_one("#findings-filter", Input).focus()

    @on(Input.Changed, "#findings-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.finding_filter = parse_filter(event.value)
        self.refresh_rows()

    @on(Input.Submitted, "#findings-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_clear_filter(self) -> None:
        self.set_filter("")
        self.table.focus()

    def action_cycle_sort(self) -> None:
        if self.reverse:
            self.reverse = False
            self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        else:
            self.reverse = True
        self.refresh_rows()

    def set_sort(self, sort: str, reverse: bool = False) -> None:
        self.sort = sort if sort in SORTS else "severity"
        self.reverse = reverse
        self.refresh_rows()

    @on(DataTable.HeaderSelected, "#findings-table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        sort = {"sev": "severity", "rule": "rule", "loc": "location", "msg": "location"}[column]
        if sort == self.sort:
            self.reverse = not self.reverse
        else:
            self.sort, self.reverse = sort, False
        self.refresh_rows()

    # -- drill-down --------------------------------------------------------------------
    def finding_for_key(self, key: str | None) -> Finding | None:
        for f in self.shown_findings:
            if finding_key(f) == key:
                return f
        return None

    @on(DataTable.RowSelected, "#findings-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        f = self.finding_for_key(event.row_key.value)
        if f is not None:
            self.open_target(DrillTarget.of_finding(f))

    def select_finding(self, f: Finding) -> None:
        self.table.select_key(finding_key(f))
