"""KD115 db-major-version-changed: The database image's major version differs from HEAD while the volume stays"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD115",
    "db-major-version-changed",
    Severity.HIGH,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="when the root is a git repository: a database image's major version (or the default in `${POSTGRES_VERSION:-16}`) differs from the one at `HEAD` (or `--base REF`) while the same volume holds the data: the new server refuses the old data directory unless it is dumped and restored or upgraded (`pg_upgrade`); read git's objects, do not shell out to a project script",
    short="The database image's major version differs from HEAD while the volume stays",
    rationale="""
        Changing `postgres:15` to `postgres:16` in compose looks like a one-line upgrade, but
        the new server cannot read the old data directory: it exits with "database files are
        incompatible with server". The shortest path back to a running app is deleting the
        volume, which is exactly what happens under deadline pressure. Upgrades between majors
        need a dump and restore or `pg_upgrade`.
    """,
    trigger="""
        When the root is a git repository: a database image's major version (or the default
        in `${POSTGRES_VERSION:-16}`) in the working tree differs from the one at `HEAD` (or
        `--base REF`), while the same volume holds the data. keepdata reads git's objects and
        runs nothing.
    """,
    bad="""
        # docker-compose.yml (HEAD had image: postgres:15)
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml: a new volume for the new major, filled from a dump
        #   docker compose exec db pg_dumpall -U postgres > backup.sql   (on 15)
        #   docker compose up -d db && psql ... < backup.sql            (on 16)
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata16:/var/lib/postgresql/data
        volumes:
          pgdata16:
    """,
    good_lang="yaml",
    fix="""
        Dump the old cluster (`pg_dumpall`), point the new major at a new volume, restore, and
        keep the old volume until the new one is verified; or run `pg_upgrade` (e.g. the
        `pgautoupgrade/pgautoupgrade` image). Never reuse the old volume with the new major.
    """,
    module=__name__,
)
