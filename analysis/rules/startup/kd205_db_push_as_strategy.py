"""KD205 db-push-as-strategy: The startup path relies on prisma db push: the schema has no migration history"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD205",
    "db-push-as-strategy",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    checklist=("first-run-db-push", "schema-changes-need-migrations"),
    summary="the startup path relies on `prisma db push` (no migration history; production schema is whatever the image holds)",
    short="The startup path relies on prisma db push: the schema has no migration history",
    rationale="""
        With `db push` as the deploy strategy, production's schema is whatever the image
        holds: there is no migration file to review, no record of what ran, and no way to
        express a rename, so Prisma sees drop + add. Plain `db push` stops at changes that
        lose data, and the deploy fails; the usual next step is adding
        `--accept-data-loss` to get it through, which drops the column.
    """,
    trigger="""
        `prisma db push` without `--accept-data-loss`/`--force-reset` (Prisma 8: `db update`)
        in the startup or deploy path, as the way the schema reaches the database. The
        fallback pattern (`migrate deploy` else `db push`) is KD206 instead.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma db push && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci && npx prisma generate && npm run build
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Baseline the current schema into a first migration (`prisma migrate diff
        --from-empty --to-schema-datamodel prisma/schema.prisma --script >
        prisma/migrations/0_init/migration.sql`, then `prisma migrate resolve --applied
        0_init` once against production) and switch the start command to
        `prisma migrate deploy`.
    """,
    module=__name__,
)
