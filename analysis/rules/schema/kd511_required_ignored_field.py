"""KD511 required-ignored-field: A required field marked @ignore without @default: creates fail"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.schema import schema_discovery
from analysis.model import Finding, Location, Severity
from analysis.rules.registry import rule
from analysis.rules.schema.common import _finding

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


@RULE.check
def required_ignored_field(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        model_names = {m.name for m in (*schema.models, *schema.views)}
        for m in schema.models:
            if m.is_ignored:
                continue
            for f in m.fields:
                if not f.is_ignored or not f.required or f.has_default or f.is_updated_at:
                    continue
                if f.type_name in model_names:
                    continue
                attr = f.attribute("ignore")
                loc = Location(f.path, attr.line, attr.column) if attr else f.location
                yield _finding(
                    "KD511",
                    f"`{m.name}.{f.name}` is required, marked @ignore and has no @default: "
                    f"Prisma Client no longer writes the NOT NULL column `{f.column_name}`, so "
                    f"every create of {m.name} fails; add a @default (or a database default) or "
                    "make it optional",
                    loc,
                )
