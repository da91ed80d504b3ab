"""KD407 credentials-mismatch: DATABASE_URL's user, password or database disagree with the database service"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.facts.databases import Database, databases
from analysis.model import Finding, Related, Severity
from analysis.parsers.compose.records import Service
from analysis.parsers.interpolate import interpolate
from analysis.rules.environment.common import Credentials, _finding, _url_vars, db_credentials
from analysis.rules.registry import Examples, rule
from analysis.secrets import mask_url

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
    examples=Examples(files={".env": "DB_PASSWORD=k8Jd93nQz1LxP0\n"}),
    module=__name__,
)


def check_credentials(
    stacks: Iterable[ComposeStack], dbs: tuple[Database, ...]
) -> Iterator[Finding]:
    for stack in stacks:
        mine = [d for d in dbs if d.stack == stack.id]
        if not mine:
            continue
        by_host: dict[str, tuple[Database, Service]] = {}
        for db in mine:
            svc = stack.service(db.service)
            if svc is None:
                continue
            by_host[svc.name.lower()] = (db, svc)
            for t in (svc.container_name, svc.hostname):
                if t is not None and t.value:
                    by_host[t.value.lower()] = (db, svc)
            for a in svc.aliases:
                by_host[a.lower()] = (db, svc)
        db_services = {d.service for d in mine}
        credentials: dict[tuple[int, int], Credentials | None] = {}  # per database, not per URL
        dotenv: dict[str, str] | None = None
        for service in stack.services:
            if service.name in db_services:
                continue
            for var, url in _url_vars(service):
                target = next((by_host[h.lower()] for h in url.hosts if h.lower() in by_host), None)
                if target is None:
                    continue
                db, db_service = target
                if db.engine == "postgres" and not url.scheme.startswith(("postgres", "prisma")):
                    continue
                if db.engine in ("mysql", "mariadb") and url.scheme not in ("mysql", "mariadb"):
                    continue
                key = (id(db), id(db_service))
                if key not in credentials:
                    credentials[key] = db_credentials(db, db_service, stack)
                creds = credentials[key]
                if creds is None:
                    continue
                if var.raw is not None and var.source == "environment":
                    if dotenv is None:
                        dotenv = {v.name: v.value or "" for v in stack.dotenv_vars}
                    res = interpolate(var.raw, dotenv)
                    if res.undefined or res.errors:
                        continue
                problems: list[str] = []
                related: list[Related] = []
                root_user = db.engine in ("mysql", "mariadb") and url.user == "root"
                # Init scripts (or a custom image) can create more roles and databases: then
                # only the password of the image's own user can be checked.
                extra_roles = db.dockerfile is not None or any(
                    m.target.startswith("/docker-entrypoint-initdb.d") for m in db_service.mounts
                )
                if extra_roles and (url.user != creds.user or root_user):
                    continue
                if url.user and creds.user and url.user != creds.user and not root_user:
                    problems.append(f"user {url.user!r} is not {creds.user!r}")
                    if creds.user_var is not None:
                        related.append(Related(creds.user_var.location, "the database user"))
                if (
                    url.password is not None
                    and creds.password
                    and url.password != creds.password
                    and not root_user
                ):
                    problems.append("the password differs")
                    if creds.password_var is not None:
                        related.append(
                            Related(creds.password_var.location, "the database password")
                        )
                if (
                    url.database
                    and creds.database
                    and url.database != creds.database
                    and not extra_roles
                ):
                    problems.append(f"database {url.database!r} is not {creds.database!r}")
                    if creds.database_var is not None:
                        related.append(Related(creds.database_var.location, "the database name"))
                if not problems:
                    continue
                yield _finding(
                    "KD407",
                    f"service {service.name!r}: {var.name} ({mask_url(var.value or '')}) does "
                    f"not match database service {db.service!r}: {'; '.join(problems)}; the "
                    "app cannot connect (or connects to a database nobody migrates)",
                    var.location,
                    related,
                )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_credentials(ctx.fact(compose_stacks), ctx.fact(databases))
