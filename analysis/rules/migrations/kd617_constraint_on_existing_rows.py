"""KD617 constraint-on-existing-rows: CHECK/FOREIGN KEY/EXCLUDE added to an existing table without NOT VALID"""

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
    "KD617",
    "constraint-on-existing-rows",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    checklist=("migrations-preserve-data",),
    summary="`ADD CONSTRAINT ... CHECK`/`FOREIGN KEY`/`EXCLUDE` on a table that existed before this migration, without `NOT VALID`: any existing row that violates it makes `migrate deploy` fail half-way",
    short="CHECK/FOREIGN KEY/EXCLUDE added to an existing table without NOT VALID",
    rationale="""
        Adding a constraint validates every existing row. A single violating row (an orphan,
        a negative amount from years ago) makes `migrate deploy` fail half-way through the
        migration, and the pressure to unblock the deploy leads to deleting the rows that
        "violate" it.
    """,
    trigger="""
        `ALTER TABLE ... ADD CONSTRAINT ... CHECK`, `FOREIGN KEY` or `EXCLUDE` on a table that
        existed before this migration, without `NOT VALID`.
    """,
    bad="""
        -- prisma/migrations/20241115100000_positive_amounts/migration.sql
        ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_check" CHECK ("amount" >= 0);
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241115100000_positive_amounts/migration.sql
        ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_check" CHECK ("amount" >= 0) NOT VALID;
        -- later, after reviewing the violating rows:
        -- ALTER TABLE "Payment" VALIDATE CONSTRAINT "Payment_amount_check";
    """,
    good_lang="sql",
    fix="""
        Add the constraint `NOT VALID` (new rows are checked at once), review and fix the
        existing violators deliberately, then `VALIDATE CONSTRAINT` in a later migration.
    """,
    module=__name__,
)


def constraint_on_existing_rows(items: _Items) -> Iterator[Finding]:
    # A foreign key dropped and re-added on the same columns to the same target (Prisma
    # changing onDelete): the rows already satisfied it. Re-pointed to another table, they
    # may not.
    replaced = {
        (
            it.migration.path,
            it.action.table or "",
            it.note.dropped_fk.columns,
            it.note.dropped_fk.ref_table,
        )
        for it in items.of(K.DROP_CONSTRAINT, K.DROP_FOREIGN_KEY)
        if it.note is not None and it.note.dropped_fk is not None
    }
    for it in items.of(K.ADD_CONSTRAINT):
        a = it.action
        c = a.constraint
        if a.kind != K.ADD_CONSTRAINT or c is None:
            continue
        if c.kind not in ("check", "foreign key", "exclude") or c.not_valid:
            continue
        if it.table_is_new:
            continue
        if (
            c.kind == "foreign key"
            and c.columns
            and all(
                (it.migration.path, a.table or "", col) in _added_nullable(items)
                for col in c.columns
            )
        ):
            continue  # new nullable columns: NULL in every existing row, nothing to violate
        if (
            c.kind == "foreign key"
            and (it.migration.path, a.table or "", c.columns, c.ref_table or "") in replaced
        ):
            continue
        fix = (
            " without NOT VALID" if it.history.provider in (None, "postgresql", "postgres") else ""
        )
        yield _finding(
            "KD617",
            f"migration {it.migration.name} adds {c.kind.upper()} constraint "
            f"{_q(c.name) + ' ' if c.name else ''}to existing table {_q(a.table)}{fix}: any "
            "existing row that violates it makes `migrate deploy` fail half-way",
            it.loc(),
            _created(it.note.table_created if it.note else None, f"table {_q(a.table)}"),
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return constraint_on_existing_rows(ctx.fact(migration_items))
