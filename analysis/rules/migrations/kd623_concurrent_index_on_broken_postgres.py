"""KD623 concurrent-index-on-broken-postgres: CREATE/REINDEX CONCURRENTLY on PostgreSQL 14.0-14.3 can corrupt the index"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from analysis.context import Context
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.migration_sql.records import K
from analysis.rules.migrations.common import (
    _PG14_BROKEN,
    _finding,
    _image_name,
    _Items,
    _postgres_databases,
    migration_items,
)
from analysis.rules.registry import Examples, rule

if TYPE_CHECKING:
    from analysis.facts.databases import Database

# -- example trees --
_MIGRATION = "prisma/migrations/20250501000000_email_index/migration.sql"
_INDEX = 'CREATE INDEX CONCURRENTLY "user_email_idx" ON "user"("email");\n'
# --

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
    examples=Examples(files={_MIGRATION: _INDEX}),
    module=__name__,
)


def concurrent_index_broken_pg(ctx: Context, items: _Items) -> Iterator[Finding]:
    conc = [
        it
        for it in items.of(K.CREATE_INDEX, K.CREATE_UNIQUE_INDEX, K.REINDEX)
        if it.action.concurrently
        and it.action.kind in (K.CREATE_INDEX, K.CREATE_UNIQUE_INDEX, K.REINDEX)
    ]
    if not conc:
        return
    broken: list[tuple[Database, str]] = []
    for db in _postgres_databases(ctx):
        image = db.image
        tag = db.tag
        if not isinstance(tag, str) and isinstance(image, str):
            tag = _image_name(image)[1]
        if isinstance(tag, str) and _PG14_BROKEN.match(tag):
            broken.append((db, tag))
    for it in conc:
        for db, tag in broken:
            db_loc = db.image_location or db.location
            yield _finding(
                "KD623",
                f"migration {it.migration.name} builds an index CONCURRENTLY while service "
                f"{db.service} runs PostgreSQL {tag}, whose concurrent index "
                "builds can silently corrupt indexes (fixed in 14.4): upgrade the image, then "
                "REINDEX",
                it.loc(),
                (Related(db_loc, f"image {db.image}"),) if isinstance(db_loc, Location) else (),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return concurrent_index_broken_pg(ctx, ctx.fact(migration_items))
