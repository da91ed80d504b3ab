"""KD501 cascade-delete: onDelete: Cascade: deleting the parent deletes these rows too"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.relations import CASCADE, MANY_TO_MANY
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import Examples, rule
from analysis.rules.schema.common import _finding, _longest_chains, _pairs

# -- example trees --
_MODELS = """
model Post {
  id       Int       @id @default(autoincrement())
  title    String
  comments Comment[]
}
"""
# --

RULE = rule(
    "KD501",
    "cascade-delete",
    Severity.INFO,
    area="schema",
    section="schema",
    checklist=("cascades-intentional",),
    summary="each `onDelete: Cascade` relation, with the deleted-with-parent chain it belongs to",
    short="onDelete: Cascade: deleting the parent deletes these rows too",
    rationale="""
        A cascade is a decision about data, made once in the schema and executed silently by
        the database on every delete from then on, including deletes from a console, a
        script or another service. Listing each cascade with the chain it belongs to lets a
        reviewer confirm that the rows really are owned by their parent.
    """,
    trigger="""
        Every relation with `onDelete: Cascade`, reported at the `@relation` attribute with
        the deleted-with-parent chain it belongs to (which models a delete of the root
        reaches). Info: the finding documents behaviour; KD502 judges the chains.
    """,
    bad="""
        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          post   Post @relation(fields: [postId], references: [id], onDelete: Cascade)
        }
    """,
    bad_lang="prisma",
    good="""
        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          // Comments have no meaning without their post: deleted with it.
          // keepdata-ignore KD501 -- reviewed 2024-05, owned data
          post   Post @relation(fields: [postId], references: [id], onDelete: Cascade)
        }
    """,
    good_lang="prisma",
    fix="""
        Nothing to fix when the child is truly owned by the parent; confirm it and suppress
        with a reason. Otherwise use `Restrict` (the default for required relations) or
        `SetNull` on an optional relation.
    """,
    examples=Examples(append={"prisma/schema.prisma": _MODELS}),
    module=__name__,
)


@RULE.check
def cascade_delete(ctx: Context) -> Iterator[Finding]:
    for _schema, graph in _pairs(ctx):
        chains = _longest_chains(graph)
        nodes = {n.model: n for n in graph.nodes}
        for rel in graph.relations:
            if rel.kind == MANY_TO_MANY or rel.on_delete != CASCADE or rel.child.field is None:
                continue
            loc = rel.action_location
            if loc is None:
                continue
            chain = chains.get((rel.child.model, rel.child.field))
            msg = (
                f"deleting one {rel.parent.model} deletes its "
                f"{rel.child.model} rows (`{rel.child.label}`, onDelete: Cascade)"
            )
            if chain is not None and chain.depth > 1:
                msg += f"; chain: {chain.text}"
            related = []
            parent = nodes.get(rel.parent.model)
            if parent is not None:
                related.append(Related(parent.location, f"model {rel.parent.model}"))
            yield _finding("KD501", msg, loc, related)
