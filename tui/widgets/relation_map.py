"""The relation graph of a schema drawn in the terminal: models as boxes in layers (referenced
models above the models that reference them), each relation a box-drawing line from the
referencing model up to the referenced one, ending in an arrowhead (▲). Cascade deletes are
drawn heavy (┃━) in the error colour. A relation that skips layers runs through the layers
between as a vertical line (a Sugiyama-style layered layout: one barycentre pass orders each
layer to keep lines from crossing where it can).

Big schemas are drawn in focus mode: one model with its neighbours within two hops
(`neighbourhood`). `render_map` draws for the screen (theme colours), `graph_svg` writes the
same drawing as an SVG file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.content import Content

from analysis.terminal import terminal_line

if TYPE_CHECKING:
    from analysis.facts.relations import RelationGraph

MAX_MODELS = 16
"""Schemas with more models are drawn in focus mode (a model and its two-hop neighbours)."""
GAP = 3
"""Columns between two boxes of a layer."""
ARROW = "▲"
LIGHT = {  # (up, down, left, right) -> character
    (1, 0, 0, 0): "│", (0, 1, 0, 0): "│", (1, 1, 0, 0): "│",
    (0, 0, 1, 0): "─", (0, 0, 0, 1): "─", (0, 0, 1, 1): "─",
    (0, 1, 0, 1): "┌", (0, 1, 1, 0): "┐", (1, 0, 0, 1): "└", (1, 0, 1, 0): "┘",
    (1, 1, 0, 1): "├", (1, 1, 1, 0): "┤", (0, 1, 1, 1): "┬", (1, 0, 1, 1): "┴",
    (1, 1, 1, 1): "┼",
}  # fmt: skip
HEAVY = {
    (1, 0, 0, 0): "┃", (0, 1, 0, 0): "┃", (1, 1, 0, 0): "┃",
    (0, 0, 1, 0): "━", (0, 0, 0, 1): "━", (0, 0, 1, 1): "━",
    (0, 1, 0, 1): "┏", (0, 1, 1, 0): "┓", (1, 0, 0, 1): "┗", (1, 0, 1, 0): "┛",
    (1, 1, 0, 1): "┣", (1, 1, 1, 0): "┫", (0, 1, 1, 1): "┳", (1, 0, 1, 1): "┻",
    (1, 1, 1, 1): "╋",
}  # fmt: skip
GRAPH_MARKS = frozenset([ARROW, *LIGHT.values(), *HEAVY.values()])
"""Every character the graph draws besides text (for the width test)."""

STYLES = {  # kind -> Textual style (theme variables)
    "box": "$primary",
    "focus": "bold $accent",
    "name": "bold $text-primary",
    "focus-name": "bold reverse $text-accent",
    "edge": "$text-muted",
    "cascade": "$text-error",
    "text": "",
}
SVG_STYLES = {  # kind -> Rich style, for the SVG file
    "box": "blue",
    "focus": "bold yellow",
    "name": "bold",
    "focus-name": "bold reverse yellow",
    "edge": "bright_black",
    "cascade": "red",
    "text": "",
}


def action_style(action: str) -> str:
    if action == "Cascade":
        return "$text-error"
    if action in ("SetNull", "SetDefault"):
        return "$text-warning"
    return "$text-muted"


def fits(graph: RelationGraph) -> bool:
    return 0 < len(graph.nodes) <= MAX_MODELS


@dataclass(slots=True, frozen=True)
class Edge:
    child: str
    parent: str
    cascade: bool


def edges_of(graph: RelationGraph, models: Iterable[str]) -> list[Edge]:
    """One edge per (referencing, referenced) pair among `models`; cascade when any of the
    pair's relations cascades on delete. Self relations are left out (a box cannot point at
    itself in a layered drawing; the edges table lists them)."""
    keep = set(models)
    out: dict[tuple[str, str], bool] = {}
    for r in graph.relations:
        c, p = r.child.model, r.parent.model
        if c == p or c not in keep or p not in keep:
            continue
        out[(c, p)] = out.get((c, p), False) or r.on_delete == "Cascade"
    return [Edge(c, p, cascade) for (c, p), cascade in out.items()]


def neighbourhood(graph: RelationGraph, model: str, hops: int = 2) -> list[str]:
    """`model` and the models within `hops` relations of it (either direction), in the
    schema's order."""
    near: dict[str, set[str]] = {n.model: set() for n in graph.nodes}
    for r in graph.relations:
        if r.child.model in near and r.parent.model in near:
            near[r.child.model].add(r.parent.model)
            near[r.parent.model].add(r.child.model)
    seen = {model}
    frontier = {model}
    for _ in range(hops):
        frontier = {m for f in frontier for m in near.get(f, ())} - seen
        seen |= frontier
    return [n.model for n in graph.nodes if n.model in seen]


