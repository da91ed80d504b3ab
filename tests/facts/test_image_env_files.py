"""The `.env` files Prisma's CLI would load inside an image: only files the checkout has.

A template (`.env.example`) names a `.env` that somebody creates on their machine; the image
would copy it if it existed. keepdata must not try to read it and report it unreadable (a
medium KD002 seen on plunk, postiz and mirlo of the real-world corpus)."""

from __future__ import annotations

from pathlib import Path

from analysis.pipeline import run

DOCKERFILE = """FROM node:20-alpine
WORKDIR /app
COPY . .
RUN npm ci && npx prisma generate
CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]
"""
SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"""
URL = 'DATABASE_URL="postgresql://app:app@localhost:5432/app"\n'


def _project(root: Path, *, dotenv: bool) -> Path:
    (root / "prisma").mkdir()
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "prisma" / "schema.prisma").write_text(SCHEMA)
    (root / ".env.example").write_text(URL)
    (root / "package.json").write_text(
        '{"name": "app", "scripts": {"start": "node dist/server.js"},'
        ' "devDependencies": {"prisma": "5.10.0"}}\n'
    )
    if dotenv:
        (root / ".env").write_text(URL)
    return root


def test_a_dotenv_only_named_by_a_template_is_not_reported_unreadable(tmp_path: Path) -> None:
    result = run(_project(tmp_path, dotenv=False))
    assert [f for f in result.findings if f.rule == "KD002"] == []


def test_a_dotenv_the_checkout_has_is_read_without_a_finding(tmp_path: Path) -> None:
    result = run(_project(tmp_path, dotenv=True))
    assert [f for f in result.findings if f.rule == "KD002"] == []
    assert ".env" in {f.path for f in result.files}
