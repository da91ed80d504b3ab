"""KD510 no-migrations: A relational datasource with no migrations folder: the schema has no history"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD510",
    "no-migrations",
    Severity.MEDIUM,
    area="schema",
    section="schema",
    checklist=("schema-changes-need-migrations",),
    summary="a relational datasource with no migrations folder: the database's shape has no history and `migrate deploy` has nothing to apply",
    short="A relational datasource with no migrations folder: the schema has no history",
    rationale="""
        Without migrations the database's shape came from `db push` or manual SQL. There is
        nothing to review before a change reaches production, nothing for `migrate deploy` to
        apply, and no way to express a rename: every schema change is computed on the spot
        against a live database, and destructive ones go through `--accept-data-loss`.
    """,
    trigger="""
        A schema whose datasource is relational (postgresql, mysql, sqlite, sqlserver,
        cockroachdb) and whose migrations folder (next to the schema, or the path from
        prisma.config.ts) does not exist or contains no migration.
    """,
    bad="""
        $ ls prisma
        schema.prisma  seed.ts
    """,
    bad_lang="sh",
    good="""
        $ ls prisma prisma/migrations
        prisma:
        migrations  schema.prisma  seed.ts

        prisma/migrations:
        0_init  20240612093000_add_invoices  migration_lock.toml
    """,
    good_lang="sh",
    fix="""
        Baseline: `prisma migrate diff --from-empty --to-schema-datamodel
        prisma/schema.prisma --script > prisma/migrations/0_init/migration.sql`, mark it
        applied on existing databases with `prisma migrate resolve --applied 0_init`, commit,
        and use `migrate dev`/`migrate deploy` from now on.
    """,
    module=__name__,
)
