"""KD106 db-bind-mount: A host bind mount holds the database's data (ownership, permissions, moves)"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import data_directories_findings
from analysis.rules.registry import rule

RULE = rule(
    "KD106",
    "db-bind-mount",
    Severity.LOW,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="a host bind mount holds the data (ownership, permissions, portability)",
    short="A host bind mount holds the database's data (ownership, permissions, moves)",
    rationale="""
        A bind mount puts the cluster in a folder of the checkout, owned by the container's
        uid (999 in the Debian postgres image) with mode 0700. `git clean -fdx`, a `rm -rf data` by someone
        reclaiming disk space, or a fresh clone elsewhere silently starts an empty database;
        on macOS and Windows the file sharing layer changes fsync and permission semantics,
        and a later `chown -R` of the project breaks the server's ownership check.
    """,
    trigger="""
        A database service whose data directory is held by a bind mount (a host path such as
        `./data/postgres` or `/srv/pg`, or the long form with `type: bind`). Low severity: the
        data persists, but its survival depends on the host folder.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - ./data/postgres:/var/lib/postgresql/data
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
        Prefer a named volume managed by Docker. If the bind mount is deliberate (a dedicated
        disk on a server), keep the path outside the repository, list it in `.gitignore` and
        `.dockerignore`, and suppress with `# keepdata-ignore KD106: <why>`.
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return [f for f in ctx.fact(data_directories_findings) if f.rule == RULE.id]
