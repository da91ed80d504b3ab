"""The Relations pane: the schema's relation graph drawn in the terminal (for schemas that fit)
and a focus mode for any size: pick a model (type to search) to see its neighbours, its
cascade tree ("deleting one User deletes: Session, Account, ...") and what blocks its
deletion. Enter on an edge opens the relation in the drill-down."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.widgets import DataTable, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from analysis.secrets import safe_text
from tui.messages import DrillTarget
from tui.panes.base import Pane, where
from tui.watch import Snapshot
from tui.widgets.badges import styled
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.relation_map import action_style, fits, graph_svg, render_map

if TYPE_CHECKING:
    from analysis.facts.relations import RelationGraph
    from analysis.facts.relations_records import Relation

MAX_LISTED = 12


def deletion_text(graph: RelationGraph, model: str) -> Content:
    """What deleting one record of `model` does, in words."""
    d = graph.deletion(model)
    if d is None:
        return Content.styled(f"{model}: no deletion analysis", "$text-muted")
    parts: list[tuple[str, str] | str] = []
    deleted = [m for m in d.deleted_models if m != model]
    if deleted:
        shown = ", ".join(deleted[:MAX_LISTED]) + (
            f", ... ({len(deleted)} models)" if len(deleted) > MAX_LISTED else ""
        )
        parts += [(f"Deleting one {model} deletes: ", "bold"), (shown, "$text-error"), "\n"]
        for path in sorted(d.cascades, key=lambda p: (-p.depth, p.text))[:MAX_LISTED]:
            parts += [("  " + path.text, "$text-error"), "\n"]
    else:
        parts += [(f"Deleting one {model} deletes no other rows.", "bold"), "\n"]
    if d.join_rows:
        parts += [("Join rows removed: ", "bold"), ", ".join(d.join_rows), "\n"]
    if d.set_null:
        parts += [("Sets to NULL: ", "bold")]
        parts += [(", ".join(p.text for p in d.set_null[:MAX_LISTED]), "$text-warning"), "\n"]
    if d.blockers:
        parts += [("Blocked while these exist: ", "bold")]
        blockers = []
        for p in d.blockers[:MAX_LISTED]:
            last = p.steps[-1] if p.steps else None
            action = f" ({last.action})" if last else ""
            blockers.append(p.text + action)
        parts += [(", ".join(blockers), "$text-accent"), "\n"]
    else:
        parts += [("Nothing blocks the delete.", "$text-muted"), "\n"]
    if d.truncated:
        parts += [("(cascade tree cut: too many paths)", "$text-muted")]
    return Content.assemble(*parts).rstrip()


class RelationsPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "g",
            "toggle_map",
            "Graph",
            id="relations-toggle-map",
            tooltip="Show or hide the drawn relation graph",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._graphs: dict[str, RelationGraph] = {}
        self._schema: str | None = None
        self._model: str | None = None
        self._edges: dict[str, Relation] = {}
        self._map_hidden = False
        self._schema_names: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="relations-top"):
            yield Select[str]([], id="schema-select", allow_blank=True, prompt="schema")
            yield Static("", id="relations-info")
        with ScrollableContainer(id="relation-map-box"):
            yield Static("", id="relation-map")
        with Horizontal(classes="split"):
            with Vertical(id="model-picker"):
                yield Input(placeholder="type to find a model", id="model-search")
                yield OptionList(id="model-list", classes="fill")
            with Vertical(id="model-detail", classes="fill"):
                yield Static("", id="cascade-text")
                edges = KeyedTable(id="edges-table", classes="fill", open_on_click=True)
                edges.add_column("Relation", key="rel")
                edges.add_column("onDelete", key="del")
                edges.add_column("onUpdate", key="upd")
                edges.add_column("Where", key="where")
                yield edges

    def show(self, snapshot: Snapshot) -> None:
        super().show(snapshot)
        graphs = snapshot.fact("relations")
        info = self.query_one("#relations-info", Static)
        select = self.query_one("#schema-select", Select)
        if graphs is None:
            self._graphs = {}
            info.update(styled(snapshot.missing("relations"), "$text-muted"))
            self._render_graph(None)
            return
        self._graphs = {g.schema: g for g in graphs}
        names = list(self._graphs)
        if self._schema not in self._graphs:  # start on the biggest schema
            self._schema = max(names, key=lambda n: len(self._graphs[n].nodes), default=None)
        options = [(name, name) for name in names]
        if self._schema_names != names:
            self._schema_names = names
            with select.prevent(Select.Changed):
                select.set_options(options)
        select.display = len(names) > 1
        if self._schema is not None and select.value != self._schema:
            with select.prevent(Select.Changed):
                select.value = self._schema
        if not names:
            info.update(styled("no Prisma schema in this project", "$text-muted"))
        self._render_graph(self._graphs.get(self._schema or ""))

    def _render_graph(self, graph: RelationGraph | None) -> None:
        info = self.query_one("#relations-info", Static)
        box = self.query_one("#relation-map-box", ScrollableContainer)
        if graph is None:
            box.display = False
            self._fill_models([])
            self._show_model(None)
            return
        n = len(graph.nodes)
        cascades = sum(1 for r in graph.relations if r.on_delete == "Cascade")
        mode = (
            "the whole graph; pick a model to focus"
            if fits(graph)
            else "the graph shows the picked model and its neighbours within two hops"
        )
        info.update(
            Content.assemble(
                (safe_text(graph.schema), "bold"),
                "  ",
                (
                    f"{graph.provider or 'provider unknown'}, {n} models, "
                    f"{len(graph.relations)} relations, {cascades} cascade(s); {mode}",
                    "$text-muted",
                ),
            )
        )
        box.display = bool(graph.nodes) and not self._map_hidden
        self._fill_models([node.model for node in graph.nodes])
        if self._model not in {node.model for node in graph.nodes}:
            self._model = graph.nodes[0].model if graph.nodes else None
        self._show_model(self._model)

    def _draw_map(self, graph: RelationGraph, model: str | None) -> None:
        """The whole graph when it fits (the picked model highlighted), else the picked
        model with its neighbours within two hops."""
        drawing = self.query_one("#relation-map", Static)
        if self._map_hidden or not graph.nodes:
            return
        width = max(40, (self.size.width or 100) - 4)
        focus = None if fits(graph) else model
        lines = render_map(graph, width, focus=focus, highlight=model)
        drawing.update(Content("\n").join(lines))

    def _fill_models(self, models: list[str]) -> None:
        query = self.query_one("#model-search", Input).value.strip().lower()
        shown = [m for m in models if query in m.lower()] if query else models
        if query:
            shown.sort(key=lambda m: (not m.lower().startswith(query), m.lower()))
        option_list = self.query_one("#model-list", OptionList)
        current = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
        if current != shown:
            highlighted = self._model
            option_list.set_options([Option(safe_text(m), id=m) for m in shown])
            if highlighted in shown:
                option_list.highlighted = shown.index(highlighted)
            elif shown:
                option_list.highlighted = 0

    def _show_model(self, model: str | None) -> None:
        text = self.query_one("#cascade-text", Static)
        table = self.query_one("#edges-table", KeyedTable)
        graph = self._graphs.get(self._schema or "")
        self._edges = {}
        if graph is None or model is None:
            text.update(styled("no model selected", "$text-muted"))
            table.sync([])
            return
        self._model = model
        self._draw_map(graph, model)
        text.update(deletion_text(graph, model))
        rows = []
        for r in graph.relations_of(model):
            key = f"{r.name}|{r.child.label}|{r.parent.label}"
            self._edges[key] = r
            arrow = "↔" if r.kind == "many-to-many" else "→"
            label = f"{r.child.label} {arrow} {r.parent.label}"
            rows.append(
                (
                    key,
                    (
                        styled(safe_text(label), "bold" if r.child.model == model else ""),
                        styled(
                            r.on_delete + ("" if r.on_delete_explicit else " (default)"),
                            action_style(r.on_delete),
                        ),
                        styled(
                            r.on_update + ("" if r.on_update_explicit else " (default)"),
                            action_style(r.on_update),
                        ),
                        styled(where(r.location), "$text-muted"),
                    ),
                )
            )
        if not rows:
            rows.append(
                (f"{model}|none", (styled("no relations"), styled(""), styled(""), styled("")))
            )
        table.sync(rows)

    # -- events --------------------------------------------------------------------------
    @on(Select.Changed, "#schema-select")
    def _schema_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self._graphs:
            self._schema = event.value
            self._model = None
            self._render_graph(self._graphs[event.value])

    @on(Input.Changed, "#model-search")
    def _search(self, event: Input.Changed) -> None:
        graph = self._graphs.get(self._schema or "")
        self._fill_models([n.model for n in graph.nodes] if graph else [])
        option_list = self.query_one("#model-list", OptionList)
        if option_list.highlighted is not None and option_list.option_count:
            option = option_list.get_option_at_index(option_list.highlighted)
            self._show_model(option.id)

    @on(Input.Submitted, "#model-search")
    def _search_submitted(self) -> None:
        self.query_one("#model-list", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#model-list")
    def _model_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_model(event.option.id)

    @on(OptionList.OptionSelected, "#model-list")
    def _model_selected(self, event: OptionList.OptionSelected) -> None:
        self._show_model(event.option.id)
        self.query_one("#edges-table", KeyedTable).focus()

    @on(DataTable.RowSelected, "#edges-table")
    def _edge_selected(self, event: DataTable.RowSelected) -> None:
        r = self._edges.get(event.row_key.value or "")
        if r is None:
            return
        location = r.action_location or r.location
        detail = f"onDelete: {r.on_delete}, onUpdate: {r.on_update}"
        if self.snapshot is not None and location is not None:
            for f in self.snapshot.active:
                if f.location.path == location.path and f.location.line == location.line:
                    self.open_target(DrillTarget.of_finding(f))
                    return
        self.open_location(location, f"relation {r.label}", detail=detail, prefer_finding=False)

    def action_toggle_map(self) -> None:
        self._map_hidden = not self._map_hidden
        self._render_graph(self._graphs.get(self._schema or ""))

    def graph_svg(self) -> str | None:
        """The drawn graph of the schema on screen as an SVG (None: no schema)."""
        graph = self._graphs.get(self._schema or "")
        if graph is None or not graph.nodes:
            return None
        focus = None if fits(graph) else self._model
        title = f"{graph.schema}" + (f" around {focus}" if focus else "")
        return graph_svg(graph, safe_text(title), focus=focus, highlight=self._model)

    def focus_search(self) -> None:
        self.query_one("#model-search", Input).focus()
