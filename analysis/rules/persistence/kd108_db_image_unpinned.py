"""KD108 db-image-unpinned: Database image without a pinned major version (postgres, postgres:latest)"""

from __future__ import annotations

from analysis.model import Severity
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
