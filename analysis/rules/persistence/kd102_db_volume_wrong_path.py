"""KD102 db-volume-wrong-path: A volume is mounted, but the data directory the image uses is not on it"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import data_directories_findings
from analysis.rules.registry import rule

RULE = rule(
    "KD102",
    "db-volume-wrong-path",
    Severity.CRITICAL,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    tags=("data-state",),
    summary="a volume is mounted, but the data directory the image really uses (PGDATA honoured) does not land on it: the mount is elsewhere, or an image-declared `VOLUME` lies between the mount and the data, so an anonymous volume takes the data (postgres ≤ 17 mounted at `/var/lib/postgresql`: the image's own volume at `/var/lib/postgresql/data` holds everything)",
    short="A volume is mounted, but the data directory the image uses is not on it",
    rationale="""
        This is the cruellest variant because it looks persistent. With `postgres:16` mounted
        at `/var/lib/postgresql`, the image still declares `VOLUME /var/lib/postgresql/data`,
        so Docker puts a fresh anonymous volume inside your named one and the server writes
        there. The named volume stays empty; the data lives and dies with the container. The
        same happens when PGDATA points somewhere the mount does not reach, or the mount is
        simply at the wrong path (`/var/lib/postgres`, `/data`).
    """,
    trigger="""
        A database service has a directory mount meant for its data (under `/var/lib/postgresql*`,
        `/var/lib/mysql*`, `/data/db*`, `/bitnami/*`, ...) but the data directory the image
        really uses (PGDATA honoured) does not land on it, either because the mount is
        elsewhere or because an image-declared `VOLUME` lies between the mount and the data.
        Reported even when the image's major version is unknown, since it is wrong for every
        layout.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql   # the image's VOLUME at .../data sits inside
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
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Mount the volume at exactly the data directory the image uses, or set PGDATA to a path
        inside your mount (`PGDATA: /var/lib/postgresql/data/pgdata`). Before changing a
        running stack, copy the data out of the anonymous volume that currently holds it
        (`docker compose cp db:/var/lib/postgresql/data ./rescue` or `pg_dumpall`).
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return [f for f in ctx.fact(data_directories_findings) if f.rule == RULE.id]
