"""The Findings pane: every finding (severity, rule, file:line, message), sortable and
filterable (`/`: free text plus `sev:`, `area:`, `rule:` and `ctx:` terms)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
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

SORTS = ("severity", "location", "rule")


@cache
def rule_areas() -> tuple[str, ...]:
    """Every rule area (read on first use: the registry imports every rule module)."""
    return tuple(dict.fromkeys(r.area for r in BY_ID.values()))


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
    contexts: frozenset[str] = frozenset()
    """`ctx:production`, `ctx:development,test`, `ctx:history` (applied migrations)."""

    @property
    def empty(self) -> bool:
        return not (self.severities or self.areas or self.rules or self.words or self.contexts)

    def matches(self, f: Finding) -> bool:
        if self.severities and f.severity not in self.severities:
            return False
        if self.contexts and context_of(f) not in self.contexts:
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


CONTEXTS = ("production", "development", "test", "history")


def context_of(f: Finding) -> str:
    """A finding's context for the filter: `history` for an applied migration, else its
    file's context (production when the grading set none)."""
    if f.history:
        return "history"
    return f.context or "production"


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
    contexts: set[str] = set()
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
                if part in rule_areas():
                    areas.add(part)
                else:
                    problems.append(token)
        elif low.startswith(("ctx:", "context:")):
            for part in low.split(":", 1)[1].split(","):
                match = [c for c in CONTEXTS if part and c.startswith(part)]
                if len(match) == 1:
                    contexts.add(match[0])
                else:
                    problems.append(token)
        elif low.startswith("rule:"):
            rules.extend(p for p in low.split(":", 1)[1].split(",") if p)
        else:
            words.append(low)
    return FindingFilter(
        frozenset(severities),
        frozenset(areas),
        tuple(rules),
        tuple(words),
        tuple(problems),
        frozenset(contexts),
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


def _keep_end(text: str, width: int) -> str:
    """`…compose.prod.yml:11`: a location cut from the left keeps its file name and line."""
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]


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
        self._rows: dict[tuple[int, bool, int, int], tuple[str, tuple[Content, ...]]] = {}
        self._rows_of: Snapshot | None = None
        self._location_lengths: dict[int, int] = {}
        """Length of each finding's location text (by id, for the analysis in `_rows_of`)."""
        self._laid_out_width = 0

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="/ filter: text  sev:high  sev>=medium  area:schema  rule:KD6  ctx:production",
            id="findings-filter",
        )
        table = KeyedTable(id="findings-table", classes="fill", open_on_click=True)
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
        width = self.size.width
        if compact != self.compact or width != self._laid_out_width:
            self.compact = compact
            self.refresh_rows()

    def _column_widths(self, ordered: list[Finding]) -> tuple[int, int]:
        """(location, message) widths that fill the pane: the message column gets what the
        severity, rule and location columns leave (never less than a third of the pane)."""
        pane = self.size.width or 120
        sev = 4 if self.compact else 8
        rule = 5
        lengths = self._location_lengths
        longest = 8
        for f in ordered:
            length = lengths.get(id(f))
            if length is None:
                length = lengths[id(f)] = len(self._location_text(f, 48))
            longest = max(longest, length)
        cap = COMPACT_LOCATION if self.compact else 48
        location = max(8, min(longest, cap, pane // 3))
        chrome = 4 * 2 + 2  # cell padding of four columns, the scrollbar
        message = max(pane // 3, pane - chrome - sev - rule - location)
        return location, message

    @staticmethod
    def _location_text(f: Finding, width: int) -> str:
        line = f":{f.location.line}"
        return safe_text(short_location(f.location.path, max(8, width - len(line))) + line)

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
            self._location_lengths.clear()
        location_width, message_width = self._column_widths(ordered)
        self._laid_out_width = self.size.width
        rows = [self._row(f, location_width, message_width) for f in ordered]
        self.table.set_widths({"loc": location_width, "msg": message_width})
        self.table.sync(rows)
        self._update_summary(len(active), len(ordered))

    def _row(
        self, f: Finding, location_width: int, message_width: int
    ) -> tuple[str, tuple[Content, ...]]:
        key = (id(f), self.compact, location_width, message_width)
        row = self._rows.get(key)
        if row is None:
            cells = (
                styled(
                    SHORT_SEVERITY[f.severity] if self.compact else f.severity.label,
                    SEVERITY_STYLE[f.severity],
                ),
                styled(f.rule, SEVERITY_STYLE[f.severity]),
                styled(_keep_end(self._location_text(f, location_width), location_width)),
                styled(_truncate(safe_text(f.message), message_width)),
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
