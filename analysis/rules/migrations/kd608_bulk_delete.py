"""KD608 bulk-delete: TRUNCATE, DELETE without WHERE, DROP SCHEMA or DROP DATABASE in a migration"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _finding, _Items, _q, migration_items
from analysis.rules.registry import rule

RULE = rule(
    "KD608",
    "bulk-delete",
    Severity.CRITICAL,
    area="migrations",
    section="migrations",
    checklist=(
        "migrations-preserve-data",
        "no-automatic-data-loss",
        "no-destructive-without-warning",
    ),
    summary="`TRUNCATE` (name `TRUNCATE ... CASCADE` and the tables it reaches), `DELETE` without `WHERE`, `DROP SCHEMA`, `DROP DATABASE`",
    short="TRUNCATE, DELETE without WHERE, DROP SCHEMA or DROP DATABASE in a migration",
    rationale="""
        These statements empty tables or remove whole schemas, and in a migration they run
        on every environment `migrate deploy` reaches, production included. Usually they were
        written to clean a development database and committed by accident. `TRUNCATE ...
        CASCADE` also empties every table that references the named one.
    """,
    trigger="""
        In a migration.sql: `TRUNCATE` (naming, for `CASCADE`, the tables it reaches through
        foreign keys), `DELETE FROM` without `WHERE`, `DROP SCHEMA`, or `DROP DATABASE`.
    """,
    bad="""
        -- prisma/migrations/20240920090000_add_user_locale/migration.sql
        ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
        -- clean local test data
        TRUNCATE TABLE "User" CASCADE;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240920090000_add_user_locale/migration.sql
        ALTER TABLE "User" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
    """,
    good_lang="sql",
    fix="""
        Remove the statement from the migration. Data clean-ups belong in a reviewed,
        targeted statement (with WHERE) or an operational script run once, after a backup.
    """,
    module=__name__,
)


def bulk_delete(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.TRUNCATE, K.DELETE, K.DROP_SCHEMA, K.DROP_DATABASE):
        a = it.action
        name = it.migration.name
        if a.kind == K.TRUNCATE:
            tables = ", ".join(_q(t) for t in a.tables) or _q(a.table)
            msg = f"migration {name} truncates {tables}: every row is deleted"
            if a.cascade:
                reached = it.note.reached if it.note is not None else ()
                msg += (
                    " and CASCADE empties every table that references "
                    + ("them" if len(a.tables) > 1 else "it")
                    + (f" ({', '.join(_q(t) for t in reached)})" if reached else "")
                )
            yield _finding("KD608", msg, it.loc())
        elif a.kind == K.DELETE and not a.has_where:
            yield _finding(
                "KD608",
                f"migration {name} deletes every row of {_q(a.table)} (DELETE without WHERE)",
                it.loc(),
            )
        elif a.kind == K.DROP_SCHEMA:
            yield _finding(
                "KD608",
                f"migration {name} drops schema {_q(a.name)}"
                + (" with CASCADE" if a.cascade else "")
                + ": every table in it is lost",
                it.loc(),
            )
        elif a.kind == K.DROP_DATABASE:
            yield _finding("KD608", f"migration {name} drops database {_q(a.name)}", it.loc())


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return bulk_delete(ctx.fact(migration_items))
