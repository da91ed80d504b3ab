"""Files that several rules' example trees share (see `Rule.examples`): the realistic
pieces a snippet needs around it to fire, written over the seed application."""

from __future__ import annotations

NODE_DOCKERFILE = """\
FROM node:20-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY prisma ./prisma
RUN npx prisma generate
COPY . .
RUN npm run build
CMD ["npm", "run", "start"]
"""
"""A plain Node image: no entrypoint script, the compose `command` is the startup path."""

SCHEMA_HEAD = """\
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
"""
"""The generator and datasource of a PostgreSQL schema."""


def schema(*models: str) -> str:
    """A PostgreSQL schema with these model/enum blocks."""
    return SCHEMA_HEAD + "".join("\n" + m.strip("\n") + "\n" for m in models)
