"""The migration.sql and migration_lock.toml parsers, the history fact and its caches."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import analysis.parsers.migration_sql.parse as migration_sql
from analysis.engine import analyze
from analysis.facts.migrations import migration_histories, parse_timestamp
from analysis.parsers.migration_lock import parse_migration_lock
from analysis.parsers.migration_sql.parse import parse_migration_sql
from analysis.parsers.migration_sql.records import K
from analysis.sources import SourceFile

PG = """/*
  Warnings:

  - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.
  - The values [GUEST] on the enum `Role` will be removed. If these variants are still used in the database, this will fail.
  - Added the required column `slug` to the `Post` table without a default value. This is not possible if the table is not empty.

*/
-- AlterTable
ALTER TABLE "User" DROP COLUMN "bio",
ADD COLUMN     "nick" VARCHAR(30) NOT NULL DEFAULT 'x';

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "tags" TEXT[],
    "price" DECIMAL(65,30),

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
"""


def src(text: str, path: str = "prisma/migrations/1_x/migration.sql") -> SourceFile:
    return SourceFile(path, text, "digest", len(text))


def test_postgres_statements_kinds_lines_headers() -> None:
    f = parse_migration_sql(src(PG), "postgresql")
    assert f.dialect == "postgresql" and f.problems == ()
    kinds = [(st.kind, st.line, st.end_line, st.header) for st in f.statements]
    assert kinds == [
        (K.ALTER_TABLE, 10, 11, "AlterTable"),
        (K.CREATE_TABLE, 14, 20, "CreateTable"),
        (K.ALTER_TABLE, 23, 23, "AddForeignKey"),
    ]
    drop, add = f.statements[0].actions
    assert (drop.kind, drop.line, drop.table, drop.column) == (K.DROP_COLUMN, 10, "User", "bio")
    assert add.kind == K.ADD_COLUMN and add.line == 11
    assert add.column_def is not None
    assert (add.column_def.type, add.column_def.not_null, add.column_def.default) == (
        "VARCHAR(30)",
        True,
        "'x'",
    )
    td = f.statements[1].actions[0].table_def
    assert td is not None
    assert [(c.name, c.type, c.identity) for c in td.columns] == [
        ("id", "INTEGER", True),
        ("tags", "TEXT[]", False),
        ("price", "DECIMAL(65,30)", False),
    ]
    assert td.constraints[0].kind == "primary key" and td.constraints[0].line == 19
    fk = f.statements[2].actions[0].constraint
    assert fk is not None
    assert (fk.kind, fk.columns, fk.ref_table, fk.on_delete, fk.on_update) == (
        "foreign key",
        ("userId",),
        "User",
        "SET NULL",
        "CASCADE",
    )


def test_warning_block_lines_and_kinds() -> None:
    f = parse_migration_sql(src(PG), "postgresql")
    assert [(w.line, w.kind, w.table, w.column) for w in f.warnings] == [
        (4, "drop column", "User", "bio"),
        (5, "enum values removed", "Role", None),
        (6, "required column", "Post", "slug"),
    ]
    assert f.warnings[2].unexecutable


def test_invalid_statement_keeps_the_others() -> None:
    text = 'CREATE TABLE "A" ("id" INT);\nALTER TABLE "A" ADD COLUMN;\nDROP TABLE "A";\n'
    f = parse_migration_sql(src(text), "postgresql")
    assert [st.kind for st in f.statements] == [K.CREATE_TABLE, K.INVALID, K.DROP_TABLE]
    (p,) = f.problems
    assert (p.kind, p.location.line, p.location.column) == ("syntax", 2, 27)


def test_mysql_and_sqlite_dialects() -> None:
    my = (
        "-- AlterTable\nALTER TABLE `Order` MODIFY `note` VARCHAR(50) NULL,\n"
        "    CHANGE `a` `b` INTEGER NOT NULL;\nRENAME TABLE `Order` TO `Purchase`;\n"
    )
    f = parse_migration_sql(src(my), "mysql")
    acts = [
        (a.kind, a.line, a.table, a.column, a.new_name) for st in f.statements for a in st.actions
    ]
    assert acts == [
        (K.MODIFY_COLUMN, 2, "Order", "note", None),
        (K.MODIFY_COLUMN, 3, "Order", "a", "b"),
        (K.RENAME_TABLE, 4, "Order", None, "Purchase"),
    ]
    lite = (
        "PRAGMA foreign_keys=OFF;\n"
        'INSERT INTO "new_A" ("id", "n") SELECT "id", coalesce("n", 0) AS "n" FROM "A";\n'
        "PRAGMA foreign_key_check;\n"
    )
    f = parse_migration_sql(src(lite), "sqlite")
    assert [st.kind for st in f.statements] == [K.PRAGMA, K.INSERT_SELECT, K.PRAGMA]
    ins = f.statements[1].actions[0]
    assert ins.source_table == "A"
    assert [(i.target, i.source, i.how) for i in ins.select_items] == [
        ("id", "id", "column"),
        ("n", "n", "coalesce"),
    ]


def test_empty_and_marker() -> None:
    f = parse_migration_sql(src("-- This is an empty migration.\n"), "postgresql")
    assert f.empty and f.empty_marker and f.statements == ()


def test_provider_guess_without_lock() -> None:
    f = parse_migration_sql(src("CREATE TABLE `A` (`id` INT);\n"))
    assert f.dialect == "mysql"


def test_lock_file() -> None:
    lock = parse_migration_lock(
        src(
            '# Please do not edit this file manually\n\nprovider = "postgresql"\n',
            "prisma/migrations/migration_lock.toml",
        )
    )
    assert (lock.provider, lock.line, lock.problems) == ("postgresql", 3, ())
    bad = parse_migration_lock(src('provider = "mysql\n', "m/migration_lock.toml"))
    assert bad.problems and bad.problems[0].kind == "syntax"


LOCK_TEXTS = [
    "# Please do not edit this file manually\n"
    "# It should be added in your version-control system (e.g., Git)\n"
    'provider = "postgresql"\n',
    '# Please do not edit this file manually\n\nprovider = "mysql"',
    'provider = "sqlite"\n\n\n',
    'provider = "postgresql"\nprovider = "mysql"\n',  # a key twice: TOML refuses it
    'provider = "postgresql"\r\n',
    '#\tcomment with a tab\nprovider = "cockroachdb"\n',
    '# control \x01 character\nprovider = "postgresql"\n',
    'provider="postgresql"\n',
    'provider = "PostgreSQL" # trailing comment\n',
    'provider = "post\\u0067resql"\n',
    "provider = 'mysql'\n",
    "",
]


@pytest.mark.parametrize("text", LOCK_TEXTS)
def test_lock_file_without_tomllib_reads_as_tomllib(text: str) -> None:
    """The lock file as Prisma writes it is read without tomllib, to the same provider and
    problems; any other text goes to tomllib."""
    from analysis.parsers import migration_lock

    quick = migration_lock._as_prisma_writes_it(text)
    try:
        expected: dict[str, object] | None = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        expected = None
    assert quick is None or quick == expected
    if text in LOCK_TEXTS[:3]:
        assert quick is not None  # Prisma's own lock files skip the TOML parser
    lock = parse_migration_lock(src(text, "prisma/migrations/migration_lock.toml"))
    if expected is None:
        assert lock.problems and lock.problems[0].kind == "syntax"
    else:
        assert not lock.problems
        value = expected.get("provider")
        if isinstance(value, str):
            assert lock.provider == value.strip().lower()


def test_timestamps() -> None:
    ts, date, label = parse_timestamp("20240131120000_add_email")
    assert ts == "20240131120000" and date is not None and date.month == 1 and label == "add_email"
    assert parse_timestamp("init") == (None, None, "init")


def test_history_fact(write_tree) -> None:
    root = write_tree(
        {
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "prisma/migrations/20240102000000_b/migration.sql": 'ALTER TABLE "A" ADD COLUMN "x" TEXT;\n',
            "prisma/migrations/20240101000000_a/migration.sql": 'CREATE TABLE "A" ("id" INT);\n',
        }
    )
    (h,) = analyze(root).fact(migration_histories)
    assert (h.folder, h.provider, h.provider_source) == ("prisma/migrations", "postgresql", "lock")
    assert [m.name for m in h.migrations] == ["20240101000000_a", "20240102000000_b"]
    t = h.database.table("A")
    assert t is not None and [c.name for c in t.columns] == ["id", "x"]
    assert t.column("x") is not None
    x = t.column("x")
    assert x is not None and x.created.migration == "20240102000000_b"


def test_schema_edit_does_not_reparse_migrations(write_tree, monkeypatch) -> None:
    root: Path = write_tree(
        {
            "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("U")\n}\n\nmodel A {\n  id Int @id\n}\n',
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
            "prisma/migrations/20240101000000_a/migration.sql": 'CREATE TABLE "A" ("id" INTEGER NOT NULL, CONSTRAINT "A_pkey" PRIMARY KEY ("id"));\n',
        }
    )
    first = analyze(root)
    h1 = first.fact(migration_histories)[0]
    calls: list[str] = []
    original = migration_sql.parse_migration_sql

    def counting(source, provider=None):  # type: ignore[no-untyped-def]
        calls.append(source.path)
        return original(source, provider)

    monkeypatch.setattr(migration_sql, "parse_migration_sql", counting)
    schema = root / "prisma" / "schema.prisma"
    schema.write_text(schema.read_text().replace("  id Int @id\n", "  id Int @id\n  n String?\n"))
    second = analyze(root)
    h2 = second.fact(migration_histories)[0]
    assert calls == []
    assert h2.database is h1.database  # the replay came from its cache
    assert [f.rule for f in second.findings if f.rule.startswith("KD7")] == ["KD701"]


def test_lock_schema_mismatch_reads_sql_as_it_looks(write_tree) -> None:
    root = write_tree(
        {
            "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("U")\n}\n',
            "prisma/migrations/migration_lock.toml": 'provider = "mysql"\n',
            "prisma/migrations/20240101000000_a/migration.sql": 'CREATE TABLE "A" ("id" SERIAL NOT NULL);\n',
        }
    )
    a = analyze(root)
    (h,) = a.fact(migration_histories)
    assert (h.provider, h.provider_source) == ("postgresql", "schema")
    assert not [f for f in a.findings if f.rule == "KD612"]
