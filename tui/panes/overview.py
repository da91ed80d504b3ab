"""The Overview pane: the seven section statuses and the seed-shaped Data Safety Checklist
(✓/!/✗ per item); the highlighted item's evidence is listed beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from analysis.model import Finding
from analysis.secrets import safe_text
from tui.messages import DrillTarget
from tui.panes.base import Pane, where
from tui.watch import Snapshot
from tui.widgets.badges import (
    LEVEL_CLASS,
    SEVERITY_STYLE,
    STATUS_STYLE,
    level_icon,
    level_value,
    status_icon,
    status_value,
    styled,
)
from tui.widgets.keyed_table import KeyedTable, ellipsis

if TYPE_CHECKING:
    from analysis.checklist_model import ChecklistItem, Evidence, Section

SECTION_PREFIX = "section:"


def _section_name(section: Section) -> str:
    return section.value


def pack(parts: list[Content], width: int, gap: int = 3) -> Content:
    """`parts` on lines of at most `width` cells, never breaking one part across lines."""
    lines: list[list[Content]] = [[]]
    used = 0
    for part in parts:
        need = part.cell_length + (gap if lines[-1] else 0)
        if lines[-1] and used + need > width:
            lines.append([])
            used, need = 0, part.cell_length
        lines[-1].append(part)
        used += need
    return Content("\n").join(Content(" " * gap).join(line) for line in lines)


def grid(parts: list[Content], width: int, gap: int = 2) -> list[Content] | None:
    """`parts` in aligned columns (row by row), as many columns as fit in `width` cells;
    None when even one column is wider."""
    for ncols in range(len(parts), 0, -1):
        rows = [parts[i : i + ncols] for i in range(0, len(parts), ncols)]
        widths = [max(row[c].cell_length for row in rows if c < len(row)) for c in range(ncols)]
        if sum(widths) + gap * (ncols - 1) <= width:
            return [
                Content(" " * gap).join(
                    cell if c == len(row) - 1 else cell.pad_right(widths[c] - cell.cell_length)
                    for c, cell in enumerate(row)
                )
                for row in rows
            ]
    return None


LEVEL_STYLE: dict[str, str] = {
    "SAFE": "$text-success",
    "SAFE WITH WARNINGS": "$text-warning",
    "AT RISK": "$text-error",
    "UNSAFE": "bold $text-error",
}
SHORT_LEVEL: dict[str, str] = {
    "SAFE WITH WARNINGS": "WARN",
    "AT RISK": "RISK",
}
"""The level words of the area summary on narrow terminals (the icon and colour are the same)."""
LEVEL_LEGEND: dict[str, str] = {
    "UNSAFE": "unsafe",
    "AT RISK": "at risk",
    "SAFE WITH WARNINGS": "warnings",
    "SAFE": "safe",
    "UNKNOWN": "unknown",
}


def area_summary(areas: list[tuple[str, str, int]], width: int) -> Content:
    """The verdict's areas (title, level, findings) in at most half as many lines as areas
    when the width allows: every area on one line with its level spelled out when they fit
    (wide terminals); else aligned columns with short level words; else aligned columns of
    icon, title and count under a legend of the icons (narrow terminals, 70 columns)."""

    def part(title: str, level: str, n: int, word: str | None) -> Content:
        count = f"({n})" if n else ""
        tail = " ".join(x for x in (word, count) if x)
        return Content.assemble(
            f"{level_icon(level)} ",
            (title, "bold"),
            " " if tail else "",
            (tail, LEVEL_STYLE.get(level, "")),
        )

    target = (len(areas) + 1) // 2
    full = [part(t, lv, n, lv) for t, lv, n in areas]
    packed = pack(full, width)
    if len(packed.plain.split("\n")) <= target:
        return packed
    short = grid([part(t, lv, n, SHORT_LEVEL.get(lv, lv)) for t, lv, n in areas], width)
    if short is not None and len(short) <= target:
        return Content("\n").join(short)
    bare = grid([part(t, lv, n, None) for t, lv, n in areas], width)
    if bare is None:
        return packed
    seen = dict.fromkeys(lv for _, lv, _ in areas)
    legend = Content("  ").join(
        Content.assemble(
            (level_icon(lv), LEVEL_STYLE.get(lv, "")),
            (f" {LEVEL_LEGEND[lv]}", "$text-muted"),
        )
        for lv in LEVEL_LEGEND
        if lv in seen
    )
    legend = Content.assemble(legend, ("  (n) findings", "$text-muted"))
    return Content("\n").join([*bare, legend])


class OverviewPane(Pane):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: dict[str, ChecklistItem] = {}
        self._evidence: dict[str, Evidence] = {}
        self._shown_item: str | None = None
        self._placed = False
        self._laid_out_width = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="overview-areas")
        with Horizontal(classes="split"):
            table = KeyedTable(id="checklist-table", classes="fill")
            table.add_column("", key="icon", width=2)
            table.add_column("Checklist item", key="text")
            yield table
            with Vertical(id="evidence-box", classes="fill"):
                yield Static("", id="evidence-title", classes="box-title")
                evidence = KeyedTable(
                    id="evidence-table", classes="fill", open_on_click=True, row_height=2
                )
                evidence.add_column("", key="icon", width=8)
                evidence.add_column("Evidence  (where)", key="text")
                yield evidence

    def show(self, snapshot: Snapshot) -> None:
        super().show(snapshot)
        self._show_areas(snapshot)
        table = self.query_one("#checklist-table", KeyedTable)
        # Narrow terminals: the section headings name the list; its header line goes to a row.
        table.show_header = not self.screen.has_class("-narrow")
        checklist = snapshot.checklist
        rows: list[tuple[str, tuple[Content, Content]]] = []
        self._items = {}
        # Cut with an ellipsis to the table's width; the evidence title above the evidence
        # shows the highlighted item in full.
        text_width = table.fit({"icon": 2}, "text", fallback=self.size.width // 2 or 60)
        if checklist is None:
            reason = snapshot.fact_errors.get("checklist", "the checklist is not available")
            rows.append(("none", (styled("?"), styled(reason, "$text-muted"))))
        else:
            section = None
            for item in checklist.items:
                name = _section_name(item.section)
                if name != section:
                    section = name
                    rows.append(
                        (SECTION_PREFIX + name, (styled(""), styled(name, "bold $text-primary")))
                    )
                status = status_value(item.status)
                self._items[item.id] = item
                rows.append(
                    (
                        item.id,
                        (
                            styled(status_icon(status)),
                            styled(
                                ellipsis(safe_text(item.text), text_width),
                                STATUS_STYLE.get(status, ""),
                            ),
                        ),
                    )
                )
        table.sync(rows)
        key = table.cursor_key
        if not self._placed and self._items:
            # First analysis: start on the first item rather than on a section heading.
            self._placed = True
            table.select_key(next(iter(self._items)), scroll=False)
            key = table.cursor_key
        self._show_evidence(key)

    def on_resize(self) -> None:
        if self.snapshot is not None and self.size.width != self._laid_out_width:
            self._laid_out_width = self.size.width
            self.call_after_refresh(self.show, self.snapshot)

    def _show_areas(self, snapshot: Snapshot) -> None:
        box = self.query_one("#overview-areas", Static)
        verdict = snapshot.verdict
        for cls in LEVEL_CLASS.values():
            box.remove_class(cls)
        if verdict is None:
            box.update(styled(snapshot.fact_errors.get("verdict", "no verdict"), "$text-muted"))
            return
        areas = [(a.title, level_value(a.level), len(a.findings)) for a in verdict.areas]
        box.update(area_summary(areas, (box.size.width or self.size.width or 120) - 2))

    # -- evidence ----------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#checklist-table")
    def _item_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_evidence(event.row_key.value)

    @on(DataTable.RowSelected, "#checklist-table")
    def _item_selected(self, event: DataTable.RowSelected) -> None:
        self._show_evidence(event.row_key.value)
        evidence = self.query_one("#evidence-table", KeyedTable)
        if evidence.row_count:
            evidence.focus()

    def _show_evidence(self, key: str | None) -> None:
        title = self.query_one("#evidence-title", Static)
        table = self.query_one("#evidence-table", KeyedTable)
        item = self._items.get(key or "")
        self._shown_item = key
        self._evidence = {}
        if item is None:
            title.update(styled("Select a checklist item to see its evidence.", "$text-muted"))
            table.sync([])
            return
        status = status_value(item.status)
        title.update(
            Content.assemble(
                (f"{status_icon(status)} {status}", STATUS_STYLE.get(status, "")),
                "  ",
                (safe_text(item.text), "bold"),
                "\n",
                (safe_text(item.reason or ""), "$text-muted"),
            )
        )
        found: list[tuple[str, Content, str, str]] = []
        for index, ev in enumerate(item.evidence):
            key_ev = f"{item.id}|{index}|{where(ev.location)}"
            self._evidence[key_ev] = ev
            severity = ev.severity
            if severity is not None:
                icon = styled(severity.label, SEVERITY_STYLE[severity])
            else:
                icon = styled("fact", "$text-success")
            found.append((key_ev, icon, safe_text(ev.text), where(ev.location)))
        # Each row: the evidence, and under it where it is; both cut to the table's width
        # (Enter opens the drill-down with the whole text).
        width = table.fit({"icon": 8}, "text", self.size.width // 2)
        cells: list[tuple[str, tuple[Content, Content]]] = [
            (
                k,
                (
                    icon,
                    Content.assemble(
                        ellipsis(text, width), "\n", (ellipsis(place, width), "$text-muted")
                    ),
                ),
            )
            for k, icon, text, place in found
        ]
        if not cells:
            cells.append((f"{item.id}|none", (styled(""), styled("no evidence", "$text-muted"))))
        table.sync(cells)

    @on(DataTable.RowSelected, "#evidence-table")
    def _evidence_selected(self, event: DataTable.RowSelected) -> None:
        ev = self._evidence.get(event.row_key.value or "")
        if ev is None or ev.location is None:
            return
        finding = self._finding_for(ev)
        if finding is not None:
            self.open_target(DrillTarget.of_finding(finding))
        else:
            self.open_target(
                DrillTarget(location=ev.location, title=safe_text(ev.text), detail="evidence")
            )

    def _finding_for(self, ev: Evidence) -> Finding | None:
        if self.snapshot is None or not ev.rule:
            return None
        for f in self.snapshot.active:
            if f.rule == ev.rule and f.location == ev.location:
                return f
        return None
