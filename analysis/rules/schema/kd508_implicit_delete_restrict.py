"""KD508 implicit-delete-restrict: Required relation without onDelete: deletes of the parent fail (Restrict)"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.relations import MANY_TO_MANY, NO_ACTION
from analysis.model import Finding, Severity
from analysis.rules.registry import Examples, rule
from analysis.rules.schema.common import _finding, _pairs

# -- example trees --
_MODELS = """
model Customer {
  id       String    @id
  name     String
  invoices Invoice[]
}
"""
# --

RULE = rule(
    "KD508",
    "implicit-delete-restrict",
    Severity.INFO,
    area="schema",
    section="schema",
    summary="required relations without `onDelete` (Prisma's default is Restrict: deletes of the parent fail) so the user sees what a delete does",
    short="Required relation without onDelete: deletes of the parent fail (Restrict)",
    rationale="""
        Without `onDelete`, a required relation defaults to Restrict: deleting the parent
        fails with P2003 while children exist. That protects data, but teams discover it in
        production as a failing delete and fix it in a hurry, usually by adding Cascade.
        Seeing the default stated lets you choose deliberately.
    """,
    trigger="""
        A relation whose scalar fields are required and that sets no `onDelete`, so Prisma's
        default Restrict (NoAction on SQL Server) applies. Info: documents what a delete does.
    """,
    bad="""
        model Invoice {
          id         String   @id
          customerId String
          customer   Customer @relation(fields: [customerId], references: [id])
        }
    """,
    bad_lang="prisma",
    good="""
        model Invoice {
          id         String   @id
          customerId String
          customer   Customer @relation(fields: [customerId], references: [id], onDelete: Restrict)
        }
    """,
    good_lang="prisma",
    fix="""
        State the action you want (`onDelete: Restrict` to keep the protection explicitly, or
        Cascade/SetNull after checking what a delete should do), and handle P2003 in the code
        that deletes parents.
    """,
    examples=Examples(append={"prisma/schema.prisma": _MODELS}),
    module=__name__,
)


@RULE.check
def implicit_delete_restrict(ctx: Context) -> Iterator[Finding]:
    for schema, graph in _pairs(ctx):
        for rel in graph.relations:
            if (
                rel.kind == MANY_TO_MANY
                or rel.child.field is None
                or not rel.required
                or rel.on_delete_explicit
            ):
                continue
            loc = rel.location
            if loc is None:
                continue
            how = (
                "Restrict"
                if rel.on_delete != NO_ACTION
                else "NoAction (SQL Server has no Restrict)"
            )
            emulated = (
                ' (enforced by Prisma Client: relationMode = "prisma")'
                if schema.relation_mode == "prisma"
                else ""
            )
            yield _finding(
                "KD508",
                f"deleting a {rel.parent.model} row fails while "
                f"{rel.child.model} rows reference it: `{rel.child.label}` is required and sets "
                f"no onDelete, so Prisma's default {how} applies{emulated}; write the onDelete "
                "you want (Cascade, SetNull with an optional field, or Restrict) to make it explicit",
                loc,
            )
