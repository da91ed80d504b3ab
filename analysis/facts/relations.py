"""Relations of a Prisma schema, and what deleting one record does.

Two layers:

- `resolve_relations(models, provider, relation_mode)` pairs relation fields the way Prisma
  does (by related model and relation name; unnamed relations get the name `AToB`), decides
  each relation's kind (one-to-one, one-to-many, implicit or embedded many-to-many), its
  owning side (the side with `fields`/`references`), and its effective referential actions
  (explicit, else Prisma's defaults for the provider and relation mode). It reports what
  Prisma's validator would reject (missing back-relation field, missing `fields`/
  `references`, unknown or non-unique referenced fields, type mismatches, referential
  actions the provider does not allow, cascade cycles where Prisma checks them) as KD505
  problems. `analysis.facts.schema` calls it once per schema and keeps the result on
  `Schema.relations`.
- `relation_graphs(ctx)` builds one `RelationGraph` per schema: models as nodes, relations as
  edges, and for every model a `Deletion`: the models a delete cascades into (with the paths,
  e.g. `User -> Member -> Assignment`), the rows it sets to NULL, the implicit many-to-many
  join rows it removes, and the relations that block it (Restrict/NoAction children, also
  behind cascades). `RelationGraph.mermaid()` and `.dot()` export the graph.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from analysis.facts.relations_export import to_dot, to_mermaid
from analysis.facts.relations_records import (
    ALL_ACTIONS,
    CASCADE,
    MANY_TO_MANY,
    NO_ACTION,
    ONE_TO_MANY,
    ONE_TO_ONE,
    RESTRICT,
    SET_DEFAULT,
    SET_NULL,
    Deletion,
    JoinModel,
    Node,
    Path,
    Relation,
    RelationEnd,
    Step,
)
from analysis.facts.relations_resolve import allowed_actions, default_on_delete, resolve_relations
from analysis.parsers.prisma_schema import (
    Model,
)
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.context import Context
    from analysis.facts.schema import Schema


@dataclass(slots=True, frozen=True)
class RelationGraph:
    schema: str
    """The schema's root path (`Schema.root`)."""
    provider: str | None
    relation_mode: str
    nodes: tuple[Node, ...]
    relations: tuple[Relation, ...]
    deletions: tuple[Deletion, ...]
    join_models: tuple[JoinModel, ...]

    def deletion(self, model: str) -> Deletion | None:
        for d in self.deletions:
            if d.model == model:
                return d
        return None

    def relations_of(self, model: str) -> tuple[Relation, ...]:
        return tuple(r for r in self.relations if model in (r.child.model, r.parent.model))

    def mermaid(self, with_fields: bool = False, models: dict[str, Model] | None = None) -> str:
        return to_mermaid(self, with_fields, models)

    def dot(self) -> str:
        return to_dot(self)


# ---------------------------------------------------------------------------------------------
# The graph and what a delete does
# ---------------------------------------------------------------------------------------------

MAX_PATHS = 200
"""Paths kept per model and kind; the closure (`deleted_models`) is always complete."""


def _deletion(model: str, by_parent: dict[str, list[Relation]]) -> Deletion:
    cascades: list[Path] = []
    set_null: list[Path] = []
    blockers: list[Path] = []
    join_rows: set[str] = set()
    deleted: set[str] = set()
    truncated = False
    # explicit stack of (model, steps so far, models on the path)
    stack: list[tuple[str, tuple[Step, ...], frozenset[str]]] = [(model, (), frozenset({model}))]
    while stack:
        current, steps, on_path = stack.pop()
        for rel in by_parent.get(current, ()):
            if rel.kind == MANY_TO_MANY:
                if rel.implicit and rel.join_table:
                    join_rows.add(rel.join_table)
                continue
            step = Step(
                current,
                rel.child.model,
                rel.child.field,
                rel.on_delete,
                rel.on_delete_explicit,
                rel.name,
                rel.action_location,
                rel.required,
            )
            path_steps = (*steps, step)
            if rel.on_delete == CASCADE:
                deleted.add(rel.child.model)
                if rel.child.model in on_path:
                    if len(cascades) < MAX_PATHS:
                        cascades.append(Path(path_steps, recursive=True))
                    else:
                        truncated = True
                    continue
                if len(cascades) < MAX_PATHS:
                    cascades.append(Path(path_steps))
                else:
                    truncated = True
                if len(path_steps) < 32:
                    stack.append((rel.child.model, path_steps, on_path | {rel.child.model}))
            elif rel.on_delete in (SET_NULL, SET_DEFAULT):
                if len(set_null) < MAX_PATHS:
                    set_null.append(Path(path_steps))
                else:
                    truncated = True
            elif len(blockers) < MAX_PATHS:
                blockers.append(Path(path_steps))
            else:
                truncated = True
    cascades.sort(key=lambda p: (p.depth, p.models))
    set_null.sort(key=lambda p: (p.depth, p.models))
    blockers.sort(key=lambda p: (p.depth, p.models))
    return Deletion(
        model,
        tuple(cascades),
        tuple(sorted(deleted)),
        tuple(set_null),
        tuple(sorted(join_rows)),
        tuple(blockers),
        truncated,
    )


def build_graph(schema: Schema) -> RelationGraph:
    """The relation graph of one schema (pure; `relation_graphs` memoizes it per run)."""
    nodes = tuple(
        Node(m.name, m.kind, m.table_name, m.location, m.is_ignored)
        for m in (*schema.models, *schema.views)
    )
    by_parent: dict[str, list[Relation]] = defaultdict(list)
    for rel in schema.relations:
        if rel.kind == MANY_TO_MANY:
            by_parent[rel.child.model].append(rel)
            if not rel.self_relation:
                by_parent[rel.parent.model].append(rel)
        elif rel.child.field is not None:
            by_parent[rel.parent.model].append(rel)
    deletions = tuple(_deletion(n.model, by_parent) for n in nodes)
    join_models: list[JoinModel] = []
    by_child: dict[str, list[Relation]] = defaultdict(list)
    for rel in schema.relations:
        if rel.kind != MANY_TO_MANY and rel.child.field is not None:
            by_child[rel.child.model].append(rel)
    for m in schema.models:
        rels = by_child.get(m.name, [])
        if (
            len(rels) == 2
            and all(r.required for r in rels)
            and not any(r.self_relation for r in rels)
        ):
            scalar = {f for r in rels for f in r.fields}
            keys = [set(u) for u in m.unique_sets]
            if scalar in keys:
                join_models.append(JoinModel(m.name, (rels[0], rels[1])))
    return RelationGraph(
        schema.root,
        schema.provider,
        schema.relation_mode,
        nodes,
        schema.relations,
        deletions,
        tuple(join_models),
    )


def relation_graphs(ctx: Context) -> tuple[RelationGraph, ...]:
    """One relation graph per schema of the project (same order as `schemas(ctx)`)."""
    from analysis.facts.schema import schemas

    return tuple(build_graph(s) for s in ctx.fact(schemas))


__all__ = [
    "ALL_ACTIONS",
    "CASCADE",
    "MANY_TO_MANY",
    "NO_ACTION",
    "ONE_TO_MANY",
    "ONE_TO_ONE",
    "RESTRICT",
    "SET_DEFAULT",
    "SET_NULL",
    "Deletion",
    "JoinModel",
    "Node",
    "Path",
    "Relation",
    "RelationEnd",
    "RelationGraph",
    "Step",
    "allowed_actions",
    "build_graph",
    "default_on_delete",
    "relation_graphs",
    "resolve_relations",
    "to_dot",
    "to_mermaid",
]
