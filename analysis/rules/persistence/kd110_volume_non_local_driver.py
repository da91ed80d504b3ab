"""KD110 volume-non-local-driver: A data volume uses a non-local driver or is external: persistence is elsewhere"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import _finding, data_volumes
from analysis.rules.registry import rule

RULE = rule(
    "KD110",
    "volume-non-local-driver",
    Severity.INFO,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="a data volume uses a non-local driver or is `external`: persistence depends on something outside this project",
    short="A data volume uses a non-local driver or is external: persistence is elsewhere",
    rationale="""
        With `external: true` or a driver such as `rexray/ebs`, `local` with NFS options, or a
        cloud plugin, the data's survival depends on something this project does not show:
        the volume must exist before `up`, it must be the same volume on every host, and its
        backup is somebody else's job. A missing external volume stops the stack; someone who
        creates it fresh to get going starts an empty database.
    """,
    trigger="""
        A volume that holds a database's data and is declared with `external: true` or with a
        `driver:` other than `local`. Info: the finding documents where the data lives.
    """,
    bad="""
        # docker-compose.prod.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
            external: true
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.prod.yml
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
            name: shop_pgdata
    """,
    good_lang="yaml",
    fix="""
        Document where the external volume comes from and how it is backed up, or use a local
        volume with a fixed `name:`. For NFS-backed volumes, check that the database supports
        the filesystem (PostgreSQL needs reliable fsync and locking).
    """,
    module=__name__,
)


def check_external_volumes(
    stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    for v in data_volumes(stacks, dbs):
        decl = v.decl
        if decl is None or decl.local:
            continue
        why = (
            "is `external` (created and kept outside this project)"
            if decl.external
            else f"uses the {decl.driver!r} driver"
        )
        yield _finding(
            "KD110",
            f"volume {decl.name!r}, mounted for the data of {v.services}, {why}: "
            "persistence depends on something outside this compose file",
            decl.location,
            v.mounts,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_external_volumes(ctx.fact(compose_stacks), ctx.fact(databases))
