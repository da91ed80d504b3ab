"""KD504 missing-relation-index: relationMode = "prisma" and a relation scalar without an index"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
    module=__name__,
)
