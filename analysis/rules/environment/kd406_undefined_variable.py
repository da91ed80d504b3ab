"""KD406 undefined-variable: ${VAR} in compose has no value from .env, env_file, a default or a :? marker"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.model import Finding, Location, Severity
from analysis.rules.environment.common import _column_of, _finding
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


def check_undefined_variables(ctx: Context, stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    for stack in stacks:
        beside = stack.dotenv or f"{stack.project_dir + '/' if stack.project_dir else ''}.env"
        for ref in stack.undefined_variables:
            loc = ref.location
            column = _column_of(ctx, loc, ref.name)
            yield _finding(
                "KD406",
                f"${{{ref.name}}} has no value: neither {beside} nor an env_file sets it, and "
                f"it has no default (`${{{ref.name}:-...}}`) or required marker "
                f"(`${{{ref.name}:?...}}`); docker compose substitutes an empty string",
                Location(loc.path, loc.line, column, loc.end_line),
            )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_undefined_variables(ctx, ctx.fact(compose_stacks))
