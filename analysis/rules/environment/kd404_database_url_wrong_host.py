"""KD404 database-url-wrong-host: A container's DATABASE_URL points at localhost or a host that is no service"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD404",
    "database-url-wrong-host",
    Severity.MEDIUM,
    area="environment",
    section="environment",
    summary="a container's DATABASE_URL points at localhost/127.0.0.1, or at a host that is no service of the compose project",
    short="A container's DATABASE_URL points at localhost or a host that is no service",
    rationale="""
        Inside a container `localhost` is the container itself. The migration at start fails
        with P1001 and the app crash-loops, or, under `network_mode: host` or with a database
        on the host, it migrates a different database than the one with the volume. A
        hostname that is no service of the project resolves nowhere (or somewhere else), and
        the same thing happens.
    """,
    trigger="""
        A container's DATABASE_URL (from compose `environment:`/`env_file:`, the Dockerfile's
        ENV or the `.env` Compose reads) whose host is `localhost`, `127.0.0.1`, `::1`, or a
        name that is no service (nor alias, nor `container_name`) of the compose project.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@localhost:5432/shop
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            environment:
              DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
          db:
            image: postgres:16
    """,
    good_lang="yaml",
    fix="""
        Use the database's service name as host (`db`), and keep a separate `.env` value with
        `localhost` for tools run on the host.
    """,
    module=__name__,
)
