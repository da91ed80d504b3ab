"""KD302 no-prisma-generate: The image never runs prisma generate (nor does its startup path)"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD302",
    "no-prisma-generate",
    Severity.MEDIUM,
    area="image",
    section="dockerfile",
    checklist=("client-generation-safe",),
    summary="the image never runs `prisma generate` (nor does the startup path)",
    short="The image never runs prisma generate (nor does its startup path)",
    rationale="""
        The Prisma client is generated code. An image that never runs `prisma generate`
        either fails on the first query ("@prisma/client did not initialize yet") or ships a
        client generated on a developer's machine, for that machine's schema and platform,
        copied in with `node_modules`. Either way what the app writes is not what the schema
        and migrations describe.
    """,
    trigger="""
        An image of a project that uses Prisma whose Dockerfile stages run no `prisma
        generate` (directly, through `npm ci` running a `postinstall` that generates, or
        through a build script that does), and whose startup path does not generate either.
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci --ignore-scripts && npm run build
        CMD ["node", "dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY . .
        RUN npm ci --ignore-scripts && npx prisma generate && npm run build
        CMD ["node", "dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Run `prisma generate` in the build after the schema is copied (and before the app's
        build), and do not copy a host `node_modules` into the image.
    """,
    module=__name__,
)
