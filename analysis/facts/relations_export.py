"""A relation graph as a Mermaid `erDiagram` or a Graphviz digraph."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from analysis.facts.relations_records import CASCADE, MANY_TO_MANY, NO_ACTION, ONE_TO_ONE, RESTRICT
from analysis.lazy_re import lazy_compile
from analysis.parsers.prisma_schema.records import Model

if TYPE_CHECKING:
    from analysis.facts.relations import RelationGraph


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------

_MERMAID_NAME = lazy_compile(r"[^A-Za-z0-9_]")


def _mermaid_name(name: str) -> str:
    clean = _MERMAID_NAME.sub("_", name)
    if not clean or not (clean[0].isalpha() or clean[0] == "_"):
        clean = "M_" + clean
    return clean


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\n", " ") + '"'


def _mermaid_type(text: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not clean or not clean[0].isalpha():
        clean = "T_" + clean
    return clean


def to_mermaid(
    graph: RelationGraph, with_fields: bool = False, models: dict[str, Model] | None = None
) -> str:
    """A Mermaid `erDiagram`: one line per relation, cascades marked in the label.

    Cardinalities: the referenced side is `||` (required reference) or `|o` (optional); the
    owning side `o{` (one-to-many) or `o|` (one-to-one); many-to-many is `}o--o{`. With
    `with_fields` and `models`, each entity lists its scalar fields with PK/FK/UK markers.
    """
    lines = ["erDiagram"]
    names = {n.model: _mermaid_name(n.model) for n in graph.nodes}
    if with_fields and models:
        for n in graph.nodes:
            m = models.get(n.model)
            if m is None:
                continue
            fks = {f for r in graph.relations if r.child.model == m.name for f in r.fields}
            ids = set(m.id_fields)
            uniques = {f.name for f in m.fields if f.is_unique}
            lines.append(f"    {names[n.model]} {{")
            for f in m.fields:
                if f.type_name in names and f.unsupported is None:
                    continue
                keys = [
                    k
                    for k, present in (
                        ("PK", f.name in ids),
                        ("FK", f.name in fks),
                        ("UK", f.name in uniques),
                    )
                    if present
                ]
                typ = _mermaid_type(f.type_name + ("_list" if f.list else ""))
                key_text = (" " + ", ".join(keys)) if keys else ""
                comment = ' "optional"' if f.optional else ""
                lines.append(f"        {typ} {_mermaid_name(f.name)}{key_text}{comment}")
            lines.append("    }")
    else:
        for n in graph.nodes:
            if not any(n.model in (r.child.model, r.parent.model) for r in graph.relations):
                lines.append(f"    {names[n.model]} {{")
                lines.append("    }")
    for r in graph.relations:
        a = names.get(r.parent.model, _mermaid_name(r.parent.model))
        b = names.get(r.child.model, _mermaid_name(r.child.model))
        if r.kind == MANY_TO_MANY:
            how = f"implicit {r.join_table}, rows cascade" if r.implicit else "embedded ids"
            label = f"{r.child.field or ''} / {r.parent.field or ''} ({how})"
            lines.append(f"    {b} }}o--o{{ {a} : {_mermaid_label(label)}")
            continue
        left = "||" if r.required else "|o"
        right = "o|" if r.kind == ONE_TO_ONE else "o{"
        label = r.child.field or r.name
        if r.on_delete == CASCADE:
            label += " (onDelete: Cascade, deleted with parent)"
        else:
            label += f" (onDelete: {r.on_delete})"
        lines.append(f"    {a} {left}--{right} {b} : {_mermaid_label(label)}")
    return "\n".join(lines) + "\n"


def _dot_id(name: str) -> str:
    """A quoted DOT string; real newlines become DOT's `\\n` line breaks."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def to_dot(graph: RelationGraph) -> str:
    """Graphviz DOT: parent -> child per relation (the direction a delete travels)."""
    out = [
        f"digraph {_dot_id('prisma:' + graph.schema)} {{",
        "    rankdir=LR;",
        '    node [shape=box, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for n in graph.nodes:
        attrs = ["style=dashed"] if n.kind == "view" or n.ignored else []
        out.append(f"    {_dot_id(n.model)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for r in graph.relations:
        if r.kind == MANY_TO_MANY:
            label = f"{r.child.field} / {r.parent.field}\n" + (
                f"m-n via {r.join_table}" if r.implicit else "m-n (embedded)"
            )
            out.append(
                f"    {_dot_id(r.child.model)} -> {_dot_id(r.parent.model)} "
                f"[dir=both, arrowhead=crow, arrowtail=crow, label={_dot_id(label)}];"
            )
            continue
        label = f"{r.child.field or r.name}\nonDelete: {r.on_delete}" + (
            "" if r.on_delete_explicit else " (default)"
        )
        style = ["color=red", "penwidth=2"] if r.on_delete == CASCADE else []
        if r.on_delete in (RESTRICT, NO_ACTION):
            style.append("style=dashed")
        if r.kind == ONE_TO_ONE:
            style.append("arrowhead=tee")
        edge = ", ".join([f"label={_dot_id(label)}", *style])
        out.append(f"    {_dot_id(r.parent.model)} -> {_dot_id(r.child.model)} [{edge}];")
    out.append("}")
    return "\n".join(out) + "\n"
