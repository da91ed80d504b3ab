"""KD701-KD703: the schema against the replayed migrations, and the migrations' order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.facts.drift import pending_changes
from analysis.model import Severity
from tests.conftest import REPO

SYNCED = REPO / "tests" / "fixtures" / "migrations" / "pg_synced"
SCHEMA = "prisma/schema.prisma"


def copy(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(SYNCED, root)
    return root


def edit(root: Path, old: str, new: str) -> None:
    p = root / SCHEMA
    text = p.read_text()
    assert old in text, old
    p.write_text(text.replace(old, new, 1))


def kd7(root: Path) -> list[tuple[str, Severity, str, int]]:
    a = analyze(root)
    mine = [e for e in a.errors if e.area in ("migrations", "drift")]
    assert not mine, mine
    return [
        (f.rule, f.severity, f.location.path, f.location.line)
        for f in a.findings
        if f.rule.startswith("KD7")
    ]


def schema_line(root: Path, needle: str) -> int:
    for i, line in enumerate((root / SCHEMA).read_text().split("\n"), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_synced_project_has_no_drift(tmp_path: Path) -> None:
    root = copy(tmp_path)
    assert kd7(root) == []
    a = analyze(root)
    (pc,) = a.fact(pending_changes)
    assert pc.changes == () and pc.migrations == "prisma/migrations"


def test_removing_a_field_is_kd702_in_the_same_analysis(tmp_path: Path) -> None:
    root = copy(tmp_path)
    assert kd7(root) == []
    edit(root, "  body      String?\n", "")
    found = kd7(root)
    assert found == [("KD702", Severity.HIGH, SCHEMA, schema_line(root, "model Post {"))]
    a = analyze(root)
    (f,) = [f for f in a.findings if f.rule == "KD702"]
    assert '"body"' in f.message and "Post" in f.message
    assert f.related[0].location.path.endswith("20240101000000_init/migration.sql")
    assert f.related[0].location.line == 28


def test_removing_a_model_drops_its_table(tmp_path: Path) -> None:
    root = copy(tmp_path)
    text = (root / SCHEMA).read_text()
    start = text.index("model Profile {")
    end = text.index("}\n", start) + 2
    text = text[:start] + text[end:]
    text = text.replace("  profile   Profile?\n", "")
    (root / SCHEMA).write_text(text)
    found = kd7(root)
    assert found == [
        ("KD702", Severity.HIGH, "prisma/migrations/20240101000000_init/migration.sql", 16)
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "kind"),
    [
        (
            "  name      String?  @db.VarChar(100)",
            "  name      String   @db.VarChar(100)",
            "name      String",
            "make required",
        ),
        (
            "  views     BigInt   @default(0)",
            "  views     Int      @default(0)",
            "views     Int",
            "change type",
        ),
        (
            "  name      String?  @db.VarChar(100)",
            "  name      String?  @db.VarChar(50)",
            "name      String?",
            "change type",
        ),
        ("  USER\n  ADMIN\n", "  USER\n", "enum Role {", "remove enum value"),
        (
            "  title     String\n",
            "  title     String   @unique\n",
            "title     String",
            "add unique",
        ),
    ],
)
def test_destructive_pending_changes(
    tmp_path: Path, old: str, new: str, needle: str, kind: str
) -> None:
    root = copy(tmp_path)
    edit(root, old, new)
    assert kd7(root) == [("KD702", Severity.HIGH, SCHEMA, schema_line(root, needle))]
    (pc,) = analyze(root).fact(pending_changes)
    assert [c.kind for c in pc.changes] == [kind]


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "  published Boolean  @default(false)\n",
            "  published Boolean  @default(false)\n  slug      String?\n",
            "slug      String?",
        ),
        ("  ADMIN\n", "  ADMIN\n  GUEST\n", "GUEST"),
        (
            "  @@index([authorId])\n",
            "  @@index([authorId])\n  @@index([title])\n",
            "@@index([title])",
        ),
        (
            '  @@map("users")\n}\n',
            '  @@map("users")\n}\n\nmodel Audit {\n  id Int @id\n}\n',
            "model Audit {",
        ),
    ],
)
def test_additions_are_kd701(tmp_path: Path, old: str, new: str, needle: str) -> None:
    root = copy(tmp_path)
    edit(root, old, new)
    assert kd7(root) == [("KD701", Severity.MEDIUM, SCHEMA, schema_line(root, needle))]


def test_map_and_native_types_are_honoured(tmp_path: Path) -> None:
    root = copy(tmp_path)
    # A column rename through @map: the field keeps its name, the column changes.
    edit(root, '@map("created_at")', '@map("createdAt")')
    kinds = sorted(c.kind for c in analyze(root).fact(pending_changes)[0].changes)
    assert kinds == ["add column", "drop column"]


def test_mysql_types(write_tree) -> None:
    schema = """datasource db {
  provider = "mysql"
  url      = env("DATABASE_URL")
}

