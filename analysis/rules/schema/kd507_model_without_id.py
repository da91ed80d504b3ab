"""KD507 model-without-id: A model with no @id, @@id, @unique or @@unique"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.schema import schema_discovery
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.schema.common import _finding

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
        A `model` block (not a `view`) with no `@id`, `@@id`, `@unique` or `@@unique`; info
        when the model is marked `@@ignore` (the project chose to leave the table alone).
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


@RULE.check
def model_without_id(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        for m in schema.models:
            if m.id_fields:
                continue
            required_unique = [
                s
                for s in m.unique_sets
                if all((f := m.field(n)) is not None and f.required for n in s)
            ]
            if required_unique:
                continue
            only_optional = bool(m.unique_sets)
            why = (
                "only unique fields that are optional"
                if only_optional
                else "no `@id`, `@@id`, `@unique` or `@@unique`"
            )
            severity = None
            if m.is_ignored:
                severity = Severity.INFO  # the project chose it (an introspected table)
                tail = (
                    "it is marked @@ignore (a table the project left to something else, such as "
                    "an introspected library table), so the client cannot read or write it and "
                    "rows cannot be addressed one by one: info"
                )
            else:
                tail = (
                    "Prisma rejects the schema (every model needs a unique criterion of required "
                    "fields) unless the model is marked @@ignore"
                )
            yield _finding(
                "KD507",
                f"model `{m.name}` has {why}: {tail}; add an `@id`",
                m.location,
                severity=severity,
            )
