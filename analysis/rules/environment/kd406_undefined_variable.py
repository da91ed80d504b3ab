"""KD406 undefined-variable: ${VAR} in compose has no value from .env, env_file, a default or a :? marker"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD406",
    "undefined-variable",
    Severity.MEDIUM,
    area="environment",
    section="environment",
    summary="`${VAR}` in compose has no value from `.env`, `env_file`, a default (`:-`), or a required marker (`:?`)",
    short="${VAR} in compose has no value from .env, env_file, a default or a :? marker",
    rationale="""
        Compose replaces an unset variable with an empty string and only warns. In a volume
        path that moves the data: `${DATA_DIR}/postgres:/var/lib/postgresql/data` becomes
        `/postgres` on the host root, a brand-new empty directory. In an image tag,
        `postgres:${PG_VERSION}` fails to pull; an empty POSTGRES_PASSWORD
        stops the postgres image from initialising, and the stack does not start.
    """,
    trigger="""
        A `${VAR}` or `$VAR` in a compose file that has no value from the `.env` next to the
        compose file, an `env_file:` or the project's platform files, no default (`:-`/`-`)
        and no required marker (`:?`/`?`). `$$` escapes are not variables.
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - ${DATA_DIR}/postgres:/var/lib/postgresql/data
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            volumes:
              - ${DATA_DIR:?set DATA_DIR in .env}/postgres:/var/lib/postgresql/data
    """,
    good_lang="yaml",
    fix="""
        Define the variable in the `.env` beside the compose file, give it a default
        (`${PG_VERSION:-16}`), or make it required (`${DATA_DIR:?message}`) so Compose stops
        instead of substituting an empty string.
    """,
    module=__name__,
)
