"""KD103 postgres-18-data-path: PostgreSQL 18+ mounted at /var/lib/postgresql/data: the data lands elsewhere"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import data_directories_findings
from analysis.rules.registry import rule

RULE = rule(
    "KD103",
    "postgres-18-data-path",
    Severity.HIGH,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    tags=("data-state",),
    summary="postgres 18+ (also `latest`/untagged, which resolves to 18+) with the mount at `/var/lib/postgresql/data` and no `PGDATA` pointing into that mount: since 18 the image keeps data in `/var/lib/postgresql/<major>/docker` and declares its `VOLUME` at `/var/lib/postgresql`, so a new stack writes to an anonymous volume and an old data mount makes the server refuse to start. A mount at `/var/lib/postgresql` (or at the versioned PGDATA), or `PGDATA=/var/lib/postgresql/data` with that mount, is right",
    short="PostgreSQL 18+ mounted at /var/lib/postgresql/data: the data lands elsewhere",
    rationale="""
        Since PostgreSQL 18 the official image keeps its cluster in
        `/var/lib/postgresql/<major>/docker` and declares its `VOLUME` at `/var/lib/postgresql`.
        A new stack with the traditional `/var/lib/postgresql/data` mount writes everything
        into the anonymous volume one level up, and loses it on `down`/`up`. A stack upgraded
        from 17 keeps its old cluster in the old mount, and the server refuses to start on it;
        `latest` or an untagged image pulls 18+ without anyone deciding to upgrade, and the
        quickest way to "make it start" is deleting the volume.
    """,
    trigger="""
        A postgres service whose image is 18 or newer (also `latest` or no tag, which resolve
        to 18+) with its mount at `/var/lib/postgresql/data` and no PGDATA pointing into that
        mount. Correct and not reported: a mount at `/var/lib/postgresql`, a mount at the
        versioned PGDATA, or `PGDATA=/var/lib/postgresql/data` together with that mount. Never
        reported when the major version cannot be known.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:18
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:18
            volumes:
              - pgdata:/var/lib/postgresql
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        For 18+, mount the volume at `/var/lib/postgresql`. To keep an existing pre-18 volume,
        pin the old major until you have dumped and restored (or run `pg_upgrade`), or set
        `PGDATA: /var/lib/postgresql/data` so 18 uses the mount you already have.
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return [f for f in ctx.fact(data_directories_findings) if f.rule == RULE.id]
