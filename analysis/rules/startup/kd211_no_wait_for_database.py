"""KD211 no-wait-for-database: Migrations run at start, but nothing waits for the database to be ready"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import RunContext, StartupFacts, StartupPath
from analysis.model import Finding, Location, Related, Severity
from analysis.parsers.prisma_cli import CHANGES_SCHEMA
from analysis.rules.example_files import NODE_DOCKERFILE
from analysis.rules.registry import Examples, rule
from analysis.rules.startup.common import (
    _active,
    _compose_link,
    _configurations,
    _database_stacks,
    _databases,
    _profiles_of,
    _service,
    _service_profiles,
    _sev,
    _Where,
    _where,
    inferred_related,
)

RULE = rule(
    "KD211",
    "no-wait-for-database",
    Severity.MEDIUM,
    area="startup",
    section="wait-script",
    checklist=("error-handling",),
    summary="migrations run at start, but nothing waits for the database: no wait loop, no `depends_on: condition: service_healthy`",
    short="Migrations run at start, but nothing waits for the database to be ready",
    rationale="""
        `depends_on` without a condition only waits for the database container to start, not
        for the server to accept connections. The migration races the database's
        initialisation and fails with P1001 ("Can't reach database server"); with a restart
        policy it loops, and in scripts with a `db push` fallback or `|| true` the app starts
        on a schema that was never migrated.
    """,
    trigger="""
        A service whose startup path applies migrations (or pushes the schema) and that has
        neither a wait loop before the migration nor `depends_on: <db>: condition:
        service_healthy` on a database with a healthcheck. An app that migrates from its
        own code (`@prisma/migrate`/`@prisma/internals` in its dependencies) counts as
        applying migrations at start.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            depends_on:
              - db
          db:
            image: postgres:16
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec node dist/server.js"
            depends_on:
              db:
                condition: service_healthy
          db:
            image: postgres:16
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U postgres"]
              interval: 2s
              retries: 30
    """,
    good_lang="yaml",
    fix="""
        Give the database a healthcheck and depend on it with `condition: service_healthy`,
        or add a bounded wait loop before the migration.
    """,
    examples=Examples(files={"Dockerfile": NODE_DOCKERFILE}),
    module=__name__,
)


def check_no_wait(ctx: Context, facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    db_stacks = _database_stacks(ctx)
    dbs = {(d.stack, d.service) for d in _databases(ctx)}
    seen: set[Location] = set()
    for path in facts.paths:
        if path.kind != "compose" or path.stack not in db_stacks:
            continue
        migrating = [
            s
            for s in path.commands
            if s.context == RunContext.STARTUP and s.command in CHANGES_SCHEMA
        ]
        code = path.code_migration
        if (not migrating and code is None) or path.waits:
            continue
        if path.database is not None and path.database.sqlite:
            continue  # a SQLite file: no server to wait for
        if migrating:
            what, where_ = f"`{migrating[0].text}`", migrating[0].location
        else:
            assert code is not None
            what, where_ = f"its migrations from code ({code.package})", code.location
        when = _when_with_database(ctx, path)
        if when is None:
            continue  # no configuration starts it together with a database of its stack
        service = _service(ctx, path)
        anchor = _compose_link(path) or (service.location if service is not None else None)
        anchor = anchor or where_
        if anchor in seen:
            continue
        seen.add(anchor)
        related = [Related(where_, f"{what} runs here" if migrating else f"{what}: the dependency")]
        deps = [
            d
            for d in (service.depends_on if service is not None else ())
            if (path.stack, d.service) in dbs
        ]
        related += [Related(d.location, f"depends_on {d.service}: {d.condition}") for d in deps]
        related += inferred_related(path.links, path.dockerfile)
        yield Finding(
            "KD211",
            _sev("KD211"),
            f"{path.name} runs {what} when it starts{when}, but nothing waits for the database: "
            "no retry loop or wait tool on the way, no `depends_on: condition: service_healthy`; "
            "on a cold start the migration fails (or the container restarts in a loop)",
            anchor,
            tuple(related),
        )


def _when_with_database(ctx: Context, path: StartupPath) -> str | None:
    """The configurations (compose profiles) that start the service of `path` together with a
    database of its stack: "" when the default one does, " (with --profile P)" when only
    profiles do, None when none does (the service then uses a database outside the stack)."""
    assert path.stack is not None
    mine = _profiles_of(ctx, path)
    theirs = [
        _service_profiles(ctx, path.stack, d.service)
        for d in _databases(ctx)
        if d.stack == path.stack and d.service != path.service
    ]
    hits = [
        profile
        for profile in _configurations(mine, *theirs)
        if _active(mine, profile) and any(_active(t, profile) for t in theirs)
    ]
    if not hits:
        return None
    if hits[0] is None:
        return ""
    return " (with " + " or ".join(f"--profile {p}" for p in hits if p is not None) + ")"


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_no_wait(ctx, ctx.fact(startup_paths), ctx.fact(_where))
