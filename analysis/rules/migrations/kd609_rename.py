"""KD609 rename: A table, column, enum value or schema is renamed"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Related, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _col, _finding, _Item, _Items, _q, migration_items
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
        `E_new`/`E_old`, which are part of KD607's sequence). One finding per migration, at
        its first rename, with the other renames of the same migration as related locations.
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
    """One finding per migration (one coordinated rename is one problem): at its first
    rename, naming every rename, the others as related locations."""
    by_migration: dict[str, list[tuple[_Item, str]]] = {}
    for it in items.of(
        K.RENAME_TABLE,
        K.RENAME_COLUMN,
        K.MODIFY_COLUMN,
        K.RENAME_ENUM_VALUE,
        K.RENAME_SCHEMA,
        K.RENAME_TYPE,
    ):
        what = _what(it)
        if what is not None:
            by_migration.setdefault(it.migration.path, []).append((it, what))
    for renames in by_migration.values():
        renames.sort(key=lambda r: r[0].action.line)
        first, what = renames[0]
        if len(renames) == 1:
            text = f"renames {what}"
        else:
            shown = ", ".join(w for _, w in renames[:5])
            more = f" and {len(renames) - 5} more" if len(renames) > 5 else ""
            text = f"renames {len(renames)} objects ({shown}{more})"
        yield _finding(
            "KD609",
            f"migration {first.migration.name} {text}: running code that still uses the "
            f"old {'name' if len(renames) == 1 else 'names'} fails until it is deployed",
            first.loc(),
            [Related(it.loc(), f"also renames {w}") for it, w in renames[1:]],
        )


def _what(it: _Item) -> str | None:
    a = it.action
    if it.pattern is not None:
        return None
    if a.kind == K.RENAME_TABLE:
        return f"table {_q(a.table)} to {_q(a.new_name)}"
    if a.kind == K.RENAME_COLUMN or (a.kind == K.MODIFY_COLUMN and a.new_name):
        return f"column {_col(a.table, a.column)} to {_q(a.new_name)}"
    if a.kind == K.RENAME_ENUM_VALUE:
        return f"value {a.values[0] if a.values else '?'} of enum {_q(a.name)} to {a.new_name}"
    if a.kind == K.RENAME_SCHEMA:
        return f"schema {_q(a.name)} to {_q(a.new_name)}"
    if a.kind == K.RENAME_TYPE:
        return f"type {_q(a.name)} to {_q(a.new_name)}"
    return None


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return rename(ctx.fact(migration_items))
