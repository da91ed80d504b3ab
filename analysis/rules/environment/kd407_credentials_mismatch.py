"""KD407 credentials-mismatch: DATABASE_URL's user, password or database disagree with the database service"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD407",
    "credentials-mismatch",
    Severity.MEDIUM,
    area="environment",
    section="environment",
    summary="DATABASE_URL's user/password/database disagree with the database service's POSTGRES_USER/PASSWORD/DB",
    short="DATABASE_URL's user, password or database disagree with the database service",
    rationale="""
        The app cannot log in (P1000) or connects to a database that does not exist. The
        trap is what comes next: POSTGRES_PASSWORD, POSTGRES_USER and POSTGRES_DB only apply
        when the image initialises an empty volume, so changing them later has no effect, and
        the fix that "works" is `docker compose down -v`, which deletes the data.
    """,
    trigger="""
        A service's DATABASE_URL that points at a database service of the same project and
        whose user, password or database name differs from that service's POSTGRES_USER,
        POSTGRES_PASSWORD or POSTGRES_DB (MySQL and Mongo equivalents), after resolving
        variables from `.env` and defaults.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop_prod
          db:
            image: postgres:16
            environment:
              POSTGRES_USER: shop
              POSTGRES_PASSWORD: ${DB_PASSWORD}
              POSTGRES_DB: shop
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
          db:
            image: postgres:16
            environment:
              POSTGRES_USER: shop
              POSTGRES_PASSWORD: ${DB_PASSWORD}
              POSTGRES_DB: shop
    """,
    good_lang="yaml",
    fix="""
        Build DATABASE_URL from the same variables as the database service. To change
        credentials of an initialised volume, run `ALTER USER`/`CREATE DATABASE` in psql;
        never delete the volume to re-initialise it.
    """,
    module=__name__,
)
