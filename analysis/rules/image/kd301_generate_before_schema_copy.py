"""KD301 generate-before-schema-copy: prisma generate runs before the schema is copied into the image"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD301",
    "generate-before-schema-copy",
    Severity.MEDIUM,
    area="image",
    section="dockerfile",
    checklist=("client-generation-safe",),
    summary="`prisma generate` runs before the schema is copied into the image",
    short="prisma generate runs before the schema is copied into the image",
    rationale="""
        At that point of the build the image has no `prisma/schema.prisma` (or only an old
        copy from an earlier layer), so `prisma generate` either fails or generates a client
        for a different schema than the one the app ships with. A stale client silently
        ignores new fields and writes rows without values the schema now requires, or
        throws at runtime on the first query that touches a changed model.
    """,
    trigger="""
        A Dockerfile stage with `RUN ... prisma generate` (also through a package.json script
        such as `postinstall` run by `npm ci`) before any COPY/ADD that brings the schema into
        that stage.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci && npx prisma generate
        COPY . .
        RUN npm run build
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        COPY prisma ./prisma
        RUN npm ci && npx prisma generate
        COPY . .
        RUN npm run build
    """,
    good_lang="dockerfile",
    fix="""
        COPY the `prisma/` folder (or the schema file) before the step that generates the
        client; with a `postinstall: prisma generate`, copy it before `npm ci`.
    """,
    module=__name__,
)
