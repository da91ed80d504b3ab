"""KD614 delete-rows: DELETE ... WHERE in a migration: the rows cannot be brought back"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _finding, _Items, _q, migration_items
from analysis.rules.registry import rule

RULE = rule(
    "KD614",
    "delete-rows",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="`DELETE ... WHERE` in a migration: rows removed by a migration cannot be brought back by rolling the code back",
    short="DELETE ... WHERE in a migration: the rows cannot be brought back",
    rationale="""
        A targeted delete looks safe, but a migration runs once per environment and Prisma
        has no down migrations: rolling the code back does not bring the rows back, and the
        WHERE clause was tested against a development database, not production's data.
    """,
    trigger="A `DELETE FROM ... WHERE ...` statement in a migration.sql.",
    bad="""
        -- prisma/migrations/20241101090000_remove_test_accounts/migration.sql
        DELETE FROM "User" WHERE "email" LIKE '%@example.com';
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241101090000_hide_test_accounts/migration.sql
        UPDATE "User" SET "deletedAt" = now() WHERE "email" LIKE '%@example.com';
    """,
    good_lang="sql",
    fix="""
        Prefer soft deletes or moving the rows to an archive table in an earlier step; if
        the delete is intended, count the affected rows in production first and suppress
        with a reason.
    """,
    module=__name__,
)


def delete_rows(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.DELETE):
        a = it.action
        if a.kind == K.DELETE and a.has_where:
            yield _finding(
                "KD614",
                f"migration {it.migration.name} deletes rows of {_q(a.table)}: rolling the "
                "code back does not bring them back",
                it.loc(),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return delete_rows(ctx.fact(migration_items))
