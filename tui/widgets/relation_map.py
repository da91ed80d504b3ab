"""The relation graph of a schema drawn in the terminal: models as boxes, in layers (referenced
models above the models that reference them), each box listing its relations with their
referential actions; cascades in the error colour, SetNull in the warning colour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.content import Content

MAX_MODELS = 16
"""Schemas with more models are shown in focus mode only."""
GAP = 2
MIN_INNER = 12


def action_style(action: str) -> str:
    if action == "Cascade":
        return "$text-error"
    if action in ("SetNull", "SetDefault"):
        return "$text-warning"
    return "$text-muted"


@dataclass(slots=True, frozen=True)
class BoxLine:
    text: str
    style: str = ""


@dataclass(slots=True, frozen=True)
class Box:
    model: str
    lines: tuple[BoxLine, ...]
    referencing: bool

    @property
    def inner(self) -> int:
        widest = max((len(line.text) for line in self.lines), default=0)
        return max(MIN_INNER, len(self.model) + 2, widest)

    @property
    def width(self) -> int:
        return self.inner + 4

    @property
    def height(self) -> int:
        return len(self.lines) + 2


def fits(graph: Any) -> bool:
    return 0 < len(graph.nodes) <= MAX_MODELS


def layers(graph: Any) -> list[list[str]]:
    """Models by depth: 0 for models that reference nothing, else one below their deepest
    parent (self relations and cycles ignored)."""
    parents: dict[str, set[str]] = {n.model: set() for n in graph.nodes}
    for r in graph.relations:
        if r.child.model != r.parent.model and r.child.model in parents:
            parents[r.child.model].add(r.parent.model)
    depth: dict[str, int] = {}

    def visit(model: str, trail: frozenset[str]) -> int:
        if model in depth:
            return depth[model]
        ups = [p for p in parents.get(model, ()) if p not in trail and p in parents]
        d = 0 if not ups else 1 + max(visit(p, trail | {model}) for p in ups)
        depth[model] = d
        return d

    for n in graph.nodes:
        visit(n.model, frozenset())
    out: list[list[str]] = []
    for n in graph.nodes:
        d = depth[n.model]
        while len(out) <= d:
            out.append([])
        out[d].append(n.model)
    return [layer for layer in out if layer]


def box_for(graph: Any, model: str) -> Box:
    lines: list[BoxLine] = []
    referencing = False
    for r in graph.relations:
        if r.child.model != model:
            continue
        referencing = True
        field = r.child.field or "?"
        if r.kind == "many-to-many":
            lines.append(BoxLine(f"{field} ↔ {r.parent.model}", "$text-muted"))
            continue
        lines.append(BoxLine(f"{field} → {r.parent.model}", "bold"))
        lines.append(BoxLine(f" del:{r.on_delete}", action_style(r.on_delete)))
        lines.append(BoxLine(f" upd:{r.on_update}", action_style(r.on_update)))
    if not lines:
        lines.append(BoxLine("(no references)", "$text-muted"))
    return Box(model, tuple(lines), referencing)


def _box_row(box: Box, row: int) -> list[tuple[str, str]]:
    """One text row of a box as (text, style) parts."""
    inner = box.inner
    if row == 0:
        title = f" {box.model} "
        return [
            ("┌─", "$primary"),
            (title, "bold $text-primary"),
            ("─" * (inner + 1 - len(title)) + "┐", "$primary"),
        ]
    if row == box.height - 1:
        return [("└" + "─" * (inner + 2) + "┘", "$primary")]
    if row - 1 < len(box.lines):
        line = box.lines[row - 1]
        return [("│ ", "$primary"), (line.text.ljust(inner), line.style), (" │", "$primary")]
    return [(" " * box.width, "")]


def _pack(boxes: list[Box], width: int) -> list[list[Box]]:
    rows: list[list[Box]] = [[]]
    used = 0
    for box in boxes:
        need = box.width + (GAP if rows[-1] else 0)
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0
            need = box.width
        rows[-1].append(box)
        used += need
    return [r for r in rows if r]


def render_map(graph: Any, width: int = 120) -> list[Content]:
    """The graph as lines of Content (wider lines scroll sideways)."""
    out: list[Content] = []
    for depth, layer in enumerate(layers(graph)):
        boxes = [box_for(graph, m) for m in layer]
        for row_boxes in _pack(boxes, max(width, 20)):
            if out:
                out.append(_arrows(row_boxes, depth))
            height = max(b.height for b in row_boxes)
            for y in range(height):
                parts: list[tuple[str, str]] = []
                for i, box in enumerate(row_boxes):
                    if i:
                        parts.append((" " * GAP, ""))
                    if y < box.height:
                        parts.extend(_box_row(box, y))
                    else:
                        parts.append((" " * box.width, ""))
                out.append(Content.assemble(*parts).rstrip())
    return out


def _arrows(boxes: Iterable[Box], depth: int) -> Content:
    """A row of ▲ above the boxes that reference models drawn above them."""
    parts: list[tuple[str, str]] = []
    for i, box in enumerate(boxes):
        if i:
            parts.append((" " * GAP, ""))
        mark = "▲" if box.referencing and depth > 0 else " "
        half = box.width // 2
        parts.append((" " * half + mark + " " * (box.width - half - 1), "$text-muted"))
    return Content.assemble(*parts).rstrip()
