"""The per-file parse cache (analysis.parse_cache in memory, tui.parse_store on disk): a
re-analysis re-parses only the files that changed, and a parse loaded from the cache gives the
output a cold run gives."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import parse_cache
from analysis.pipeline import run
from tests.cli.helpers import check
from tui.parse_store import MAGIC
from tui.result_cache import cache_dir

SCHEMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int     @id @default(autoincrement())
  name  String
  email String?
}
"""
M = "prisma/migrations"
MIGRATIONS = {
    "20240101000000_init": 'CREATE TABLE "User" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL,'
    ' PRIMARY KEY ("id"));\n',
    "20240201000000_email": 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n',
    "20240301000000_drop": 'ALTER TABLE "User" ADD COLUMN "age" INTEGER;\n'
    'ALTER TABLE "User" DROP COLUMN "age";\n',
}
COMPOSE = """\
services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "app"
    files = {
        "prisma/schema.prisma": SCHEMA,
        f"{M}/migration_lock.toml": 'provider = "postgresql"\n',
        "docker-compose.yml": COMPOSE,
        **{f"{M}/{name}/migration.sql": sql for name, sql in MIGRATIONS.items()},
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    parse_cache.clear_parse_cache()
    yield root
    parse_cache.clear_parse_cache()


def sql(name: str) -> str:
    return f"{M}/{name}/migration.sql"


def packs() -> list[Path]:
    return sorted(Path(cache_dir(), "parses").glob("*/*"))


def pack_sizes() -> list[int]:
    """How many parses each pack holds."""
    head = len(MAGIC) + 32
    return [len(marshal.loads(p.read_bytes()[head:])[1]) for p in packs()]


def fill(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """Two result-cache misses (two formats): the first run marks the project, the second
    fills its packs."""
    check(capsys, "--format", "text", str(project))
    check(capsys, "--format", "github", str(project))
    assert pack_sizes() == [1, len(MIGRATIONS)] or pack_sizes() == [len(MIGRATIONS), 1]


def test_a_one_off_run_pickles_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys, str(project))
    assert len(packs()) == 2 and pack_sizes() == [0, 0]  # a CI job without a kept cache
    parse_cache.clear_parse_cache()
    check(capsys, "--format", "json", str(project))  # a second miss: the project is in use
    assert parse_cache.stats().store_hits == 0
    assert sorted(pack_sizes()) == [1, len(MIGRATIONS)]


def test_a_reanalysis_reparses_only_the_changed_file(project: Path) -> None:
    first = run(project)
    assert all(parse_cache.stats().runs(sql(n)) == 1 for n in MIGRATIONS)
    parse_cache.clear_counts()
    (project / sql("20240201000000_email")).write_text(
        'ALTER TABLE "User" ADD COLUMN "email" TEXT;\nALTER TABLE "User" DROP COLUMN "name";\n'
    )
    second = run(project)
    stats = parse_cache.stats()
    assert stats.runs(sql("20240201000000_email")) == 1
    assert stats.runs(sql("20240101000000_init")) == 0
    assert stats.runs(sql("20240301000000_drop")) == 0
    assert stats.runs("prisma/schema.prisma") == 0
    assert stats.memory_hits >= 3
    # the edit shows: a new finding on the changed file (dropping "name" after adding "email"
    # reads as a rename done as drop and add)
    new = {(f.rule, f.location.path) for f in second.findings} - {
        (f.rule, f.location.path) for f in first.findings
    }
    assert ("KD622", sql("20240201000000_email")) in new


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit"])
def test_parses_from_disk_give_the_cold_output(
    fmt: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(capsys, project)  # migration SQL, the schema
    parse_cache.clear_parse_cache()  # a new process: nothing in memory
    (project / "docker-compose.yml").write_text(COMPOSE.replace("16", "17"))  # a result miss
    loaded = check(capsys, "--format", fmt, str(project))
    stats = parse_cache.stats()
    assert stats.store_hits == len(MIGRATIONS) + 1 and not any(
        stats.runs(sql(n)) for n in MIGRATIONS
    )
    parse_cache.clear_parse_cache()
    cold = check(capsys, "--no-cache", "--format", fmt, str(project))
    assert parse_cache.stats().store_hits == 0
    assert all(parse_cache.stats().runs(sql(n)) == 1 for n in MIGRATIONS)
    if fmt == "sarif":
        loaded = (loaded[0].split('"endTimeUtc"')[0], loaded[1])
        cold = (cold[0].split('"endTimeUtc"')[0], cold[1])
    assert loaded == cold


def test_disk_parses_follow_edits(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(capsys, project)
    parse_cache.clear_parse_cache()
    (project / sql("20240301000000_drop")).write_text('DROP TABLE "User";\n')
    out, _ = check(capsys, str(project))
    stats = parse_cache.stats()
    assert stats.runs(sql("20240301000000_drop")) == 1  # changed: parsed
    assert stats.runs(sql("20240101000000_init")) == 0  # unchanged: loaded
    assert stats.store_hits == len(MIGRATIONS)  # two migrations and the schema
    assert "KD601" in out
    parse_cache.clear_parse_cache()
    (project / "docker-compose.yml").write_text(COMPOSE.replace("16", "17"))
    check(capsys, str(project))  # the pack holds the edited file's new parse
    assert parse_cache.stats().runs(sql("20240301000000_drop")) == 0


def _rewrite(path: Path, body: bytes) -> None:
    path.write_bytes(MAGIC + hashlib.sha256(body).digest() + body)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped byte", "foreign magic", "foreign pack", "entry not a pickle", "empty"],
)
def test_corrupt_packs_are_ignored_and_rebuilt(
    damage: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = check(capsys, "--no-cache", str(project))
    fill(capsys, project)
    for pack in packs():
        data = pack.read_bytes()
        head = len(MAGIC) + 32
        if damage == "truncated":
            pack.write_bytes(data[: len(data) // 2])
        elif damage == "flipped byte":
            pack.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
        elif damage == "foreign magic":
            pack.write_bytes(b"something-else 1\n" + data[len(MAGIC) :])
        elif damage == "foreign pack":  # valid, but another root's
            ident, entries = marshal.loads(data[head:])
            _rewrite(pack, marshal.dumps(((ident[0], "/elsewhere", ident[2]), entries)))
        elif damage == "entry not a pickle":
            ident, entries = marshal.loads(data[head:])
            _rewrite(
                pack, marshal.dumps((ident, {p: (d, b"\x80junk") for p, (d, _) in entries.items()}))
            )
        else:
            pack.write_bytes(b"")
    parse_cache.clear_parse_cache()
    assert check(capsys, str(project)) == expected  # a result-cache miss (another format)
    assert parse_cache.stats().store_hits == 0
    assert all(parse_cache.stats().runs(sql(n)) == 1 for n in MIGRATIONS)
    parse_cache.clear_parse_cache()
    check(capsys, "--format", "sarif", str(project))  # a damaged pack is a new project's
    parse_cache.clear_parse_cache()
    check(capsys, "--format", "gitlab", str(project))  # the packs were written anew
    assert parse_cache.stats().store_hits == len(MIGRATIONS) + 1


def test_no_cache_leaves_no_packs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys, "--no-cache", str(project))
    assert packs() == []
