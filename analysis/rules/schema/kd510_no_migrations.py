"""KD510 no-migrations: A relational datasource with no migrations folder: the schema has no history"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.schema import schema_discovery
from analysis.model import Finding, Related, Severity
from analysis.rules.registry import Examples, rule
from analysis.rules.schema.common import _finding, _migrations_elsewhere, _provider_location

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
    examples=Examples(bad={"prisma/migrations": None}),
    module=__name__,
)


@RULE.check
def no_migrations(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.fact(schema_discovery).schemas:
        ds = schema.datasource
        if ds is None or not schema.is_relational:
            continue
        mig = schema.migrations
        if mig.computed or mig.folders:
            continue
        related = []
        if mig.configured is not None:
            related.append(Related(mig.configured, "migrations.path"))
        state = (
            f"{mig.path} exists but holds no migration"
            if mig.exists
            else f"there is no migrations folder ({mig.path})"
        )
        elsewhere = _migrations_elsewhere(ctx, schema)
        if elsewhere is not None:
            state += (
                f" (migrations exist in {elsewhere}, where Prisma does not look for this "
                "schema: move them, or set `migrations.path` in prisma.config.ts)"
            )
        yield _finding(
            "KD510",
            f"datasource `{ds.name}` ({schema.provider}) of {schema.root}: {state}, so the "
            "database's shape has no history and `migrate deploy` has nothing to apply; create "
            "one with `prisma migrate dev --name init`",
            _provider_location(ds),
            related,
        )
