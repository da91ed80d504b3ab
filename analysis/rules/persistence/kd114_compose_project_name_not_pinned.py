"""KD114 compose-project-name-not-pinned: Compose project name not pinned: renaming the folder starts an empty database"""

from __future__ import annotations

from analysis.model import Severity
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