def layers(models: list[str], edges: list[Edge]) -> list[list[str]]:
    """Models by depth: 0 for models that reference none of the others, else one below their
    deepest parent (cycles broken where they close)."""
    parents: dict[str, set[str]] = {m: set() for m in models}
    for e in edges:
        parents[e.child].add(e.parent)
    depth: dict[str, int] = {}

    def visit(model: str, trail: frozenset[str]) -> int:
        if model in depth:
            return depth[model]
        ups = [p for p in parents[model] if p not in trail]
        d = 0 if not ups else 1 + max(visit(p, trail | {model}) for p in ups)
        depth[model] = d
        return d

    out: list[list[str]] = []
    for m in models:
        d = visit(m, frozenset())
        while len(out) <= d:
            out.append([])
        out[d].append(m)
    return out


@dataclass
class Item:
    """A box (a model) or a dummy (a line passing through a layer) in one layer."""

    name: str
    width: int
    dummy: bool = False
    x: int = 0
    up: list[tuple[Item, bool]] = field(default_factory=list)
    """The items in the layer above this one's lines go to, with cascade."""
    ups_x: dict[int, int] = field(default_factory=dict)
    downs_x: dict[int, int] = field(default_factory=dict)

    @property
    def centre(self) -> int:
        return self.x + self.width // 2


class Canvas:
    def __init__(self) -> None:
        self.text: dict[tuple[int, int], tuple[str, str]] = {}
        self.lines: dict[tuple[int, int], list[int]] = {}  # dirs u,d,l,r and heavy count, light

    def put(self, x: int, y: int, text: str, kind: str) -> None:
        for i, ch in enumerate(text):
            self.text[(x + i, y)] = (ch, kind)

    def _mark(self, x: int, y: int, dirs: tuple[int, int, int, int], heavy: bool) -> None:
        cell = self.lines.setdefault((x, y), [0, 0, 0, 0, 0, 0])
        for i, d in enumerate(dirs):
            cell[i] |= d
        cell[4 if heavy else 5] += 1

    def vertical(self, x: int, y0: int, y1: int, heavy: bool) -> None:
        top, bottom = min(y0, y1), max(y0, y1)
        for y in range(top, bottom + 1):
            self._mark(x, y, (int(y > top), int(y < bottom), 0, 0), heavy)

    def horizontal(self, y: int, x0: int, x1: int, heavy: bool) -> None:
        left, right = min(x0, x1), max(x0, x1)
        for x in range(left, right + 1):
            self._mark(x, y, (0, 0, int(x > left), int(x < right)), heavy)

    def rows(self) -> list[list[tuple[str, str]]]:
        cells = dict(self.text)
        for (x, y), (u, d, left, right, heavy, light) in self.lines.items():
            if (x, y) in cells:
                continue
            bold = heavy > 0 and light == 0
            table = HEAVY if bold else LIGHT
            cells[(x, y)] = (table.get((u, d, left, right), "┼"), "cascade" if heavy else "edge")
        if not cells:
            return []
        height = max(y for _, y in cells) + 1
        out: list[list[tuple[str, str]]] = []
        for y in range(height):
            xs = [x for x, yy in cells if yy == y]
            row: list[tuple[str, str]] = []
            for x in range(max(xs) + 1 if xs else 0):
                ch, kind = cells.get((x, y), (" ", "text"))
                if row and row[-1][1] == kind:
                    row[-1] = (row[-1][0] + ch, kind)
                else:
                    row.append((ch, kind))
            out.append(row)
        return out


def _spread(item: Item, count: int, index: int) -> int:
    """The column of the index-th of `count` lines attached to a box (spread along it)."""
    if item.dummy or count <= 0:
        return item.x
    inner = item.width - 2
    return item.x + 1 + (index + 1) * inner // (count + 1)


def _track_order(start: int, end: int) -> tuple[int, int]:
    """Tracks from the top: lines going right, the rightmost start first, then lines going
    left, the leftmost start first; so a line's descent never cuts another's track."""
    if end >= start:
        return (0, -start)
    return (1, start)


