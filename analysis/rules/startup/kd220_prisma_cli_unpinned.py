"""KD220 prisma-cli-unpinned: The startup path runs a Prisma CLI whose version is not the project's"""

from __future__ import annotations

from analysis.model import Severity
from analysis.rules.registry import rule

RULE = rule(
    "KD220",
    "prisma-cli-unpinned",
    Severity.MEDIUM,
    area="startup",
    section="migrations",
    summary="the startup path runs a Prisma CLI whose version is not the project's: `npx prisma@latest`, `npm i -g prisma`, a major other than `package.json`'s, or `npx prisma ...` in a final image whose `node_modules` lacks the CLI (`prisma` is a devDependency and the image installs with `--omit=dev`/`--production`, or copies no `node_modules`), so npx downloads whatever the registry serves that day",
    short="The startup path runs a Prisma CLI whose version is not the project's",
    rationale="""
        `npx prisma@latest` or a global `npm i -g prisma` uses whatever the registry serves
        that day. So does plain `npx prisma` in an image whose `node_modules` lacks the CLI
        (a devDependency dropped by `npm ci --omit=dev`). A new major reads the schema
        differently: Prisma 7 rejects `url` in the datasource (P1012), Prisma 8 renamed the
        commands, and a migration engine other than the one that wrote the migrations decides
        what drift means. The start fails, or applies with different rules, and needs the
        network to do it.
    """,
    trigger="""
        In the startup path: `npx prisma@latest`/`@<other major>`, `npm i -g prisma`/`npm
        install --global prisma`, a Prisma major other than package.json's, or `npx prisma`
        in a final image whose `node_modules` lacks the CLI (prisma is a devDependency and the
        image installs with `--omit=dev`/`--production`, or copies no node_modules).
    """,
    bad="""
        # Dockerfile
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .
        CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
    """,
    bad_lang="dockerfile",
    good="""
        # Dockerfile (package.json has "prisma": "6.4.1" in dependencies)
        FROM node:20-slim
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .
        CMD ["sh", "-c", "./node_modules/.bin/prisma migrate deploy && exec node dist/server.js"]
    """,
    good_lang="dockerfile",
    fix="""
        Pin the CLI in package.json and make it part of the production install (move
        `prisma` to `dependencies`, or install it in the migration stage), and call it
        through `node_modules/.bin` or `npx --no-install prisma`.
    """,
    module=__name__,
)
