"""KD113 sqlite-file-not-persisted: The SQLite database file of a container is on no volume"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD113",
    "sqlite-file-not-persisted",
    Severity.CRITICAL,
    area="persistence",
    section="persistence",
    checklist=("db-volume-persists",),
    summary="a SQLite `file:` database URL of a container points at a path that no volume or bind mount covers (resolve relative paths against the schema's folder and the container's working directory; the URL may come from compose, the Dockerfile's `ENV`, `.env*` or `prisma.config.ts`). An image with no compose file and no `VOLUME` over that path keeps the file in the container's writable layer, lost on every redeploy",
    short="The SQLite database file of a container is on no volume",
    rationale="""
        A SQLite database is just a file. When `file:./dev.db` resolves to a path inside the
        container that no volume covers, the file lives in the container's writable layer:
        every redeploy, `docker compose up --build`, or platform restart replaces the
        container and the database starts empty (then `migrate deploy` re-creates the tables
        and nothing looks wrong). Relative paths are resolved against the schema's folder, so
        `file:./dev.db` with the schema in `prisma/` is `/app/prisma/dev.db`.
    """,
    trigger="""
        A `file:` DATABASE_URL (from compose, the Dockerfile's ENV, `.env*` or
        prisma.config.ts) whose resolved container path (relative to the schema's folder and
        the container's working directory) no volume or bind mount covers. An image with no
        compose file and no `VOLUME` over that path is reported too: it keeps the file in the
        writable layer.
    """,
    bad="""
        # docker-compose.yml
        services:
          app:
            build: .
            environment:
              DATABASE_URL: file:./dev.db
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          app:
            build: .
            environment:
              DATABASE_URL: file:/data/app.db
            volumes:
              - sqlite-data:/data
        volumes:
          sqlite-data:
    """,
    good_lang="yaml",
    fix="""
        Put the database file in a folder of its own, mount a named volume there, and use an
        absolute `file:` URL so the location does not depend on where the schema lives.
    """,
    module=__name__,
)
