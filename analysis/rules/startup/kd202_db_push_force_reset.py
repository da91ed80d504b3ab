"""KD202 db-push-force-reset: prisma db push --force-reset: drops the whole database on every run"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import _destructive_push, _Where, _where

RULE = rule(
    "KD202",
    "db-push-force-reset",
    Severity.CRITICAL,
    area="startup",
    section="migrations",
    checklist=(
        "schema-changes-fail-on-data-loss",
        "no-automatic-data-loss",
        "no-accept-data-loss-anywhere",
    ),
    summary="`prisma db push --force-reset`",
    short="prisma db push --force-reset: drops the whole database on every run",
    rationale="""
        `--force-reset` resets the database before pushing: every table, every row, every
        time the command runs. In a startup path that means every container restart, every
        deploy and every crash loop empties production.
    """,
    trigger="""
        `prisma db push --force-reset` anywhere keepdata follows (startup, deploy, build or
        developer scripts, package.json scripts, programs that exec it). Critical wherever it
        runs at start, deploy or build; one level lower in a developer script or behind an
        opt-in condition no file turns on.
    """,
    bad="""
        {
          "name": "api",
          "scripts": {
            "start": "prisma db push --force-reset && node dist/server.js"
          }
        }
    """,
    bad_lang="json",
    good="""
        {
          "name": "api",
          "scripts": {
            "start": "prisma migrate deploy && node dist/server.js",
            "db:deploy": "prisma migrate deploy"
          }
        }
    """,
    good_lang="json",
    fix="""
        Remove `--force-reset` from anything that runs outside a developer's machine. Apply
        schema changes with `prisma migrate deploy`; to reset a local database, run
        `prisma migrate reset` by hand, in a terminal, against a database you can lose.
    """,
    module=__name__,
)


def check_force_reset(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    return _destructive_push(
        facts,
        where,
        "KD202",
        lambda inv: inv.force_reset,
        "it drops the whole database and recreates it from the schema, every time",
    )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_force_reset(ctx.fact(startup_paths), ctx.fact(_where))
