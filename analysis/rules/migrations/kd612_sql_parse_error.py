"""KD612 sql-parse-error: A migration.sql that the SQL parser cannot read"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD612",
    "sql-parse-error",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    summary="a migration that the parser cannot read: where and why",
    short="A migration.sql that the SQL parser cannot read",
    rationale="""
        keepdata cannot judge what it cannot parse, so any DROP or TRUNCATE in the file goes
        unreported. Often it is also a real syntax error, which `migrate deploy` meets in
        production after the statements before it already ran: a half-applied, failed
        migration.
    """,
    trigger="""
        A migration.sql (or a statement of it) that the SQL parser rejects, reported at the
        statement's position with the parser's message; the other statements are still
        checked.
    """,
    bad="""
        -- prisma/migrations/20241015120000_add_index/migration.sql
        CREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt";
    """,
    bad_lang="sql",
    good="""
        -- prisma/migrations/20241015120000_add_index/migration.sql
        CREATE INDEX "Order_createdAt_idx" ON "Order"("createdAt");
    """,
    good_lang="sql",
    fix="""
        Fix the statement and test the migration against a copy of production (`prisma
        migrate deploy` on a restored dump) before merging.
    """,
    module=__name__,
)
