"""KD115 db-major-version-changed: The database image's major version differs from HEAD while the volume stays"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.catalog import BY_ID
from analysis.context import Context
from analysis.facts.databases import Database, base_major_versions, databases
from analysis.model import Finding, Related, Severity
from analysis.rules.persistence.common import _db_anchor, _finding
from analysis.rules.registry import Examples, rule

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
    examples=Examples(
        skip="the comparison needs the base revision from git history (tests/rules/persistence/test_persistence_rules.py builds one)"
    ),
    module=__name__,
)


def check_major_changes(ctx: Context, dbs: tuple[Database, ...]) -> Iterator[Finding]:
    relevant = [d for d in dbs if d.major is not None and d.storage.holder is not None]
    relevant = [d for d in relevant if d.storage.holder is not None and d.storage.holder.persistent]
    if not relevant:
        return
    history = base_major_versions(ctx, tuple(relevant))
    if history.note is not None:
        first = relevant[0]
        yield Finding(
            "KD115",
            BY_ID["KD115"].severity.lower(3),
            f"database major versions were not compared with {history.ref}: {history.note}",
            _db_anchor(first),
        )
        return
    for db in relevant:
        old = history.majors.get((db.stack, db.service))
        if old is None or old.major is None or old.major == db.major:
            continue
        holder = db.storage.holder
        assert holder is not None
        same_file = db.image_location is not None and holder.location.path == db.image_location.path
        if same_file and old.mounts and (holder.source or "") not in old.mounts:
            continue  # the data moves to a new volume: the new server starts fresh
        yield _finding(
            "KD115",
            f"database service {db.service!r}: the image moves from major {old.major} "
            f"({old.image} at {history.ref}) to {db.major} ({db.image}) while {holder.label} "
            "holds the data: the new server refuses the old data directory; dump and restore "
            "(or pg_upgrade) before switching",
            _db_anchor(db),
            [Related(holder.location, "the data stays on this mount")],
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_major_changes(ctx, ctx.fact(databases))