def draw(
    graph: RelationGraph, models: list[str], focus: str | None = None
) -> list[list[tuple[str, str]]]:
    """The drawing as rows of (text, kind) runs."""
    edges = edges_of(graph, models)
    grid = layers(models, edges)
    depth = {m: d for d, layer in enumerate(grid) for m in layer}
    items: list[list[Item]] = []
    by_name: dict[str, Item] = {}
    for layer in grid:
        row = []
        for m in layer:
            ins = sum(1 for e in edges if e.parent == m and depth[e.child] > depth[m])
            outs = sum(1 for e in edges if e.child == m and depth[e.parent] < depth[m])
            item = Item(m, max(len(terminal_line(m)) + 4, 2 * max(ins, outs) + 3))
            by_name[m] = item
            row.append(item)
        items.append(row)
    for e in edges:  # dummies for lines that skip layers
        dc, dp = depth[e.child], depth[e.parent]
        if dp >= dc:
            continue  # closes a cycle: listed in the edges table, not drawn
        upper = by_name[e.parent]
        for d in range(dp + 1, dc):
            dummy = Item(f"·{e.child}>{e.parent}@{d}", 1, dummy=True)
            dummy.up.append((upper, e.cascade))
            items[d].append(dummy)
            upper = dummy
        by_name[e.child].up.append((upper, e.cascade))
    # Order each layer by the mean position of what its lines go to, then place it.
    for d, row in enumerate(items):
        if d:
            order = {id(it): i for i, it in enumerate(items[d - 1])}

            def barycentre(it: Item, order: dict[int, int] = order) -> float:
                ups = [order[id(u)] for u, _ in it.up]
                return sum(ups) / len(ups) if ups else float(len(order))

            row.sort(key=barycentre)
        cursor = 0
        for it in row:
            if it.up:
                want = sum(u.centre for u, _ in it.up) // len(it.up) - it.width // 2
                it.x = max(cursor, want)
            else:
                it.x = cursor
            cursor = it.x + it.width + (1 if it.dummy else GAP)
    # Attach points: spread along the top (lines up) and the bottom (lines in) of boxes.
    downs: dict[int, list[tuple[Item, bool]]] = {}
    for row in items:
        for it in row:
            for u, cascade in it.up:
                downs.setdefault(id(u), []).append((it, cascade))
    for row in items:
        for it in row:
            it.up.sort(key=lambda uc: uc[0].centre)
            for i, (u, _) in enumerate(it.up):
                it.ups_x[id(u)] = _spread(it, len(it.up), i)
            lows = sorted(downs.get(id(it), []), key=lambda lc: lc[0].centre)
            for i, (low, _) in enumerate(lows):
                it.downs_x[id(low)] = _spread(it, len(lows), i)
    # Rows: boxes are 3 high; between two layers one arrow row and a track per line.
    canvas = Canvas()
    y = 0
    tops: list[int] = []
    for d, row in enumerate(items):
        if d:
            lines = [(it, u, c) for it in row for u, c in it.up]
            lines.sort(
                key=lambda luc: _track_order(luc[1].downs_x[id(luc[0])], luc[0].ups_x[id(luc[1])])
            )
            arrow_y = y
            y += 1 + len(lines)
            for track, (low, up, cascade) in enumerate(lines):
                xu, xl = up.downs_x[id(low)], low.ups_x[id(up)]
                ty = arrow_y + 1 + track
                canvas.vertical(xu, arrow_y, ty, cascade)  # the arrow (or the dummy above)
                canvas.horizontal(ty, xu, xl, cascade)
                canvas.vertical(xl, ty, y, cascade)  # to the box's top border (or the dummy)
                if not up.dummy:
                    canvas.put(xu, arrow_y, ARROW, "cascade" if cascade else "edge")
        tops.append(y)
        for it in row:
            if it.dummy:
                cascade = any(c for _, c in it.up)
                canvas.vertical(it.x, y, y + 2, cascade)
                continue
            is_focus = it.name == focus
            kind = "focus" if is_focus else "box"
            inner = it.width - 2
            canvas.put(it.x, y, "┌" + "─" * inner + "┐", kind)
            label = f" {terminal_line(it.name)} ".center(inner)  # a name as the file has it
            canvas.put(it.x, y + 1, "│", kind)
            canvas.put(it.x + 1, y + 1, label, "focus-name" if is_focus else "name")
            canvas.put(it.x + it.width - 1, y + 1, "│", kind)
            canvas.put(it.x, y + 2, "└" + "─" * inner + "┘", kind)
            for x in it.ups_x.values():
                canvas.put(x, y, "┴", kind)
            for x in it.downs_x.values():
                canvas.put(x, y + 2, "┬", kind)
        y += 3
    return canvas.rows()


def render_map(
    graph: RelationGraph, width: int = 120, focus: str | None = None, highlight: str | None = None
) -> list[Content]:
    """The graph as lines of Content (wider lines scroll sideways). With `focus`, only that
    model and its neighbours within two hops; `highlight` (default: `focus`) is drawn in
    the accent colour."""
    models = neighbourhood(graph, focus) if focus is not None else [n.model for n in graph.nodes]
    rows = draw(graph, models, highlight or focus)
    return [Content.assemble(*((t, STYLES[k]) for t, k in row)) for row in rows]


def graph_svg(
    graph: RelationGraph, title: str, focus: str | None = None, highlight: str | None = None
) -> str:
    """The drawing (the whole schema, or `focus` and its two-hop neighbours) as an SVG."""
    import io

    from rich.console import Console
    from rich.text import Text

    models = neighbourhood(graph, focus) if focus is not None else [n.model for n in graph.nodes]
    rows = draw(graph, models, highlight or focus)
    width = max((sum(len(t) for t, _ in row) for row in rows), default=20) + 2
    console = Console(width=width, record=True, file=io.StringIO(), color_system="truecolor")
    for row in rows:
        console.print(Text.assemble(*((t, SVG_STYLES[k]) for t, k in row)), crop=False)
    legend = Text.assemble(
        ("▲ references  ", "bright_black"), ("━ cascade delete", "red"), no_wrap=True
    )
    console.print(legend)
    return console.export_svg(title=title)
