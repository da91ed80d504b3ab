"""KD206 db-push-fallback: migrate deploy falls back to db push when no migrations are found"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD206",
    "db-push-fallback",
    Severity.LOW,
    area="startup",
    section="migrations",
    checklist=("first-run-db-push",),
    summary="`migrate deploy` with a fallback to `db push` when no migrations exist (the seed's pattern): name the condition and the line",
    short="migrate deploy falls back to db push when no migrations are found",
    rationale="""
        The fallback looks defensive, but it makes the strategy depend on whether the
        migrations folder made it into the image. The day a `.dockerignore` or a narrower
        `COPY` drops it, the container silently switches to `db push`: the schema is created
        without history, and the next image that does contain migrations fails `migrate
        deploy` with P3005 ("the database schema is not empty") until someone baselines it by
        hand or resets the database.
    """,
    trigger="""
        A startup script that runs `prisma migrate deploy` when migrations exist and
        `prisma db push` otherwise (a test of the migrations folder, `ls`, `find`, or `||`
        after deploy), reported at the `db push` line with the condition named.
    """,
    bad="""
        #!/bin/sh
        # wait-for-db.sh
        set -e
        if [ -d prisma/migrations ] && [ "$(ls -A prisma/migrations)" ]; then
          npx prisma migrate deploy
        else
          npx prisma db push
        fi
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # wait-for-db.sh
        set -e
        if [ ! -d prisma/migrations ]; then
          echo "prisma/migrations is missing from the image" >&2
          exit 1
        fi
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Make migrations mandatory: run `migrate deploy` unconditionally and fail loudly when
        the folder is missing, so a broken image never reaches the database.
    """,
    module=__name__,
)
