"""KD609 rename: A table, column, enum value or schema is renamed"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql import K
from analysis.rules.migrations.common import _col, _finding, _Items, _q, migration_items
from analysis.rules.registry import rule

RULE = rule(
    "KD609",
    "rename",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="a table, column, enum value (`ALTER TYPE ... RENAME VALUE`) or schema rename (running code still uses the old name)",
    short="A table, column, enum value or schema is renamed",
    rationale="""
        A rename keeps the data, but the running code still uses the old name. During a
        rolling deploy (and for a rollback) the old version fails on every query that
        touches the renamed object, and writes made in that window are lost as errors.
    """,
    trigger="""
        `ALTER TABLE ... RENAME TO`, `RENAME COLUMN`, `ALTER TYPE ... RENAME VALUE`, or
        `ALTER SCHEMA ... RENAME TO` in a migration (not Prisma's own enum-swap renames of
        `E_new`/`E_old`, which are part of KD607's sequence).
    """,
    bad="""
        -- prisma/migrations/20241001100000_rename_fullname/migration.sql
        ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
    """,
    bad_lang="sql",
    good="""
        // schema.prisma: rename in code only, keep the column's name
        model User {
          id       String @id
          fullName String @map("name")
        }
    """,
    good_lang="prisma",
    fix="""
        Rename in the schema only with `@map`/`@@map`, or do it in steps: add the new name,
        write both, switch reads, drop the old name in a later release.
    """,
    module=__name__,
)


def rename(items: _Items) -> Iterator[Finding]:
    for it in items.of(
        K.RENAME_TABLE,
        K.RENAME_COLUMN,
        K.MODIFY_COLUMN,
        K.RENAME_ENUM_VALUE,
        K.RENAME_SCHEMA,
        K.RENAME_TYPE,
    ):
        a = it.action
        if it.pattern is not None:
            continue
        what = None
        if a.kind == K.RENAME_TABLE:
            what = f"table {_q(a.table)} to {_q(a.new_name)}"
        elif a.kind == K.RENAME_COLUMN or (a.kind == K.MODIFY_COLUMN and a.new_name):
            what = f"column {_col(a.table, a.column)} to {_q(a.new_name)}"
        elif a.kind == K.RENAME_ENUM_VALUE:
            what = f"value {a.values[0] if a.values else '?'} of enum {_q(a.name)} to {a.new_name}"
        elif a.kind == K.RENAME_SCHEMA:
            what = f"schema {_q(a.name)} to {_q(a.new_name)}"
        elif a.kind == K.RENAME_TYPE:
            what = f"type {_q(a.name)} to {_q(a.new_name)}"
        if what is None:
            continue
        yield _finding(
            "KD609",
            f"migration {it.migration.name} renames {what}: running code that still uses the "
            "old name fails until it is deployed",
            it.loc(),
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return rename(ctx.fact(migration_items))
