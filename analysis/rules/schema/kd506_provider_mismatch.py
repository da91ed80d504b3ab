"""KD506 provider-mismatch: migration_lock.toml's provider differs from the datasource's provider"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
