"""KD201 db-push-accept-data-loss: prisma db push --accept-data-loss: drops columns and tables without asking"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.context import Context
from analysis.facts.startup.paths import startup_paths
from analysis.facts.startup.records import StartupFacts
from analysis.model import Finding, Severity
from analysis.rules.registry import rule
from analysis.rules.startup.common import _destructive_push, _Where, _where

RULE = rule(
    "KD201",
    "db-push-accept-data-loss",
    Severity.CRITICAL,
    area="startup",
    section="migrations",
    checklist=(
        "no-accept-data-loss",
        "schema-changes-fail-on-data-loss",
        "no-automatic-data-loss",
        "no-accept-data-loss-anywhere",
    ),
    summary="`prisma db push --accept-data-loss` (high when only in a developer script)",
    short="prisma db push --accept-data-loss: drops columns and tables without asking",
    rationale="""
        `db push` makes the database match the schema in the image, and
        `--accept-data-loss` answers yes to every warning. Rename a field, change a type, or
        deploy an image built from an older branch, and the push drops the column (or table)
        and its data, then creates the new one empty, on every container start, with no
        migration file to review and no record of what was dropped.
    """,
    trigger="""
        `prisma db push --accept-data-loss` (or Prisma 8's `db update --delete ...`/
        `--confirm`), also through npx, pnpm exec, bunx, a package.json script or a program's
        `execSync`. Critical in the startup, deploy or build path; high when only in a
        developer script; one level lower behind an opt-in condition no file turns on.
    """,
    bad="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma db push --accept-data-loss
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # docker-entrypoint.sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Create migrations with `prisma migrate dev` on a development database, commit them,
        and run `prisma migrate deploy` at start. If a change really drops data, write it as a
        reviewed migration (and back up first). Keep `db push` for prototyping against a
        throwaway database.
    """,
    module=__name__,
)


def check_accept_data_loss(facts: StartupFacts, where: _Where) -> Iterator[Finding]:
    return _destructive_push(
        facts,
        where,
        "KD201",
        lambda inv: inv.accept_data_loss,
        "it drops every column and table whose data does not fit the schema, without asking",
        prisma8_note=" (Prisma 8's `db update --delete`/`--confirm`)",
    )


@RULE.check
def check(ctx: Context) -> Iterable[Finding]:
    return check_accept_data_loss(ctx.fact(startup_paths), ctx.fact(_where))
