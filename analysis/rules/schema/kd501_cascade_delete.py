"""KD501 cascade-delete: onDelete: Cascade: deleting the parent deletes these rows too"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
