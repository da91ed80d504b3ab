"""KD401 hardcoded-db-password: A literal database password in compose (POSTGRES_PASSWORD or inside a URL)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.model import Finding, Severity
from analysis.rules.environment.common import (
    _default_used,
    _finding,
    _url_password_literal,
    is_password_key,
    is_url_key,
)
from analysis.rules.registry import rule
from analysis.secrets import mask_url

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
        literal, or a database URL with a literal password, rather than `${VAR}`. A switch
        value (`MYSQL_ALLOW_EMPTY_PASSWORD: "yes"`, `0`/`1`, `true`/`false`) is not a password.
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


SWITCH_VALUES = frozenset({"yes", "no", "true", "false", "on", "off", "0", "1"})
"""Values of switches whose names mention a password (`MYSQL_ALLOW_EMPTY_PASSWORD`,
`MYSQL_RANDOM_ROOT_PASSWORD`): they say how the password is chosen, they are not one."""


def check_hardcoded_passwords(stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    for stack in stacks:
        env = {v.name: v.value or "" for v in stack.dotenv_vars if v.value is not None}
        for service in stack.services:
            for var in service.environment:
                raw = var.raw
                if raw is None or not raw.strip():
                    continue
                if is_password_key(var.name):
                    if raw.strip().strip("'\"").lower() in SWITCH_VALUES:
                        continue  # `MYSQL_ALLOW_EMPTY_PASSWORD: "yes"`: a switch, not a password
                    if "$" not in raw.replace("$$", ""):
                        yield _finding(
                            "KD401",
                            f"service {service.name!r}: {var.name} is written into the compose "
                            "file as a literal; anyone who can read the repository has the "
                            f"database password; use `{var.name}: ${{{var.name}:?}}` and keep "
                            "the value in an ignored .env or a secret",
                            var.location,
                        )
                    elif _default_used(raw, env):
                        yield _finding(
                            "KD401",
                            f"service {service.name!r}: {var.name} falls back to a literal "
                            "default written in the compose file (no .env sets the variable), "
                            "so the password is in the repository; use a required marker "
                            f"(`${{{var.name}:?}}`) instead of a default",
                            var.location,
                        )
                elif is_url_key(var.name) and _url_password_literal(raw):
                    yield _finding(
                        "KD401",
                        f"service {service.name!r}: {var.name} carries a literal password "
                        f"({mask_url(raw)}); build the URL from variables "
                        "(`postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/...`)",
                        var.location,
                    )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_hardcoded_passwords(ctx.fact(compose_stacks))
