"""KD114 compose-project-name-not-pinned: Compose project name not pinned: renaming the folder starts an empty database"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Severity
from analysis.rules.persistence.common import _finding, data_volumes
from analysis.rules.registry import rule

RULE = rule(
    "KD114",
    "compose-project-name-not-pinned",
    Severity.LOW,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="a database keeps its data on a named volume, but neither the compose file's top-level `name:` nor `COMPOSE_PROJECT_NAME` in the `.env` beside the compose file fixes the project name: volumes are called `<project>_<volume>` and the project name defaults to the folder's name, so renaming or moving the folder starts an empty database (`external: true` or an explicit volume `name:` is also a fix)",
    short="Compose project name not pinned: renaming the folder starts an empty database",
    rationale="""
        Named volumes are really called `<project>_<volume>`, and the project name defaults to
        the folder's name. Clone the repository as `shop-v2`, move it, or check it out in a CI
        workspace with another name, and Compose creates `shop-v2_pgdata`: the database starts
        empty while the real data sits in `shop_pgdata`, unused.
    """,
    trigger="""
        A database keeps its data on a named volume, and neither the compose file's top-level
        `name:` nor `COMPOSE_PROJECT_NAME` in the `.env` beside it fixes the project name, and
        the volume has no explicit `name:` and is not `external: true`.
    """,
    bad="""
        # docker-compose.yml
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
        # docker-compose.yml
        name: shop
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
        Add a top-level `name:` to the compose file (or `COMPOSE_PROJECT_NAME=shop` to the
        `.env` next to it), or give the volume an explicit `name: shop_pgdata`. Use the name
        the volume already has (`docker volume ls`) so the existing data is found.
    """,
    module=__name__,
)


def check_project_name(
    stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    """One finding per named data volume, at its declaration (where `name:` would pin it),
    naming every database that keeps (or is meant to keep) its data there."""
    for v in data_volumes(stacks, dbs):
        if v.stack.project_name_pinned:
            continue
        decl, mounts = v.decl, v.mounts
        if decl is not None and (decl.external or decl.explicit_name):
            continue
        yield _finding(
            "KD114",
            f"volume {v.source!r}, mounted for the data of {v.services}, is called "
            f"{v.stack.project_name}_{v.source} by docker: the project name comes from the folder's "
            "name, so renaming or moving the folder starts an empty database; set a top-level "
            "`name:` (or COMPOSE_PROJECT_NAME in .env, or the volume's `name:`)",
            decl.location if decl is not None else v.users[0][1].location,
            mounts if decl is not None else mounts[1:],
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_project_name(ctx.fact(compose_stacks), ctx.fact(databases))
