"""KD101 db-data-not-persisted: No volume or bind mount covers the database's data directory"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import data_directories_findings
from analysis.rules.registry import rule

RULE = rule(
    "KD101",
    "db-data-not-persisted",
    Severity.CRITICAL,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    tags=("data-state",),
    summary="no volume or bind mount covers the database's data directory",
    short="No volume or bind mount covers the database's data directory",
    rationale="""
        Without a mount meant for the data, the database writes into the anonymous volume
        that the image's own `VOLUME` instruction creates. It survives a restart, so
        everything looks fine for weeks; then `docker compose down` followed by `up` creates
        a new container with a new, empty anonymous volume. The app starts, `migrate deploy`
        happily creates the tables again, and the old data sits orphaned in a volume with a
        hash for a name until `docker volume prune` deletes it for good.
    """,
    trigger="""
        A compose service recognised as a database (postgres and its derivatives, mysql,
        mariadb, mongo, mssql, cockroach, redis with `--appendonly yes` or `--save`, a
        service built from such an image, or one that sets PGDATA) with no volume, bind mount
        or tmpfs anywhere under the image's data root. Each data directory gets at most one
        of KD101-KD105; KD101 is the "nothing meant for the data at all" case.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
            ports:
              - "127.0.0.1:5432:5432"
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Mount a named volume at the image's data directory (`/var/lib/postgresql/data` for
        postgres up to 17, `/var/lib/postgresql` for 18+, `/var/lib/mysql`, `/data/db`) and
        declare it under the top-level `volumes:`. If the stack already holds data, find the
        anonymous volume (`docker inspect <container> --format '{{json .Mounts}}'`) and copy it
        into the named volume before the next `down`.
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return [f for f in ctx.fact(data_directories_findings) if f.rule == RULE.id]
