"""KD511 required-ignored-field: A required field marked @ignore without @default: creates fail"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD511",
    "required-ignored-field",
    Severity.LOW,
    area="schema",
    section="schema",
    checklist=("required-fields-have-defaults",),
    summary="a required field marked `@ignore` with no `@default`: the client can no longer write the NOT NULL column, so creates fail",
    short="A required field marked @ignore without @default: creates fail",
    rationale="""
        `@ignore` removes the field from the client, so Prisma can no longer write the column;
        since it is NOT NULL without a database default, every `create` on the model fails
        with a constraint violation. The tempting fix is dropping the column, and with it the
        data it still holds.
    """,
    trigger="""
        A field with `@ignore` that is required (no `?`, not a list) and has no `@default`.
    """,
    bad="""
        model Customer {
          id        String @id @default(cuid())
          email     String @unique
          legacyRef String @ignore
        }
    """,
    bad_lang="prisma",
    good="""
        model Customer {
          id        String  @id @default(cuid())
          email     String  @unique
          legacyRef String? @ignore
        }
    """,
    good_lang="prisma",
    fix="""
        Make the field optional (and the column nullable in a migration) or give it a
        `@default(...)` that the database applies, before ignoring it.
    """,
    module=__name__,
)
