"""KD109 volume-shared-by-databases: Two database services mount the same named volume or host path"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Related, Severity
from analysis.parsers.compose.records import Mount
from analysis.rules.persistence.common import _data_mounts, _finding, _volume_identity
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
        fails on InnoDB locks at best. Any other container that mounts the live data directory
        read-write can do the same damage with one write, `chown` or cleanup.
    """,
    trigger="""
        Two or more database services in one stack whose data mounts use the same named volume
        or the same host path (after resolving relative paths against the compose file's
        folder); or another service of the stack that mounts a database's data volume or
        host path without `:ro`.
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


def check_shared_volumes(
    stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    for stack in stacks:
        seen: dict[tuple[str, str], tuple[Database, Mount]] = {}
        for db in dbs:
            if db.stack != stack.id:
                continue
            for m in _data_mounts(db):
                ident = _volume_identity(stack, m)
                if ident is None:
                    continue
                prev = seen.get(ident)
                if prev is None:
                    seen[ident] = (db, m)
                    continue
                if prev[0].service == db.service:
                    continue
                what = "named volume" if ident[0] == "volume" else "host path"
                yield _finding(
                    "KD109",
                    f"database services {prev[0].service!r} and {db.service!r} both keep data "
                    f"on the {what} {ident[1]!r}: two servers writing one data directory corrupt"
                    " it (or one refuses to start); give each its own volume",
                    m.location,
                    [Related(prev[1].location, f"{prev[0].service!r} mounts it here")],
                )
        db_names = {db.service for db in dbs if db.stack == stack.id}
        for svc in stack.services:
            if svc.name in db_names:
                continue
            for m in svc.mounts:
                if m.read_only:
                    continue
                ident = _volume_identity(stack, m)
                held = seen.get(ident) if ident is not None else None
                if held is None or ident is None:
                    continue
                what = "named volume" if ident[0] == "volume" else "host path"
                yield _finding(
                    "KD109",
                    f"service {svc.name!r} mounts the {what} {ident[1]!r} that holds the data "
                    f"of database service {held[0].service!r}, read-write: one write, `chown` or "
                    "cleanup from it corrupts the live database; mount it `:ro` (a backup only "
                    "reads) or give it its own volume",
                    m.location,
                    [Related(held[1].location, f"{held[0].service!r} keeps its data here")],
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_shared_volumes(ctx.fact(compose_stacks), ctx.fact(databases))
