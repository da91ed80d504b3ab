"""KD112 db-data-in-build-context: A bind-mounted database directory lies inside an image's build context"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD112",
    "db-data-in-build-context",
    Severity.MEDIUM,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists", "volume-mounts-no-conflict"),
    summary="a bind-mounted database directory lies inside a build context that `.dockerignore` does not exclude: the data is copied into the image",
    short="A bind-mounted database directory lies inside an image's build context",
    rationale="""
        The live cluster in `./data/postgres` is inside the folder that `docker build` sends
        as context. `COPY . .` then copies database files into an image layer, where they are
        pushed to the registry with every customer row in them; a copy taken while the server
        writes is inconsistent, and the 0700 permissions of the folder make builds fail with
        "permission denied" until someone `chmod`s the data directory.
    """,
    trigger="""
        A database's data directory held by a bind mount whose host folder is inside the
        build context of an image that copies the context (`COPY .`/`ADD .`), while the
        context's `.dockerignore` does not exclude that folder.
    """,
    bad="""
        # docker-compose.yml
        services:
          app:
            build: .
          db:
            image: postgres:16
            volumes:
              - ./data/postgres:/var/lib/postgresql/data
    """,
    bad_lang="yaml",
    good="""
        # .dockerignore
        node_modules
        .git
        .env*
        data/
    """,
    good_lang="gitignore",
    fix="""
        Exclude the data folder in the context's `.dockerignore` (and `.gitignore`), or move
        the database to a named volume.
    """,
    module=__name__,
)
