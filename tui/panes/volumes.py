"""The Volumes pane: per compose stack and service, every mount (source, target, kind), whether
it holds a database's data directory and whether that data persists; then the top-level
volumes with their driver and users. Problems (findings on the line) are shown inline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Static

from analysis.model import Finding, Location
from analysis.rules.registry import RULES
from analysis.secrets import safe_text
from tui.panes.base import Pane, findings_at, where
from tui.watch import Snapshot
from tui.widgets.badges import SEVERITY_STYLE, styled
from tui.widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from analysis.facts.compose import ComposeStack
    from analysis.facts.databases import Database
    from analysis.parsers.compose.records import Mount


@cache
def data_rules() -> frozenset[str]:
    """The rules that judge where a database's data lives (shown on its data row); read on
    first use, not at import: the registry imports every rule module."""
    return frozenset(r.id for r in RULES if "data-state" in r.tags)


@dataclass(slots=True, frozen=True)
class RowTarget:
    location: Location | None
    title: str


def problems_cell(findings: Iterable[Finding]) -> Content:
    parts = []
    for f in sorted(findings, key=lambda f: (-int(f.severity), f.rule)):
        parts.append(Content.styled(f.rule, SEVERITY_STYLE[f.severity]))
    return Content(" ").join(parts) if parts else Content("")


def _kind(mount: Mount) -> str:
    return mount.kind.value


def _same_mount(a: Mount | None, b: Mount | None) -> bool:
    return a is not None and b is not None and a.location == b.location and a.target == b.target


class VolumesPane(Pane):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._targets: dict[str, RowTarget] = {}

    def compose(self) -> ComposeResult:
        yield Static("Mounts per service", classes="pane-heading")
        mounts = KeyedTable(id="mounts-table", open_on_click=True)
        mounts.add_column("Service", key="service")
        mounts.add_column("Source", key="source")
        mounts.add_column("Target", key="target")
        mounts.add_column("Kind", key="kind")
        mounts.add_column("DB data", key="db")
        mounts.add_column("Persists", key="persists")
        mounts.add_column("Problems", key="problems")
        yield mounts
        yield Static("Top-level volumes", classes="pane-heading")
        volumes = KeyedTable(id="volumes-table", open_on_click=True)
        volumes.add_column("Volume", key="name")
        volumes.add_column("Driver", key="driver")
        volumes.add_column("Used by", key="users")
        volumes.add_column("Declared", key="where")
        volumes.add_column("Problems", key="problems")
        yield volumes
        yield Static("", id="volumes-status", classes="pane-status")

    def show(self, snapshot: Snapshot) -> None:
        super().show(snapshot)
        stacks = snapshot.fact("stacks")
        status = self.query_one("#volumes-status", Static)
        self._targets = {}
        if stacks is None:
            status.update(styled(snapshot.missing("stacks"), "$text-muted"))
            self.query_one("#mounts-table", KeyedTable).sync([])
            self.query_one("#volumes-table", KeyedTable).sync([])
            return
        dbs = snapshot.fact("databases") or ()
        active = snapshot.active
        mount_rows: list[tuple[str, tuple[Content, ...]]] = []
        volume_rows: list[tuple[str, tuple[Content, ...]]] = []
        for stack in stacks:
            self._stack_rows(stack, dbs, active, mount_rows, volume_rows, len(stacks) > 1)
        self.query_one("#mounts-table", KeyedTable).sync(mount_rows)
        self.query_one("#volumes-table", KeyedTable).sync(volume_rows)
        n_db = len(dbs)
        lost = sum(1 for d in dbs if d.persisted is False)
        text = f"{len(stacks)} stack(s), {n_db} database service(s)"
        if n_db:
            text += f", {lost} whose data does not persist" if lost else ", all data persisted"
        if not stacks:
            text = "no compose file in this project"
        status.update(styled(text, "$text-muted"))

    def _stack_rows(
        self,
        stack: ComposeStack,
        dbs: Iterable[Database],
        active: tuple[Finding, ...],
        mount_rows: list[tuple[str, tuple[Content, ...]]],
        volume_rows: list[tuple[str, tuple[Content, ...]]],
        many: bool,
    ) -> None:
        files = " + ".join(stack.files)
        if many:
            key = f"{stack.id}|stack"
            more = f" +{len(stack.files) - 1}" if len(stack.files) > 1 else ""
            heading = styled(safe_text(f"▸ {stack.files[0]}{more}"), "bold $text-primary")
            mount_rows.append((key, (heading,) + (styled(""),) * 6))
            self._targets[key] = RowTarget(Location(stack.files[0], 1), f"compose stack {files}")
        by_service = {d.service: d for d in dbs if d.stack == stack.id}
        users: dict[str, list[str]] = {}
        for service in stack.services:
            db = by_service.get(service.name)
            label = service.name + (" (db)" if db is not None else "")
            for mount in service.mounts:
                if _kind(mount) == "volume" and mount.source:
                    users.setdefault(mount.source, []).append(service.name)
                holds = db is not None and _same_mount(mount, db.holder)
                meant = db is not None and any(_same_mount(mount, m) for m in db.storage.meant)
                if holds:
                    db_cell = styled("data dir", "bold")
                elif meant:
                    db_cell = styled("meant for data", "$text-warning")
                else:
                    db_cell = styled("")
                if holds and db is not None:
                    persists = self._persists_cell(db.persisted)
                else:
                    persists = self._persists_cell(bool(mount.persistent))
                here = findings_at(active, mount.location.path, mount.location.line)
                key = f"{stack.id}|{service.name}|{where(mount.location)}|{mount.target}"
                mount_rows.append(
                    (
                        key,
                        (
                            styled(label),
                            styled(safe_text(mount.source or "—")),
                            styled(safe_text(mount.target)),
                            styled(_kind(mount)),
                            db_cell,
                            persists,
                            problems_cell(here),
                        ),
                    )
                )
                self._targets[key] = RowTarget(
                    mount.location, f"{service.name}: {safe_text(mount.text)}"
                )
            if db is not None and db.holder is None:
                key = f"{stack.id}|{service.name}|data"
                data_findings = [
                    f
                    for f in active
                    if f.rule in data_rules()
                    and f.location.path in stack.files
                    and f"'{service.name}'" in f.message
                ]
                image_volume = db.storage.image_volume
                mount_rows.append(
                    (
                        key,
                        (
                            styled(label),
                            styled("—", "$text-muted"),
                            styled(safe_text(db.data_dir)),
                            styled(
                                "image VOLUME" if image_volume else "container layer",
                                "$text-warning",
                            ),
                            styled("data dir", "bold"),
                            self._persists_cell(db.persisted),
                            problems_cell(data_findings),
                        ),
                    )
                )
                loc = (
                    data_findings[0].location
                    if data_findings
                    else (db.image_location or db.location)
                )
                self._targets[key] = RowTarget(
                    loc, f"{service.name}: data directory {safe_text(db.data_dir)}"
                )
        for decl in stack.volumes:
            key = f"{stack.id}|volume|{decl.name}"
            driver = "external" if decl.external else (decl.driver or "local")
            here = findings_at(active, decl.location.path, decl.location.line)
            volume_rows.append(
                (
                    key,
                    (
                        styled(safe_text(decl.name)),
                        styled(safe_text(driver), "" if decl.local else "$text-warning"),
                        styled(", ".join(users.get(decl.name, [])) or "—"),
                        styled(where(decl.location)),
                        problems_cell(here),
                    ),
                )
            )
            self._targets[key] = RowTarget(decl.location, f"volume {safe_text(decl.name)}")

    @staticmethod
    def _persists_cell(value: bool | None) -> Content:
        if value is None:
            return styled("depends on version", "$text-warning")
        return styled("yes", "$text-success") if value else styled("no", "bold $text-error")

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        target = self._targets.get(event.row_key.value or "")
        if target is not None:
            self.open_location(target.location, target.title, detail="volume")
