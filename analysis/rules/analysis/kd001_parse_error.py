"""KD001 parse-error: A compose file, Dockerfile, script, package.json, .env or TOML file won't parse"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.model import Finding, Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD001",
    "parse-error",
    Severity.HIGH,
    area="analysis",
    section=None,
    summary="a compose file, Dockerfile, script, package.json, .env or TOML file that cannot be parsed: where and why (the schema and SQL have their own: KD505, KD612). Duplicate keys in a YAML mapping are reported here too (Compose rejects the file), and the analysis goes on with the last value",
    short="A compose file, Dockerfile, script, package.json, .env or TOML file won't parse",
    rationale="""
        keepdata can only vouch for what it can read. When a compose file or script does not
        parse, every rule that depends on it is blind: a database without a volume or a
        `db push --accept-data-loss` in that file goes unreported, so a clean result means
        nothing for it. Docker Compose itself refuses a file with a duplicate key, so the stack
        you think you run is not the one that starts: the last `environment:` block silently
        replaces the first in tools that accept it.
    """,
    trigger="""
        A compose file, Dockerfile, shell script, package.json, .env file or TOML file
        (fly.toml, railway.toml, nixpacks.toml, migration_lock.toml) that its parser rejects,
        with the parser's message and position. A YAML mapping with the same key twice is
        reported here as well; the analysis continues with the last value. Prisma schemas and
        migration SQL have their own rules (KD505, KD612).
    """,
    bad="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
            volumes:
              - pgdata:/var/lib/postgresql/data
            environment:                # second key: Compose rejects the file
              POSTGRES_DB: shop
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
              POSTGRES_DB: shop
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    good_lang="yaml",
    fix="""
        Fix the syntax error at the reported line (`docker compose config` shows Compose's own
        view of the file; `sh -n script.sh` and `jq . package.json` check the others), merge
        duplicate keys into one, then re-run keepdata so the rules see the file.
    """,
    module=__name__,
)


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    """The parsers report their own problems through the pipeline; this reports the limits
    the startup walk met (a path with more Prisma commands than it follows)."""
    return ctx.fact(startup_paths).problems
