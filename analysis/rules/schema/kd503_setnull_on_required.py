"""KD503 setnull-on-required: onDelete/onUpdate: SetNull on a relation whose fields are required"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.relations import MANY_TO_MANY, SET_NULL
from analysis.model import Finding, Severity
from analysis.rules.registry import Examples, rule
from analysis.rules.schema.common import _finding, _pairs

# -- example trees --
_MODELS = """
model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}
"""
# --

RULE = rule(
    "KD503",
    "setnull-on-required",
    Severity.HIGH,
    area="schema",
    section="schema",
    checklist=("cascades-intentional",),
    summary="`onDelete: SetNull` (or `onUpdate: SetNull`) on a relation whose fields are required",
    short="onDelete/onUpdate: SetNull on a relation whose fields are required",
    rationale="""
        SetNull cannot null a required column: the database rejects the parent's delete with
        a NOT NULL violation (or Prisma rejects the schema, depending on version and relation
        mode). The intention, keep the child and detach it, never happens; the usual quick
        fix under a failing delete is switching to Cascade, which deletes the children that
        were meant to be kept.
    """,
    trigger="""
        A relation with `onDelete: SetNull` or `onUpdate: SetNull` whose scalar fields (the
        `fields: [...]`) are required (no `?`).
    """,
    bad="""
        model Post {
          id       Int  @id @default(autoincrement())
          authorId Int
          author   User @relation(fields: [authorId], references: [id], onDelete: SetNull)
        }
    """,
    bad_lang="prisma",
    good="""
        model Post {
          id       Int   @id @default(autoincrement())
          authorId Int?
          author   User? @relation(fields: [authorId], references: [id], onDelete: SetNull)
        }
    """,
    good_lang="prisma",
    fix="""
        Make the relation optional (`authorId Int?`, `author User?`) so SetNull can work, or
        choose Restrict and handle the children explicitly before deleting the parent.
    """,
    examples=Examples(append={"prisma/schema.prisma": _MODELS}),
    module=__name__,
)


@RULE.check
def setnull_on_required(ctx: Context) -> Iterator[Finding]:
    for schema, graph in _pairs(ctx):
        for rel in graph.relations:
            if rel.kind == MANY_TO_MANY or rel.child.field is None or not rel.fields:
                continue
            child = schema.model(rel.child.model)
            if child is None:
                continue
            required = [n for n in rel.fields if (f := child.field(n)) is not None and f.required]
            if not required:
                continue
            for key, action, loc in (
                ("onDelete", rel.on_delete, rel.on_delete_location),
                ("onUpdate", rel.on_update, rel.on_update_location),
            ):
                if action != SET_NULL or loc is None:
                    continue
                verb = "deleting" if key == "onDelete" else "changing the key of"
                fields = ", ".join(f"`{rel.child.model}.{n}`" for n in required)
                yield _finding(
                    "KD503",
                    f"`{rel.child.label}` has `{key}: SetNull` but {fields} "
                    f"{'is' if len(required) == 1 else 'are'} required: {verb} "
                    f"a {rel.parent.model} row that has {rel.child.model} "
                    "rows fails (NULL into a NOT NULL column); make the field optional or use "
                    "another action",
                    loc,
                )
