"""KD507 model-without-id: A model with no @id, @@id, @unique or @@unique"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD507",
    "model-without-id",
    Severity.MEDIUM,
    area="schema",
    section="schema",
    checklist=("unique-constraints-safe",),
    summary="a model with no `@id`, `@@id` or `@unique`/`@@unique`",
    short="A model with no @id, @@id, @unique or @@unique",
    rationale="""
        A record nobody can address uniquely cannot be updated or deleted one at a time:
        `update` and `delete` need a unique `where`, so code falls back to `updateMany` and
        `deleteMany` on ordinary fields that hit every matching row, and duplicates cannot be
        told apart or cleaned up safely. Prisma rejects such a model unless it is `@@ignore`d,
        which removes it from the client altogether.
    """,
    trigger="""
        A `model` block (not a `view`) with no `@id`, `@@id`, `@unique` or `@@unique`.
    """,
    bad="""
        model AuditEntry {
          actor     String
          action    String
          createdAt DateTime @default(now())
        }
    """,
    bad_lang="prisma",
    good="""
        model AuditEntry {
          id        BigInt   @id @default(autoincrement())
          actor     String
          action    String
          createdAt DateTime @default(now())
        }
    """,
    good_lang="prisma",
    fix="""
        Add a primary key (`id ... @id @default(...)`) or a unique constraint over the columns
        that identify a row, and create a migration that backfills it.
    """,
    module=__name__,
)
