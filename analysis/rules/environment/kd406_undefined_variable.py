"""KD406 undefined-variable: ${VAR} in compose has no value from .env, env_file, a default or a :? marker"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from analysis.context import Context
from analysis.facts.compose import ComposeStack, compose_stacks
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related, Severity
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
        and no required marker (`:?`/`?`). `$$` escapes are not variables. A variable that
        only sets an app service's `environment` option or build argument (not a database's
        setting, not a database URL, volume, image or command) is an optional setting left
        empty: low. Variables every shell exports (`PWD`, `HOME`, `USER`, `LOGNAME`, `PATH`,
        `SHELL`) have a value where `docker compose` runs. One finding per variable and file:
        the loudest use leads, the other lines are named.
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


_DATA_KEY = lazy_compile(
    r"DATABASE|POSTGRES|MYSQL|MARIADB|MONGO|REDIS|^PG|(^|_)DB($|_)|VOLUME|DATA_?DIR", re.I
)
"""Environment keys whose empty value reaches the data: a database's settings or its URL."""


SHELL_SET = frozenset({"PWD", "HOME", "USER", "LOGNAME", "PATH", "SHELL"})
"""Variables every login shell exports, so the shell that runs `docker compose` sets them
(typebot's `${PWD}/.typebot-build/database`). `UID` is not one: bash does not export it."""


def _key_paths(ctx: Context, path: str) -> dict[tuple[int, int], tuple[str, ...]]:
    """(line, column) of every scalar of a compose file -> its key path (`services`, `app`,
    `environment`, `KEY`); list items of `environment` give their `KEY=` as the last key."""
    from analysis.parsers.compose.files import parse_compose
    from analysis.parsers.compose.nodes import YMap, YScalar, YSeq

    out: dict[tuple[int, int], tuple[str, ...]] = {}
    parsed = ctx.parse(path, parse_compose) if ctx.source(path) is not None else None
    root = parsed.root if parsed is not None else None
    stack: list[tuple[object, tuple[str, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, keys = stack.pop()
        if isinstance(node, YMap):
            stack.extend((v, (*keys, k.text)) for k, v in node.entries)
        elif isinstance(node, YSeq):
            for item in node.items:
                extra: tuple[str, ...] = ()
                if isinstance(item, YScalar) and "=" in item.text:
                    extra = (item.text.split("=", 1)[0].strip(),)
                stack.append((item, (*keys, *extra)))
        elif isinstance(node, YScalar):
            out[(node.location.line, node.location.column)] = keys
    return out


def _optional_setting(keys: tuple[str, ...] | None, db_services: set[str], name: str) -> str | None:
    """`environment.KEY` of an app service when the variable only sets an app option there
    (its empty value reaches no volume, image, command or database), else None."""
    if keys is None or len(keys) < 4 or keys[0] != "services":
        return None
    if keys[2] == "environment":
        service, key, where = keys[1], keys[3], "environment"
    elif keys[2:4] == ("build", "args") and len(keys) >= 5:
        service, key, where = keys[1], keys[4], "build.args"
    else:
        return None
    if service in db_services or _DATA_KEY.search(key) or _DATA_KEY.search(name):
        return None
    return f"`{where}.{key}` of service {service!r}"


def check_undefined_variables(ctx: Context, stacks: Iterable[ComposeStack]) -> Iterator[Finding]:
    from analysis.facts.databases import databases

    db_services = {(d.stack, d.service) for d in ctx.fact(databases)}
    paths: dict[str, dict[tuple[int, int], tuple[str, ...]]] = {}
    found: dict[tuple[str, str], list[Finding]] = {}
    for stack in stacks:
        beside = stack.dotenv or f"{stack.project_dir + '/' if stack.project_dir else ''}.env"
        dbs_here = {s for st, s in db_services if st == stack.id}
        for ref in stack.undefined_variables:
            if ref.name in SHELL_SET:
                continue
            loc = ref.location
            column = _column_of(ctx, loc, ref.name)
            message = (
                f"${{{ref.name}}} has no value: neither {beside} nor an env_file sets it, and "
                f"it has no default (`${{{ref.name}:-...}}`) or required marker "
                f"(`${{{ref.name}:?...}}`); docker compose substitutes an empty string"
            )
            if loc.path not in paths:
                paths[loc.path] = _key_paths(ctx, loc.path)
            where = _optional_setting(
                paths[loc.path].get((loc.line, loc.column)), dbs_here, ref.name
            )
            severity = None
            if where is not None:
                severity = Severity.LOW
                message += (
                    f"; it only sets {where}, an app option that reaches no volume, image, "
                    "command or database (an optional setting left empty): reported low"
                )
            found.setdefault((loc.path, ref.name), []).append(
                _finding(
                    "KD406",
                    message,
                    Location(loc.path, loc.line, column, loc.end_line),
                    severity=severity,
                )
            )
    for (_path, name), group in found.items():
        yield _one_per_variable(name, group)


def _one_per_variable(name: str, group: list[Finding]) -> Finding:
    """One finding per variable and file (portal-eletricistas' `${STAGING_DB_NAME}` in the
    URL, POSTGRES_DB and the healthcheck): the loudest place leads, the others are related."""
    lead = max(group, key=lambda f: (f.severity, -f.location.line))
    places = sorted(
        {
            (f.location.line, f.location.column): f
            for f in group
            if (f.location.line, f.location.column) != (lead.location.line, lead.location.column)
        }.values(),
        key=lambda f: f.location.line,
    )
    if not places:
        return lead
    return replace(
        lead,
        message=f"{lead.message}; also used at line{'s' if len(places) > 1 else ''} "
        + ", ".join(str(f.location.line) for f in places),
        related=(
            *lead.related,
            *(Related(f.location, f"${{{name}}} is used here too") for f in places),
        ),
    )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_undefined_variables(ctx, ctx.fact(compose_stacks))
