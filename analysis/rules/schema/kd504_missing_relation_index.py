"""KD504 missing-relation-index: relationMode = "prisma" and a relation scalar without an index"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.relations import MANY_TO_MANY
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.registry import Examples, rule
from analysis.rules.schema.common import _finding, _pairs

# -- example trees --
_MODELS = """
model Post {
  id       Int       @id @default(autoincrement())
  comments Comment[]
}
"""
# --

RULE = rule(
    "KD504",
    "missing-relation-index",
    Severity.LOW,
    area="schema",
    section="schema",
    summary='`relationMode = "prisma"` and a relation scalar with no index',
    short='relationMode = "prisma" and a relation scalar without an index',
    rationale="""
        With `relationMode = "prisma"` the database has no foreign keys and creates no index
        for them; Prisma Client emulates Restrict and Cascade with queries on the child's
        relation column. Without an index those are full table scans under the delete,
        which grow slow enough to time out half-way through an emulated cascade.
    """,
    trigger="""
        A schema with `relationMode = "prisma"` and a relation whose scalar fields are not
        covered by an `@@index`, `@@unique`, `@unique` or `@id` starting with those fields.
    """,
    bad="""
        datasource db {
          provider     = "mysql"
          relationMode = "prisma"
        }

        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          post   Post @relation(fields: [postId], references: [id])
        }
    """,
    bad_lang="prisma",
    good="""
        datasource db {
          provider     = "mysql"
          relationMode = "prisma"
        }

        model Comment {
          id     Int  @id @default(autoincrement())
          postId Int
          post   Post @relation(fields: [postId], references: [id])

          @@index([postId])
        }
    """,
    good_lang="prisma",
    fix="Add `@@index([<relation fields>])` to the model and create a migration for it.",
    examples=Examples(append={"prisma/schema.prisma": _MODELS}),
    module=__name__,
)


@RULE.check
def missing_relation_index(ctx: Context) -> Iterator[Finding]:
    for schema, graph in _pairs(ctx):
        if schema.relation_mode != "prisma" or schema.provider == "mongodb":
            continue
        for rel in graph.relations:
            if rel.kind == MANY_TO_MANY or rel.child.field is None or not rel.fields:
                continue
            child = schema.model(rel.child.model)
            if child is None:
                continue
            n = len(rel.fields)
            if any(set(s[:n]) == set(rel.fields) for s in child.index_sets):
                continue
            field = child.field(rel.child.field)
            if field is None:
                continue
            cols = ", ".join(rel.fields)
            related = []
            if schema.datasource is not None and (p := schema.datasource.relation_mode_property):
                related.append(
                    Related(
                        Location(schema.datasource.path, p.line, p.column),
                        'relationMode = "prisma"',
                    )
                )
            yield _finding(
                "KD504",
                f'`{rel.child.label}` has no index on {cols}: with relationMode = "prisma" the '
                "database creates no foreign key index, so lookups and the emulated "
                f"referential actions scan `{child.table_name}`; add `@@index([{cols}])`",
                field.location,
                related,
            )
