"""KD606 add-unique: A unique index or constraint is added to an existing table"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _added_nullable,
    _created,
    _finding,
    _Items,
    _q,
    migration_items,
)
from analysis.rules.registry import rule

RULE = rule(
    "KD606",
    "add-unique",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data", "unique-constraints-safe"),
    summary="a unique index/constraint on an existing table (fails on duplicates)",
    short="A unique index or constraint is added to an existing table",
    rationale="""
        If production holds duplicates, the index creation fails and the migration is left
        failed. The pressure to unblock deploys then leads to deleting "duplicates" by hand,
        which usually deletes real records (two customers sharing an email, a re-submitted
        order) chosen by whatever query was quickest to write.
    """,
    trigger="""
        `CREATE UNIQUE INDEX` or `ADD CONSTRAINT ... UNIQUE` on a table that existed before
        this migration, unless every column it covers was added (nullable) in this migration,
        so existing rows hold NULLs, which never collide.
    """,
    bad="""
        -- prisma/migrations/20240901110000_unique_email/migration.sql
        -- CreateIndex
        CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20240901110000_unique_email/migration.sql
        -- Duplicates merged in 20240825000000_merge_customers; production checked 2024-08-30.
        -- keepdata-ignore KD606: no duplicate emails left (GROUP BY ... HAVING gives 0 rows)
        CREATE UNIQUE INDEX "Customer_email_key" ON "Customer"("email");
    """,
    good_lang="sql",
    fix="""
        Check for duplicates in production before merging (`SELECT email, count(*) ... GROUP
        BY 1 HAVING count(*) > 1`), resolve them deliberately in an earlier migration or
        script, then add the constraint and record the check in a `keepdata-ignore KD606`
        reason.
    """,
    module=__name__,
)


def add_unique(items: _Items) -> Iterator[Finding]:
    for it in items.of(K.CREATE_UNIQUE_INDEX, K.ADD_CONSTRAINT):
        a = it.action
        if a.kind == K.CREATE_UNIQUE_INDEX:
            cols = a.columns
        elif (
            a.kind == K.ADD_CONSTRAINT
            and a.constraint is not None
            and a.constraint.kind == "unique"
        ):
            cols = a.constraint.columns
        else:
            continue
        note = it.note
        if note is not None and (note.table_is_new or note.unique_existed):
            continue
        safe_new = _added_nullable(items) if cols else set()
        if cols and all((it.migration.path, a.table or "", c) in safe_new for c in cols):
            continue  # every column is new and NULL in existing rows: no duplicates
        yield _finding(
            "KD606",
            f"migration {it.migration.name} adds a unique "
            f"{'index' if a.kind == K.CREATE_UNIQUE_INDEX else 'constraint'} "
            f"{_q(a.name) + ' ' if a.name else ''}on {_q(a.table)}({', '.join(cols)}), an "
            "existing table: it fails if rows already hold duplicate values",
            it.loc(),
            _created(note.table_created if note else None, f"table {_q(a.table)}"),
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return add_unique(ctx.fact(migration_items))
