"""The modules of `analysis/` and `tui/`: their module-level imports form no cycle (importing a
submodule counts as importing its parent packages, as it does at run time), and none is over
800 lines (issue 10: one job per module) but the data tables listed below."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

ROOT = REPO


def _graph() -> dict[str, set[str]]:
    mods: dict[str, Path] = {}
    for top in ("analysis", "tui"):
        for p in (ROOT / top).rglob("*.py"):
            name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
            mods[name.removesuffix(".__init__")] = p
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps: set[str] = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            for n in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else (node,):
                if isinstance(n, ast.ImportFrom) and n.module:
                    for a in n.names:
                        sub = f"{n.module}.{a.name}"
                        deps.add(sub if sub in mods else n.module)
                elif isinstance(n, ast.Import):
                    deps.update(a.name for a in n.names)
        for d in list(deps):
            parts = d.split(".")
            deps.update(".".join(parts[:i]) for i in range(1, len(parts)))
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_graph_covers_every_module_of_analysis_and_tui() -> None:
    graph = _graph()
    on_disk = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for top in ("analysis", "tui")
        for p in (ROOT / top).rglob("*.py")
    }
    assert set(graph) == on_disk
    assert {"analysis.pipeline", "analysis.facts.schema", "tui.app", "tui.cli"} <= set(graph)
    # a module's own imports are edges: the splits of one module still import each other
    assert "analysis.facts.schema_records" in graph["analysis.facts.schema"]
    assert "analysis.report.markdown_doc" in graph["analysis.report.markdown"]


MAX_LINES = 800

DATA_TABLES: frozenset[str] = frozenset()
"""Modules that are one long table of data, allowed over MAX_LINES (none today)."""


def test_no_module_is_over_800_lines() -> None:
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines())
        for top in ("analysis", "tui")
        for p in (ROOT / top).rglob("*.py")
    }
    over = {path: n for path, n in sizes.items() if n > MAX_LINES}
    assert set(over) <= DATA_TABLES, sorted(set(over) - DATA_TABLES)
