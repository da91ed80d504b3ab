"""KD615 drop-type-cascade: DROP ... CASCADE: every dependent column and object is dropped too"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _DROPS, _finding, _Items, _q, migration_items
from analysis.rules.registry import rule

RULE = rule(
    "KD615",
    "drop-type-cascade",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "no-destructive-without-warning"),
    summary="`DROP TYPE ... CASCADE` (or any `DROP ... CASCADE`): drops every column and object that depends on it",
    short="DROP ... CASCADE: every dependent column and object is dropped too",
    rationale="""
        In PostgreSQL, `DROP TYPE "Status" CASCADE` drops every column of that type, in every
        table, with their data; `DROP TABLE ... CASCADE` removes the foreign keys and views
        that depend on it. The statement names one object and silently removes many.
    """,
    trigger="`DROP TYPE ... CASCADE` or any other `DROP ... CASCADE` in a migration.sql.",
    bad="""
        -- prisma/migrations/20241105100000_drop_status_enum/migration.sql
        DROP TYPE "Status" CASCADE;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241105100000_drop_status_enum/migration.sql
        -- The column was migrated to "state" in 20241101; the type has no users left.
        DROP TYPE "Status";
    """,
    good_lang="sql",
    fix="""
        Drop without CASCADE so PostgreSQL refuses while something still depends on the
        object, and migrate or drop those dependents explicitly first.
    """,
    module=__name__,
)


def drop_cascade(items: _Items) -> Iterator[Finding]:
    for it in items.of(*_DROPS):
        a = it.action
        if a.kind not in _DROPS or not a.cascade:
            continue
        name = a.column if a.kind == K.DROP_COLUMN else (a.name or a.table)
        yield _finding(
            "KD615",
            f"migration {it.migration.name} drops {_DROPS[a.kind]} {_q(name)} with CASCADE: "
            "every column, constraint and object that depends on it goes too",
            it.loc(),
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return drop_cascade(ctx.fact(migration_items))
