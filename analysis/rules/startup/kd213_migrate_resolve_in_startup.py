"""KD213 migrate-resolve-in-startup: prisma migrate resolve --applied/--rolled-back in the startup path"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD213",
    "migrate-resolve-in-startup",
    Severity.HIGH,
    area="startup",
    section="migrations",
    checklist=("migration-conflicts-manual",),
    summary="`prisma migrate resolve --applied/--rolled-back` in the startup path",
    short="prisma migrate resolve --applied/--rolled-back in the startup path",
    rationale="""
        `migrate resolve` rewrites Prisma's migration history without touching the schema.
        `--applied` marks a migration as done even though its SQL never ran (or ran half-way),
        so every later migration builds on tables and columns that are not there.
        `--rolled-back` marks it for another attempt on a schema it already partly changed.
        It is a manual repair for one known incident, not something to run on every start.
    """,
    trigger="""
        `prisma migrate resolve --applied <name>` or `--rolled-back <name>` in the startup or
        deploy path. One level lower in a developer script that nothing in those paths runs,
        and behind an opt-in condition no file turns on.
    """,
    bad="""
        #!/bin/sh
        # entrypoint.sh
        set -e
        npx prisma migrate resolve --applied 20240612093000_add_invoices || true
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    bad_lang="sh",
    good="""
        #!/bin/sh
        # entrypoint.sh
        set -e
        npx prisma migrate deploy
        exec node dist/server.js
    """,
    good_lang="sh",
    fix="""
        Remove the command from the startup path. When a migration fails in production, look
        at what it changed, repair the schema by hand, then run `migrate resolve` once,
        deliberately, from a shell.
    """,
    module=__name__,
)