enum Status {
  ACTIVE
  SUSPENDED
}

model Customer {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  status    Status   @default(ACTIVE)
  total     Decimal
  createdAt DateTime @default(now())
}
"""
    sql = """-- CreateTable
CREATE TABLE `Customer` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `email` VARCHAR(191) NOT NULL,
    `status` ENUM('ACTIVE', 'SUSPENDED', 'CLOSED') NOT NULL DEFAULT 'ACTIVE',
    `total` DECIMAL(65, 30) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `Customer_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
"""
    root = write_tree(
        {
            "prisma/schema.prisma": schema,
            "prisma/migrations/migration_lock.toml": 'provider = "mysql"\n',
            "prisma/migrations/20240101000000_init/migration.sql": sql,
        }
    )
    assert kd7(root) == [("KD702", Severity.HIGH, SCHEMA, 14)]


def test_sqlite_types(write_tree) -> None:
    schema = """datasource db {
  provider = "sqlite"
  url      = "file:./dev.db"
}

model Note {
  id        Int      @id @default(autoincrement())
  title     String
  done      Boolean  @default(false)
  score     Float?
  createdAt DateTime @default(now())
}
"""
    sql = """-- CreateTable
CREATE TABLE "Note" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "score" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""
    root = write_tree(
        {
            "prisma/schema.prisma": schema,
            "prisma/migrations/migration_lock.toml": 'provider = "sqlite"\n',
            "prisma/migrations/20240101000000_init/migration.sql": sql,
        }
    )
    assert kd7(root) == []


# -- KD703 -------------------------------------------------------------------------------------
LOCK = 'provider = "postgresql"\n'


def test_kd703_duplicate_timestamp_and_missing_timestamp(write_tree) -> None:
    root = write_tree(
        {
            "prisma/migrations/migration_lock.toml": LOCK,
            "prisma/migrations/20240101000000_a/migration.sql": 'CREATE TABLE "A" ("id" INT);\n',
            "prisma/migrations/20240101000000_b/migration.sql": 'CREATE TABLE "B" ("id" INT);\n',
            "prisma/migrations/init/migration.sql": 'CREATE TABLE "C" ("id" INT);\n',
        }
    )
    # a shared timestamp is a fixed (name) order; with no dependency between the two (the
    # replay finds none) it is low; a folder without a timestamp stays medium
    assert kd7(root) == [
        ("KD703", Severity.LOW, "prisma/migrations/20240101000000_b/migration.sql", 1),
        ("KD703", Severity.MEDIUM, "prisma/migrations/init/migration.sql", 1),
    ]


def test_kd703_shared_timestamp_with_a_dependency_is_medium(write_tree) -> None:
    # `_a` uses "B", which `_b` (same timestamp, later name) creates: the replay reports it
    root = write_tree(
        {
            "prisma/migrations/migration_lock.toml": LOCK,
            "prisma/migrations/20240101000000_a/migration.sql": 'ALTER TABLE "B" ADD COLUMN "x" INT;\n',
            "prisma/migrations/20240101000000_b/migration.sql": 'CREATE TABLE "B" ("id" INT);\n',
        }
    )
    found = kd7(root)
    assert (
        "KD703",
        Severity.MEDIUM,
        "prisma/migrations/20240101000000_a/migration.sql",
        1,
    ) in found


def test_kd703_table_used_before_created(write_tree) -> None:
    root = write_tree(
        {
            "prisma/migrations/migration_lock.toml": LOCK,
            "prisma/migrations/20240101000000_a/migration.sql": 'CREATE TABLE "A" ("id" INT);\n',
            "prisma/migrations/20240102000000_b/migration.sql": '\nALTER TABLE "B" ADD COLUMN "x" TEXT;\n',
            "prisma/migrations/20240103000000_c/migration.sql": 'CREATE TABLE "B" ("id" INT);\n',
        }
    )
    assert kd7(root) == [
        ("KD703", Severity.MEDIUM, "prisma/migrations/20240102000000_b/migration.sql", 2)
    ]


def test_kd703_quiet_on_ordered_history(write_tree) -> None:
    root = write_tree(
        {
            "prisma/migrations/migration_lock.toml": LOCK,
            "prisma/migrations/20240101000000_a/migration.sql": 'CREATE TABLE "A" ("id" INT);\n',
            "prisma/migrations/20240102000000_b/migration.sql": 'ALTER TABLE "A" ADD COLUMN "x" TEXT;\n',
        }
    )
    assert kd7(root) == []
