"""KD304 secret-in-image: A Dockerfile ENV or ARG holds a database URL with a password, or a password"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD304",
    "secret-in-image",
    Severity.HIGH,
    area="image",
    section="dockerfile",
    summary="`ENV`/`ARG` holds a database URL with a password, or a password",
    short="A Dockerfile ENV or ARG holds a database URL with a password, or a password",
    rationale="""
        ENV values are stored in the image's configuration and ARG values in its build
        history, both readable with `docker inspect` and `docker history` by anyone who can
        pull the image: a registry leak, a public image by mistake, a contractor's laptop.
        Whoever has the URL can reach the database and delete from it, and the password cannot
        be rotated out of images that are already pushed.
    """,
    trigger="""
        An `ENV` or `ARG` (with a default) in a Dockerfile whose value is a database URL with
        a password (`postgresql://user:pass@...`) or that sets a password variable
        (`POSTGRES_PASSWORD`, `DB_PASSWORD`, `MYSQL_ROOT_PASSWORD`, ...) to a literal.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        ENV DATABASE_URL=postgresql://shop:Sup3rS3cret@db.internal:5432/shop
        WORKDIR /app
        COPY . .
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile (DATABASE_URL comes from the runtime environment or a secret)
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        CMD ["node", "dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Pass the URL at run time (compose `environment:`/`env_file:`, the platform's secrets),
        or use BuildKit secrets (`RUN --mount=type=secret,id=db_url`) when the build needs it;
        rotate the password that was in the image.
    """,
    module=__name__,
)
