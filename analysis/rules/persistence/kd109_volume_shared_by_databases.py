"""KD109 volume-shared-by-databases: Two database services mount the same named volume or host path"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD109",
    "volume-shared-by-databases",
    Severity.HIGH,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists", "volume-mounts-no-conflict"),
    summary="two database services mount the same named volume or host path",
    short="Two database services mount the same named volume or host path",
    rationale="""
        Two servers on one data directory corrupt it. PostgreSQL's `postmaster.pid` lock does
        not help across containers: each server is PID 1 in its own namespace, sees its own
        PID in the lock file and treats it as stale. Both run, both write the WAL and the
        heap files, and the cluster is damaged beyond what recovery can repair. A MySQL pair
        fails on InnoDB locks at best.
    """,
    trigger="""
        Two or more database services in one stack whose data mounts use the same named volume
        or the same host path (after resolving relative paths against the compose file's
        folder).
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
          db-replica:
            image: postgres:16
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
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
          db-replica:
            image: postgres:16
            volumes:
              - pgdata-replica:/var/lib/postgresql/data
        volumes:
          pgdata:
          pgdata-replica:
    """,
    good_lang="yaml",
    fix="""
        Give every database its own volume. For a replica, use streaming replication
        (`pg_basebackup` into the replica's own volume), never a shared directory.
    """,
    module=__name__,
)
