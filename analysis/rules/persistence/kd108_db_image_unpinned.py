"""KD108 db-image-unpinned: Database image without a pinned major version (postgres, postgres:latest)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import _finding
from analysis.rules.registry import rule

RULE = rule(
    "KD108",
    "db-image-unpinned",
    Severity.MEDIUM,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="database image without a major version (`postgres`, `postgres:latest`, `mysql:lts`): a pull can bring a new major whose server refuses the old data directory",
    short="Database image without a pinned major version (postgres, postgres:latest)",
    rationale="""
        A database's on-disk format belongs to its major version. With `postgres` or
        `postgres:latest`, the next `docker compose pull` (or a new machine) brings the newest
        major, and the server refuses the existing data directory ("database files are
        incompatible with server"). The outage ends one of two ways: someone pins the old
        version again, or someone deletes the volume to "make it start".
    """,
    trigger="""
        A database service whose image has no tag, the `latest` tag, or a tag that does not
        fix the major version (`lts`, `stable`, `alpine`, a variable whose default is such a
        tag).
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:latest
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
            image: postgres:16.4-alpine
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Pin at least the major version (`postgres:16`, `mysql:8.4`, `mongo:7`); pinning the
        minor too makes builds reproducible. Upgrade majors deliberately with a dump and
        restore or `pg_upgrade`.
    """,
    module=__name__,
)


def check_unpinned(dbs: Iterable[Database]) -> Iterator[Finding]:
    for db in dbs:
        if not db.floating or db.image is None or db.image_location is None:
            continue
        tag = db.tag or "(no tag: latest)"
        yield _finding(
            "KD108",
            f"database service {db.service!r}: image {db.image} has no major version (tag "
            f"{tag}); a pull can bring a new major whose server refuses the existing data "
            "directory; pin the major (e.g. postgres:17)",
            db.image_location,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_unpinned(ctx.fact(databases))
