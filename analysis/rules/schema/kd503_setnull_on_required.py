"""KD503 setnull-on-required: onDelete/onUpdate: SetNull on a relation whose fields are required"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
