"""KD623 concurrent-index-on-broken-postgres: CREATE/REINDEX CONCURRENTLY on PostgreSQL 14.0-14.3 can corrupt the index"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD623",
    "concurrent-index-on-broken-postgres",
    Severity.MEDIUM,
    area="migrations",
    section="migrations",
    summary="`CREATE INDEX CONCURRENTLY` or `REINDEX CONCURRENTLY` while the compose database image is PostgreSQL 14.0–14.3, whose concurrent index builds can silently corrupt indexes",
    short="CREATE/REINDEX CONCURRENTLY on PostgreSQL 14.0-14.3 can corrupt the index",
    rationale="""
        PostgreSQL 14.0 to 14.3 have a bug in concurrent index builds: rows updated while the
        index is being built can be missing from it. The index is silently corrupt: lookups
        miss rows, and a unique index lets duplicates in. Fixed in 14.4, which also says to
        rebuild indexes made concurrently on the affected versions.
    """,
    trigger="""
        `CREATE INDEX CONCURRENTLY` or `REINDEX ... CONCURRENTLY` in a migration while the
        compose database image is PostgreSQL 14.0, 14.1, 14.2 or 14.3.
    """,
    bad="""
        # docker-compose.yml (a migration runs CREATE INDEX CONCURRENTLY ...)
        services:
          db:
            image: postgres:14.2
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:14.13
    """,
    good_lang="yaml",
    fix="""
        Upgrade to the latest 14.x minor (same data directory, no dump needed), then
        `REINDEX` indexes that were built concurrently on 14.0-14.3 (`amcheck` finds them).
    """,
    module=__name__,
)
