"""KD613 update-without-where: UPDATE without WHERE in a migration: every row is overwritten"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _finding, _Items, _q, migration_items
from analysis.rules.registry import rule

RULE = rule(
    "KD613",
    "update-without-where",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="`UPDATE` with no `WHERE`",
    short="UPDATE without WHERE in a migration: every row is overwritten",
    rationale="""
        An UPDATE without WHERE replaces the column's value in every row. In a migration it
        runs on production at deploy time, and the previous values are gone unless restored
        from a backup; often the WHERE was lost while editing.
    """,
    trigger="A top-level `UPDATE ... SET ...` statement with no `WHERE` clause in a migration.sql.",
    bad="""
        -- prisma/migrations/20241020100000_default_currency/migration.sql
        UPDATE "Order" SET "currency" = 'EUR';
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241020100000_default_currency/migration.sql
        UPDATE "Order" SET "currency" = 'EUR' WHERE "currency" IS NULL;
    """,
    good_lang="sql",
    fix="""
        Add the WHERE that limits the update to the rows meant (usually `WHERE col IS NULL`
        for a backfill); if every row really must change, suppress with a reason.
    """,
    module=__name__,
)


def update_without_where(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.UPDATE):
        a = it.action
        if a.kind == K.UPDATE and not a.has_where:
            yield _finding(
                "KD613",
                f"migration {it.migration.name} updates every row of {_q(a.table)} (UPDATE "
                "without WHERE): the old values cannot be brought back",
                it.loc(),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return update_without_where(ctx.fact(migration_items))
