"""The Migration strategy pane: the startup path as a chain per service (compose →
Dockerfile → script → package.json → prisma command, with conditions), the wait logic, the
migration history (name, date, statements, risk badges) with the highlighted migration's
statements, and the pending difference between the schema and the migrations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from analysis.model import Finding, Location, Related
from analysis.parsers.migration_sql.records import Statement
from analysis.rules.registry import RULES
from analysis.secrets import safe_text
from tui.messages import DrillTarget
from tui.panes.base import Pane, findings_at, where, worst
from tui.watch import Snapshot
from tui.widgets.badges import SEVERITY_STYLE, styled
from tui.widgets.keyed_table import KeyedTable, ellipsis

if TYPE_CHECKING:
    from analysis.facts.migrations import Migration, MigrationHistory
    from analysis.facts.startup.records import PrismaStep, StartupFacts, StartupPath
    from analysis.grading.history import HistoryBase
    from analysis.parsers.migration_sql.records import PrismaWarning


@cache
def wait_rules() -> frozenset[str]:
    """The rules of the report's Wait Script Safety section (shown with the wait logic);
    read on first use, not at import: the registry imports every rule module."""
    return frozenset(r.id for r in RULES if r.section == "wait-script")


RISK_STYLE = "$text-error"
MILD_RISKS = ("adds a unique index", "renames a table", "renames a column", "updates rows")


@dataclass(slots=True, frozen=True)
class ChainRow:
    key: str
    path: str
    depth: int
    text: str
    location: Location | None
    condition: str
    context: str = ""
    is_command: bool = False


CONTEXT_ORDER = {"startup": 0, "deploy": 1, "build": 2, "developer": 3}


def _paths(startup: StartupFacts) -> list[StartupPath]:
    return sorted(startup.paths, key=lambda p: CONTEXT_ORDER.get(p.context, 9))


def command_text(cmd: PrismaStep) -> str:
    command = cmd.command or cmd.label or cmd.text
    text = command if command.startswith("prisma") else f"prisma {command}"
    return f"{text} {' '.join(cmd.flags)}".strip()


def startup_chain_rows(startup: StartupFacts) -> Iterator[ChainRow]:
    """Rows for the startup-path table: each path (startup, deploy, build, then developer
    scripts that run Prisma) as its tree of links, Prisma commands with their conditions."""
    for p_index, path in enumerate(_paths(startup)):
        context = path.context
        links = path.links
        if context == "developer" and not path.commands:
            continue
        path_id = path.id or str(p_index)
        by_location = {
            (c.location.path, c.location.line, c.location.column): c for c in path.commands
        }
        first = links[0].location if links else None
        yield ChainRow(f"{path_id}|path", path_id, 0, path.name, first, "", context)
        for i, link in enumerate(links):
            loc = link.location
            cmd = None
            if link.kind == "prisma":
                cmd = by_location.get((loc.path, loc.line, loc.column))
            text = command_text(cmd) if cmd is not None else link.label
            cond = cmd.condition if cmd is not None else ""
            depth = link.depth
            yield ChainRow(
                f"{path_id}|{i}",
                path_id,
                depth + 1,
                text,
                loc,
                cond,
                context,
                cmd is not None,
            )


def wait_lines(snapshot: Snapshot) -> list[tuple[Content, Location | None]]:
    """What makes the app wait for its database: the startup fact's waits (retry loops,
    wait tools, `depends_on: service_healthy`; compose's `depends_on` when that fact is
    missing) and the findings about waiting."""
    out: list[tuple[Content, Location | None]] = []
    startup = snapshot.fact("startup")
    seen: set[tuple[str, str]] = set()
    if startup is not None:
        for path in _paths(startup):
            if path.context not in ("startup", "deploy"):
                continue
            for wait in path.waits:
                loc = wait.location
                label = safe_text(wait.label)
                if (where(loc), label) in seen:
                    continue
                seen.add((where(loc), label))
                bounded = wait.bounded
                bound = wait.bound
                out.append(
                    (
                        Content.assemble(
                            (f"{path.name}: ", "$text-muted"),
                            (label, "bold"),
                            "  ",
                            (
                                f"bounded: {bound}" if bounded else "no limit",
                                "$text-success" if bounded else "$text-warning",
                            ),
                            "  ",
                            (where(loc), "$text-muted"),
                        ),
                        loc,
                    )
                )
    else:
        for stack in snapshot.fact("stacks") or ():
            for service in stack.services:
                for dep in service.depends_on:
                    ok = dep.condition in ("service_healthy", "service_completed_successfully")
                    out.append(
                        (
                            Content.assemble(
                                (f"{service.name} waits for {dep.service}", "bold"),
                                " ",
                                (
                                    f"({dep.condition})",
                                    "$text-success" if ok else "$text-warning",
                                ),
                                "  ",
                                (where(dep.location), "$text-muted"),
                            ),
                            dep.location,
                        )
                    )
    for f in snapshot.active:
        if f.rule in wait_rules():
            out.append(
                (
                    Content.assemble(
                        (f"{f.rule} ", SEVERITY_STYLE[f.severity]),
                        safe_text(f.message),
                    ),
                    f.location,
                )
            )
    return out


def risk_cell(risks: Iterable[str]) -> Content:
    parts = []
    for risk in risks:
        style = "$text-warning" if risk in MILD_RISKS else RISK_STYLE
        if risk.startswith("prisma warning"):
            style = "bold $text-error"
        parts.append(Content.styled(f"[{risk}]", style))
    return Content(" ").join(parts) if parts else Content.styled("—", "$text-muted")


def statement_summary(statement: Statement) -> str:
    text = " ".join(statement.text.split())
    return text[:90] + ("…" if len(text) > 90 else "")


HISTORY_ROW = "history|applied"
"""The row that stands for the folded applied history."""


def _history_base(snapshot: Snapshot) -> HistoryBase | None:
    grading = snapshot.analysis.grading if snapshot.analysis is not None else None
    return grading.history if grading is not None else None


def applied_paths(snapshot: Snapshot) -> frozenset[str]:
    """The migration.sql paths that exist at the base revision (applied history)."""
    base = _history_base(snapshot)
    return base.history if base is not None else frozenset()


def grading_note(snapshot: Snapshot) -> str:
    """Why every migration is graded as new, when that is so (no git, no base)."""
    base = _history_base(snapshot)
    return (base.note if base is not None else None) or ""


class MigrationsPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "h",
            "toggle_history",
            "History",
            id="migrations-history",
            tooltip="Open or fold the applied history (migrations at the base revision)",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chain: dict[str, ChainRow] = {}
        self._migrations: dict[str, Migration] = {}
        self._statements: dict[str, tuple[Migration, Statement | PrismaWarning]] = {}
        self._pending: dict[str, tuple[str, Location | None]] = {}
        self._waits: dict[str, tuple[str, Location | None]] = {}
        self._shown_migration: str | None = None
        self.history_open = False
        """The applied history is folded into one row until asked for."""
        self._history_count = 0

    def compose(self) -> ComposeResult:
        yield Static("Startup path", classes="pane-heading")
        chain = KeyedTable(id="startup-table", open_on_click=True)
        chain.add_column("Step", key="step")
        chain.add_column("Where", key="where")
        chain.add_column("Condition", key="cond")
        yield chain
        yield Static("Wait logic", classes="pane-heading")
        waits = KeyedTable(id="wait-table", show_header=False, open_on_click=True)
        waits.add_column("Wait", key="wait")
        yield waits
        yield Static("Migrations", id="history-heading", classes="pane-heading")
        with Horizontal(classes="split"):
            history = KeyedTable(id="history-table", classes="fill", open_on_click=True)
            history.add_column("Migration", key="name")
            history.add_column("Date", key="date")
            history.add_column("Stmts", key="n")
            history.add_column("Risks", key="risks")
            yield history
            with Vertical(id="statements-box", classes="fill"):
                yield Static("", id="statements-title", classes="box-title")
                statements = KeyedTable(id="statements-table", classes="fill", open_on_click=True)
                statements.add_column("Line", key="line")
                statements.add_column("Step", key="step")
                statements.add_column("Statement", key="text")
                statements.add_column("Findings", key="findings")
                yield statements
        yield Static("Pending (schema vs migrations)", classes="pane-heading")
        pending = KeyedTable(id="pending-table", open_on_click=True)
        pending.add_column("Change", key="change")
        pending.add_column("Where", key="where")
        yield pending

    def show(self, snapshot: Snapshot) -> None:
        super().show(snapshot)
        self._show_chain(snapshot)
        self._show_waits(snapshot)
        self._show_history(snapshot)
        self._show_pending(snapshot)

    # -- startup path --------------------------------------------------------------------
    def _show_chain(self, snapshot: Snapshot) -> None:
        table = self.query_one("#startup-table", KeyedTable)
        startup = snapshot.fact("startup")
        self._chain = {}
        rows = []
        if startup is None:
            rows.append(
                (
                    "missing",
                    (
                        styled(snapshot.missing("startup"), "$text-muted"),
                        styled(""),
                        styled(""),
                    ),
                )
            )
        else:
            for row in startup_chain_rows(startup):
                self._chain[row.key] = row
                indent = "  " * max(0, row.depth - 1) + ("→ " if row.depth else "")
                style = "bold" if row.depth == 0 else ""
                if row.is_command:
                    style = "$text-accent"
                    here = (
                        findings_at(snapshot.active, row.location.path, row.location.line)
                        if row.location
                        else ()
                    )
                    bad = worst(here)
                    if bad is not None:
                        style = SEVERITY_STYLE[bad.severity]
                if row.context == "developer" and not row.is_command:
                    style = "$text-muted"
                text = indent + safe_text(row.text)
                if row.depth == 0 and row.context:
                    text += f"  [{row.context}]"
                rows.append(
                    (
                        row.key,
                        (
                            styled(text, style),
                            styled(where(row.location), "$text-muted"),
                            styled(safe_text(row.condition), "$text-warning"),
                        ),
                    )
                )
            if not rows:
                rows.append(
                    (
                        "none",
                        (
                            styled("no startup path found", "$text-muted"),
                            styled(""),
                            styled(""),
                        ),
                    )
                )
        table.sync(rows)

    def _show_waits(self, snapshot: Snapshot) -> None:
        table = self.query_one("#wait-table", KeyedTable)
        self._waits = {}
        rows = []
        for i, (text, loc) in enumerate(wait_lines(snapshot)):
            key = f"wait|{i}|{where(loc)}"
            self._waits[key] = (text.plain, loc)
            rows.append((key, (text,)))
        if not rows:
            rows.append(("none", (styled("nothing waits for a database", "$text-muted"),)))
        table.sync(rows)

    # -- history -------------------------------------------------------------------------
    def _show_history(self, snapshot: Snapshot) -> None:
        """New migrations first; the applied history (at the base revision, see
        analysis.grading.history) after them as one row with its count, collapsed until
        Enter (or a click, or `h`) opens it."""
        table = self.query_one("#history-table", KeyedTable)
        heading = self.query_one("#history-heading", Static)
        histories = snapshot.fact("migrations")
        self._migrations = {}
        rows: list[tuple[str, tuple[Content, Content, Content, Content]]] = []
        blank = styled("")
        if histories is None:
            heading.update(Content.styled("Migrations", "bold"))
            rows.append(
                ("missing", (styled(snapshot.missing("migrations"), "$text-muted"),) + (blank,) * 3)
            )
            table.sync(rows)
            self._show_statements(None)
            return
        applied = applied_paths(snapshot)
        many = len(histories) > 1
        every = [(h, m) for h in histories for m in h.migrations]
        new = [(h, m) for h, m in every if m.path not in applied]
        old = [(h, m) for h, m in every if m.path in applied]
        self._history_count = len(old)
        folders = ", ".join(
            f"{h.folder} ({h.provider or 'provider unknown'}, {len(h.migrations)})"
            for h in histories
        )
        note = grading_note(snapshot)
        heading.update(
            Content.assemble(
                ("Migrations", "bold"),
                "  ",
                (safe_text(folders or "no migrations folder"), "$text-muted"),
                *(("  ", (safe_text(note), "$text-muted")) if note else ()),
            )
        )
        wide = (table.size.width or self.size.width) >= 90
        date_width = 16 if wide else 10
        widths = [len(self._migration_name(h, m, many)) for h, m in every] or [10]
        name_width = min(max(widths), max(16, (table.size.width or 80) // 3))
        risk_width = table.fit(
            {"name": name_width, "date": date_width, "n": 5}, "risks", fallback=self.size.width
        )

        def row(
            h: MigrationHistory, m: Migration
        ) -> tuple[str, tuple[Content, Content, Content, Content]]:
            row_key = f"{h.folder}|{m.name}"
            self._migrations[row_key] = m
            fmt = "%Y-%m-%d %H:%M" if wide else "%Y-%m-%d"
            date = m.date.strftime(fmt) if m.date else "—"
            bad = worst(f for f in snapshot.active if f.location.path == m.path)
            name_style = SEVERITY_STYLE[bad.severity] if bad is not None else ""
            return (
                row_key,
                (
                    styled(ellipsis(self._migration_name(h, m, many), name_width), name_style),
                    styled(date, "$text-muted"),
                    styled(str(len(m.statements))),
                    risk_cell(m.risks).truncate(risk_width, ellipsis=True),
                ),
            )

        if old and not new:
            rows.append(("new", (styled("no new migrations", "$text-muted"),) + (blank,) * 3))
        rows.extend(row(h, m) for h, m in new)
        if old:
            mark = "▾" if self.history_open else "▸"
            action = (
                "the history at the base revision: Enter or h folds it"
                if self.history_open
                else "the history at the base revision: Enter or h shows it"
            )
            label = f"{mark} {len(old)} applied"
            rows.append(
                (
                    HISTORY_ROW,
                    (
                        styled(ellipsis(label, name_width), "bold"),
                        blank,
                        blank,
                        styled(ellipsis(action, risk_width), "$text-muted"),
                    ),
                )
            )
            if self.history_open:
                rows.extend(row(h, m) for h, m in old)
        if not every:
            rows.append(("none", (styled("no migrations", "$text-muted"),) + (blank,) * 3))
        table.sync(rows)
        key: str | None = table.cursor_key
        if key not in self._migrations and self._migrations and key != HISTORY_ROW:
            key = next(iter(self._migrations))
            table.select_key(key, scroll=False)
        self._show_statements(key)

    @staticmethod
    def _migration_name(h: MigrationHistory, m: Migration, many: bool) -> str:
        """The folder name without its timestamp (the Date column shows it), and which
        migrations folder when there are several (`init · edge`)."""
        name = safe_text(m.label if m.date is not None and m.label else m.name)
        if not many:
            return name
        folder = h.folder.removesuffix("migrations").rstrip("/").removesuffix("prisma")
        folder = folder.rstrip("/")
        return f"{name} · {safe_text(folder)}" if folder else name

    def action_toggle_history(self) -> None:
        """Open or fold the applied history in the migrations list."""
        if not self._history_count:
            self.app.notify("no applied history (every migration is new)")
            return
        self.history_open = not self.history_open
        if self.snapshot is not None:
            self._show_history(self.snapshot)

    @on(DataTable.RowHighlighted, "#history-table")
    def _migration_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_statements(event.row_key.value)

    @on(DataTable.RowSelected, "#history-table")
    def _migration_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value == HISTORY_ROW:
            self.action_toggle_history()
            return
        self._show_statements(event.row_key.value)
        statements = self.query_one("#statements-table", KeyedTable)
        if statements.row_count:
            statements.focus()

    def _show_statements(self, key: str | None) -> None:
        title = self.query_one("#statements-title", Static)
        table = self.query_one("#statements-table", KeyedTable)
        m = self._migrations.get(key or "")
        self._statements = {}
        self._shown_migration = key
        if m is None:
            title.update(styled("Select a migration to see its statements.", "$text-muted"))
            table.sync([])
            return
        active = self.snapshot.active if self.snapshot else ()
        title.update(
            Content.assemble(
                (safe_text(m.name), "bold"),
                "  ",
                (safe_text(m.path), "$text-muted"),
                "  ",
                (f"{len(m.warnings)} Prisma warning(s)" if m.warnings else "", "$text-error"),
            )
        )
        rows = []
        for w in m.warnings:
            wkey = f"{m.path}|warning|{w.line}"
            self._statements[wkey] = (m, w)
            rows.append(
                (
                    wkey,
                    (
                        styled(str(w.line)),
                        styled("Warning", "bold $text-error"),
                        styled(safe_text(w.text)[:100]),
                        self._findings_cell(findings_at(active, m.path, w.line)),
                    ),
                )
            )
        for st in m.statements:
            skey = f"{m.path}|{st.index}|{st.line}"
            self._statements[skey] = (m, st)
            here = findings_at(active, m.path, st.line, st.end_line)
            rows.append(
                (
                    skey,
                    (
                        styled(f"{st.line}" + (f"-{st.end_line}" if st.end_line > st.line else "")),
                        styled(safe_text(st.header or st.kind), "$text-accent"),
                        styled(safe_text(statement_summary(st))),
                        self._findings_cell(here),
                    ),
                )
            )
        if not rows:
            rows.append(
                (
                    f"{m.path}|empty",
                    (
                        styled(""),
                        styled(""),
                        styled("no statements", "$text-muted"),
                        styled(""),
                    ),
                )
            )
        table.sync(rows)

    @staticmethod
    def _findings_cell(findings: Iterable[Finding]) -> Content:
        parts = [
            Content.styled(f.rule, SEVERITY_STYLE[f.severity])
            for f in sorted(findings, key=lambda f: (-int(f.severity), f.rule))
        ]
        return Content(" ").join(parts) if parts else Content("")

    # -- pending -------------------------------------------------------------------------
    def _show_pending(self, snapshot: Snapshot) -> None:
        table = self.query_one("#pending-table", KeyedTable)
        pending = snapshot.fact("pending")
        self._pending = {}
        rows = []
        if pending is None:
            rows.append(
                (
                    "missing",
                    (styled(snapshot.missing("pending"), "$text-muted"), styled("")),
                )
            )
        else:
            for group in pending:
                changes = group.changes
                gkey = f"pending|{group.schema}"
                head = f"{group.schema} vs {group.migrations}"
                if group.skipped:
                    note = f"  ({group.skipped})"
                elif changes:
                    note = f"  {len(changes)} change(s) the next `migrate dev` would write"
                else:
                    note = "  in sync: the migrations create what the schema declares"
                self._pending[gkey] = (head, None)
                rows.append((gkey, (styled(safe_text(head + note), "bold"), styled(""))))
                for i, change in enumerate(changes):
                    loc = change.location
                    destructive = change.destructive
                    text = safe_text(change.message)
                    key = f"pending|{i}|{where(loc)}|{text}"
                    self._pending[key] = (text, loc)
                    rows.append(
                        (
                            key,
                            (
                                styled(
                                    ("  ⚠ " if destructive else "  ") + text,
                                    "$text-error" if destructive else "",
                                ),
                                styled(where(loc), "$text-muted"),
                            ),
                        )
                    )
            if not rows:
                rows.append(
                    (
                        "none",
                        (
                            styled("no schema with a migrations history to compare", "$text-muted"),
                            styled(""),
                        ),
                    )
                )
        table.sync(rows)

    # -- drill-down ----------------------------------------------------------------------
    @on(DataTable.RowSelected, "#startup-table")
    def _chain_selected(self, event: DataTable.RowSelected) -> None:
        row = self._chain.get(event.row_key.value or "")
        if row is not None:
            self.open_location(row.location, row.text, detail="startup path")

    @on(DataTable.RowSelected, "#wait-table")
    def _wait_selected(self, event: DataTable.RowSelected) -> None:
        item = self._waits.get(event.row_key.value or "")
        if item is not None:
            self.open_location(item[1], item[0], detail="wait logic")

    @on(DataTable.RowSelected, "#pending-table")
    def _pending_selected(self, event: DataTable.RowSelected) -> None:
        item = self._pending.get(event.row_key.value or "")
        if item is not None:
            self.open_location(item[1], item[0], detail="pending change")

    @on(DataTable.RowSelected, "#statements-table")
    def _statement_selected(self, event: DataTable.RowSelected) -> None:
        item = self._statements.get(event.row_key.value or "")
        if item is None or self.snapshot is None:
            return
        m, st = item
        end = (st.end_line if isinstance(st, Statement) else None) or st.line
        location = Location(m.path, st.line, 1, end if end > st.line else None)
        here = findings_at(self.snapshot.active, m.path, st.line, end)
        header = (st.header if isinstance(st, Statement) else None) or st.kind
        related = tuple(Related(f.location, f"{f.rule} {f.message}") for f in here)
        finding = worst(here)
        if finding is not None and len(here) == 1:
            self.open_target(DrillTarget.of_finding(finding))
            return
        self.open_target(
            DrillTarget(
                location=location,
                title=f"{header} in {m.name}",
                detail="migration statement",
                related=related,
            )
        )
