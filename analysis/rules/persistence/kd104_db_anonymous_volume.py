"""KD104 db-anonymous-volume: The database's data directory is an anonymous volume (container path only)"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import data_directories_findings
from analysis.rules.registry import rule

RULE = rule(
    "KD104",
    "db-anonymous-volume",
    Severity.HIGH,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    tags=("data-state",),
    summary="the data directory sits on an anonymous volume (container path only): a `down`/`up` cycle starts empty and the old data is orphaned",
    short="The database's data directory is an anonymous volume (container path only)",
    rationale="""
        `- /var/lib/postgresql/data` without a name before the colon asks Docker for an
        anonymous volume. Compose reuses it when it recreates the container, which makes it
        look persistent, but `docker compose down` drops the association: the next `up` gets a
        new empty volume, and the old one is orphaned until a prune removes it. `docker compose
        rm -v`, `down -v` and `up --renew-anon-volumes` delete it outright.
    """,
    trigger="""
        A database service whose data directory is covered by an explicit anonymous volume: a
        `volumes:` entry with only a container path (or the long form with `type: volume` and
        no `source`) at or above the data directory.
    """,
    bad="""
        # docker-compose.yml
        services:
          mysql:
            image: mysql:8.4
            volumes:
              - /var/lib/mysql
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          mysql:
            image: mysql:8.4
            volumes:
              - mysql-data:/var/lib/mysql
        volumes:
          mysql-data:
    """,
    good_lang="yaml",
    fix="""
        Give the volume a name (`mysql-data:/var/lib/mysql`) and declare it at the top level.
        Move the existing data over before the next `down`: find the anonymous volume with
        `docker inspect` and copy it with a throwaway container that mounts both volumes.
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return [f for f in ctx.fact(data_directories_findings) if f.rule == RULE.id]
