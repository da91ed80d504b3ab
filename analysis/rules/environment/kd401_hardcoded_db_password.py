"""KD401 hardcoded-db-password: A literal database password in compose (POSTGRES_PASSWORD or inside a URL)"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD401",
    "hardcoded-db-password",
    Severity.MEDIUM,
    area="environment",
    section="environment",
    summary="a literal database password in compose (`POSTGRES_PASSWORD: secret`, or in a URL)",
    short="A literal database password in compose (POSTGRES_PASSWORD or inside a URL)",
    rationale="""
        A password written into docker-compose.yml is in git history forever and in every
        fork and clone. Whoever reads the repository can connect to any database that reuses
        it, which tends to include staging and, through copy-paste, production.
    """,
    trigger="""
        A compose `environment:` value for a database password variable (POSTGRES_PASSWORD,
        MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD, MONGO_INITDB_ROOT_PASSWORD, ...) that is a
        literal, or a database URL with a literal password, rather than `${VAR}`.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: hunter2-prod
          api:
            environment:
              DATABASE_URL: postgresql://postgres:hunter2-prod@db:5432/shop
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set in .env}
          api:
            environment:
              DATABASE_URL: postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/shop
    """,
    good_lang="yaml",
    fix="""
        Reference a variable (`${POSTGRES_PASSWORD:?}`) set in an ignored `.env`, or use
        Compose secrets with `POSTGRES_PASSWORD_FILE`. Rotate a password that was committed.
    """,
    module=__name__,
)
