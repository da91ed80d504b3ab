"""KD508 implicit-delete-restrict: Required relation without onDelete: deletes of the parent fail (Restrict)"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
