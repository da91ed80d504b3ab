"""KD506 provider-mismatch: migration_lock.toml's provider differs from the datasource's provider"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.schema import schema_discovery
from analysis.model import Finding, Location, Related, Severity
from analysis.rules.registry import rule
from analysis.rules.schema.common import _finding, _provider_location

RULE = rule(
    "KD506",
    "provider-mismatch",
    Severity.HIGH,
    area="schema",
    section="schema",
    summary="`migration_lock.toml`'s provider differs from the datasource's provider (points at the lock file's `provider` line, the schema's `provider` line related)",
    short="migration_lock.toml's provider differs from the datasource's provider",
    rationale="""
        Migrations are SQL for one database engine. When the schema switches provider
        (sqlite to postgresql) but the migration history stays, `migrate deploy` refuses with
        P3019, and the quick way out is deleting the migrations and pushing, which throws the
        history away; applying SQLite DDL to PostgreSQL by hand gets types and defaults wrong.
    """,
    trigger="""
        A `migration_lock.toml` whose `provider` differs from the `provider` of the
        datasource of the schema that owns that migrations folder. Points at the lock file's
        `provider` line, with the schema's `provider` line related.
    """,
    bad="""
        # prisma/migrations/migration_lock.toml
        # (schema.prisma: datasource db { provider = "postgresql" })
        provider = "sqlite"
    """,
    bad_lang="toml",
    good="""
        # prisma/migrations/migration_lock.toml
        # (schema.prisma: datasource db { provider = "postgresql" })
        provider = "postgresql"
    """,
    good_lang="toml",
    fix="""
        Keep the old provider until you move deliberately: create a new baseline migration
        for the new provider (`prisma migrate diff --from-empty --to-schema-datamodel ...`),
        move the data with a dump/import, and archive the old migration folder.
    """,
    module=__name__,
)


@RULE.check
def provider_mismatch(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        lock = schema.migrations.lock
        if lock is None or lock.provider is None or schema.datasource is None:
            continue
        raw = schema.datasource.provider
        if raw is None:
            continue
        ours = "postgresql" if raw == "postgres" else raw
        theirs = "postgresql" if lock.provider == "postgres" else lock.provider
        if ours == theirs:
            continue
        ds = schema.datasource
        yield _finding(
            "KD506",
            f"{lock.path} says the migrations were written for `{lock.provider}` but the "
            f"schema's datasource uses `{raw}`: `migrate deploy` refuses to run (P3019), and "
            "the SQL in the migrations is for another database",
            Location(lock.path, lock.line),
            (Related(_provider_location(ds), f'provider = "{raw}" in the schema'),),
        )
