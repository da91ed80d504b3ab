"""KD208 migrate-deploy-without-migrations: migrate deploy runs, but the image holds no migrations"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD208",
    "migrate-deploy-without-migrations",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="`migrate deploy` runs but the image holds no migrations (no folder, empty, or hidden by `.dockerignore`/not copied): see KD303; when `.gitignore` is the reason, KD308 reports it instead",
    short="migrate deploy runs, but the image holds no migrations",
    rationale="""
        `migrate deploy` with an empty or missing migrations folder prints "No migration
        found" and exits 0. The deploy goes green, the app starts against a database without
        the new tables, and the first request that needs them fails; on a fresh environment
        the database stays empty and someone "fixes" it with `db push`.
    """,
    trigger="""
        `migrate deploy` in the startup path of an image whose final stage has no migrations:
        no folder in the project, an empty folder, `.dockerignore` excluding it, or no COPY
        bringing it into the final stage (see KD303 for the Dockerfile side). When
        `.gitignore` is the reason, KD308 reports it instead.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY prisma/schema.prisma ./prisma/
        COPY dist ./dist
        CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci
        COPY prisma ./prisma
        COPY dist ./dist
        CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Copy the whole `prisma/` folder (schema and migrations) into the stage that runs
        `migrate deploy`, and make sure `.dockerignore` does not exclude it.
    """,
    module=__name__,
)
