"""KD204 migrate-dev-in-container: prisma migrate dev in the startup or deploy path (it resets on drift)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Severity
from analysis.rules.example_files import NODE_DOCKERFILE
from analysis.rules.registry import Examples, rule
from analysis.rules.startup.common import (
    STARTUP_CONTEXTS,
    _finding,
    _origin,
    _sev,
    _unique,
    _Where,
    _where,
)

RULE = rule(
    "KD204",
    "migrate-dev-in-container",
    Severity.HIGH,
    area="startup",
    section="migrations",
    checklist=(
        "schema-changes-fail-on-data-loss",
        "migration-conflicts-manual",
        "no-automatic-data-loss",
    ),
    summary="`prisma migrate dev` in the startup or deploy path (at `docker build` time it is KD305) (it resets the database when it detects drift, and writes migrations at run time)",
    short="prisma migrate dev in the startup or deploy path (it resets on drift)",
    rationale="""
        `migrate dev` is a development command. It diffs the schema against a shadow database
        it creates and drops, writes new migration files inside the container (gone with the
        container, never committed), applies them, and when it detects drift or an edited
        migration it wants to reset the database, deleting all data. Without a terminal it
        stops with an error and the app never starts; with one (`tty: true`, `docker compose
        run`) the reset is one keypress away.
    """,
    trigger="""
        `prisma migrate dev` (Prisma 8: `migration plan`) in the startup or deploy path of a
        container or platform. At `docker build` time (`RUN prisma migrate dev`) it is KD305
        instead. One level lower in a developer script that nothing in those paths runs, and
        behind an opt-in condition no file turns on.
    """,
    bad="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate dev && npm start"
            depends_on:
              - db
    """,
    bad_lang="yaml",
    good="""
        # docker-compose.yml
        services:
          api:
            build: .
            command: sh -c "npx prisma migrate deploy && exec npm start"
            depends_on:
              db:
                condition: service_healthy
    """,
    good_lang="yaml",
    fix="""
        Run `prisma migrate dev` on your machine, commit the migration folders it writes, and
        run `prisma migrate deploy` in containers and deploys.
    """,
    examples=Examples(files={"Dockerfile": NODE_DOCKERFILE}),
    module=__name__,
)


def check_migrate_dev(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    for step in _unique(facts.commands):
        if step.command != "migrate dev" or step.context not in STARTUP_CONTEXTS:
            continue
        yield _finding(
            "KD204",
            _sev("KD204"),
            f"`{step.text}` runs {_origin(facts, where, step)}: on drift it offers to reset "
            "the database (and resets it where it cannot ask), and it writes new migrations "
            "inside the container instead of applying the committed ones; use `migrate deploy`",
            step,
        )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_migrate_dev(ctx.fact(startup_paths), ctx.fact(_where))
