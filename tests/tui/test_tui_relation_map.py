"""The relations graph drawing: boxes joined by box-drawing lines ending in ▲ at the
referenced model, cascades heavy, layers (referenced models above), lines through the layers
they skip, focus on a model's two-hop neighbourhood, and an SVG of the same drawing."""

from __future__ import annotations

from dataclasses import dataclass

from tui.widgets.relation_map import (
    ARROW,
    HEAVY,
    draw,
    edges_of,
    graph_svg,
    layers,
    neighbourhood,
)


@dataclass(frozen=True)
class End:
    model: str


@dataclass(frozen=True)
class Rel:
    child: End
    parent: End
    on_delete: str = "Restrict"
    kind: str = "one-to-many"


@dataclass(frozen=True)
class Node:
    model: str


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    relations: tuple[Rel, ...]


def graph(*pairs: tuple[str, str, str]) -> Graph:
    names: list[str] = []
    for child, parent, _ in pairs:
        for n in (parent, child):
            if n not in names:
                names.append(n)
    return Graph(
        tuple(Node(n) for n in names),
        tuple(Rel(End(c), End(p), action) for c, p, action in pairs),
    )


def text(rows: list[list[tuple[str, str]]]) -> list[str]:
    return ["".join(t for t, _ in row) for row in rows]


SHOP = graph(
    ("Order", "User", "Cascade"),
    ("Session", "User", "Cascade"),
    ("OrderItem", "Order", "Cascade"),
    ("OrderItem", "Product", "Restrict"),
    ("Review", "User", "SetNull"),
)


def test_referenced_models_are_drawn_above_with_an_arrow_per_relation() -> None:
    models = [n.model for n in SHOP.nodes]
    lines = text(draw(SHOP, models))
    row_of = {m: next(i for i, line in enumerate(lines) if f" {m} " in line) for m in models}
    assert row_of["User"] < row_of["Order"] < row_of["OrderItem"]
    assert row_of["Product"] < row_of["OrderItem"]
    arrows = sum(line.count(ARROW) for line in lines)
    assert arrows == len(edges_of(SHOP, models)) == 5


def test_cascades_are_heavy_lines_and_the_others_light() -> None:
    rows = draw(SHOP, [n.model for n in SHOP.nodes])
    kinds = {k for row in rows for t, k in row if set(t) & set(HEAVY.values())}
    assert kinds == {"cascade"}
    light = "".join(t for row in rows for t, k in row if k == "edge")
    assert "│" in light or "─" in light  # Restrict and SetNull


def test_a_line_skipping_a_layer_runs_through_it() -> None:
    g = graph(("B", "A", "Cascade"), ("C", "B", "Cascade"), ("C", "A", "Restrict"))
    assert layers(["A", "B", "C"], edges_of(g, ["A", "B", "C"])) == [["A"], ["B"], ["C"]]
    lines = text(draw(g, ["A", "B", "C"]))
    b_row = next(i for i, line in enumerate(lines) if " B " in line)
    # the A<-C line passes B's row beside B's box
    assert "│" in lines[b_row].split("│ B │")[-1] or "│" in lines[b_row].split("│ B │")[0]
    assert sum(line.count(ARROW) for line in lines) == 3


def test_focus_is_the_model_with_its_neighbours_within_two_hops() -> None:
    chain = graph(*((f"M{i + 1}", f"M{i}", "Cascade") for i in range(6)))
    assert neighbourhood(chain, "M3") == ["M1", "M2", "M3", "M4", "M5"]
    rows = draw(chain, neighbourhood(chain, "M3"), "M3")
    focus = [t for row in rows for t, k in row if k == "focus-name"]
    assert focus == [" M3 "] or [t.strip() for t in focus] == ["M3"]


def test_the_svg_holds_every_model() -> None:
    svg = graph_svg(SHOP, "schema.prisma")
    assert svg.startswith("<svg")
    for n in SHOP.nodes:
        assert n.model in svg
