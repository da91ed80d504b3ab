"""KD202 db-push-force-reset: prisma db push --force-reset: drops the whole database on every run"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

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
