"""KD619 unbalanced-transaction: Unbalanced BEGIN/COMMIT in a migration.sql"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.context import Context
from analysis.facts.migrations import migration_histories
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import _finding
from analysis.rules.registry import rule

RULE = rule(
    "KD619",
    "unbalanced-transaction",
    Severity.HIGH,
    area="migrations",
    section="migrations",
    checklist=("error-handling",),
    summary="`BEGIN` without a matching `COMMIT`, a nested `BEGIN`, or a `COMMIT` with no `BEGIN` in a `migration.sql`: part of the migration may never be applied while it is recorded as applied",
    short="Unbalanced BEGIN/COMMIT in a migration.sql",
    rationale="""
        A `BEGIN` without `COMMIT` leaves the rest of the file in a transaction that may never
        be committed, while Prisma can record the migration as applied. A
        nested `BEGIN` is ignored with a warning, so the first `COMMIT` commits half of the
        work and a failure after it leaves the other half undone. Either way the history says
        one thing and the schema another.
    """,
    trigger="""
        In a migration.sql: `BEGIN`/`START TRANSACTION` with no matching `COMMIT`, a `BEGIN`
        inside an open transaction, or a `COMMIT`/`END` with no open transaction. Prisma's
        enum-swap block (`BEGIN; ... COMMIT;`) is balanced and not reported.
    """,
    bad="""
        -- prisma/migrations/20241125100000_split_name/migration.sql
        BEGIN;
        ALTER TABLE "User" ADD COLUMN "firstName" TEXT;
        UPDATE "User" SET "firstName" = split_part("name", ' ', 1) WHERE "name" IS NOT NULL;
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241125100000_split_name/migration.sql
        BEGIN;
        ALTER TABLE "User" ADD COLUMN "firstName" TEXT;
        UPDATE "User" SET "firstName" = split_part("name", ' ', 1) WHERE "name" IS NOT NULL;
        COMMIT;
    """,
    good_lang="sql",
    fix="Pair every BEGIN with a COMMIT at the same level and do not nest transactions.",
    module=__name__,
)


@RULE.check
def unbalanced_transaction(ctx: Context) -> Iterator[Finding]:
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            open_at: int | None = None
            for st in m.statements:
                if st.kind == K.BEGIN:
                    if open_at is not None:
                        yield _finding(
                            "KD619",
                            f"migration {m.name} opens a transaction inside the one opened at "
                            f"line {open_at}",
                            Location(m.path, st.line),
                            (Related(Location(m.path, open_at), "the outer BEGIN"),),
                        )
                    else:
                        open_at = st.line
                elif st.kind in (K.COMMIT, K.ROLLBACK):
                    if open_at is None:
                        yield _finding(
                            "KD619",
                            f"migration {m.name} ends a transaction ({st.kind.upper()}) that it "
                            "never began",
                            Location(m.path, st.line),
                        )
                    open_at = None
            if open_at is not None:
                yield _finding(
                    "KD619",
                    f"migration {m.name} begins a transaction that it never commits: what "
                    "follows may never be applied while the migration is recorded as applied",
                    Location(m.path, open_at),
                )
