"""One problem, one finding (RULES.md "Grading"): the merges, firing and quiet."""

from __future__ import annotations

from analysis.engine import analyze
from analysis.grading.dedupe import dedupe
from analysis.model import Finding, Location, Related, Severity
from analysis.settings import load

M = "prisma/migrations"
INIT = (
    'CREATE TABLE "User" ("id" TEXT NOT NULL, "fullName" TEXT, "bio" TEXT,\n'
    '  CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\nCREATE TABLE "Old" ("id" TEXT);\n'
)


def _run(write_tree, files: dict[str, str]) -> list[Finding]:  # type: ignore[no-untyped-def]
    root = write_tree(files)
    return list(analyze(root, load(root)).active)


def test_kd401_and_kd402_on_one_value_are_one(write_tree) -> None:  # type: ignore[no-untyped-def]
    found = _run(
        write_tree,
        {
            "docker-compose.yml": "services:\n  app:\n    build: .\n    environment:\n"
            "      DATABASE_URL: postgresql://app:postgres@db:5432/app\n"
            "      OTHER_URL: postgresql://app:postgres@db:5432/other\n"
            "  db:\n    image: postgres:16\n    volumes: [pg:/var/lib/postgresql/data]\n"
            "    environment:\n      POSTGRES_PASSWORD: s3cr3t-Long-Unique\n"
            "volumes:\n  pg:\n",
        },
    )
    pw = [f for f in found if f.rule in ("KD401", "KD402")]
    weak = [f for f in pw if f.rule == "KD402"]
    assert len(weak) == 1 and weak[0].location.line == 5
    assert [r.location.line for r in weak[0].related if r.message.startswith("KD4")] == [5, 6, 6]
    # a different literal password keeps its own KD401
    assert [f.location.line for f in pw if f.rule == "KD401"] == [11]


def test_a_default_password_repeated_in_a_url_is_one_finding(write_tree) -> None:  # type: ignore[no-untyped-def]
    # jitsu: `${MONGO_PASSWORD:-default}` on the server and in a client's URL is one password
    found = _run(
        write_tree,
        {
            "docker-compose.yml": "services:\n  mongo:\n    image: mongo:7\n"
            "    volumes: [m:/data/db]\n    environment:\n"
            "      MONGO_INITDB_ROOT_PASSWORD: ${MONGO_PASSWORD:-default}\n"
            "  app:\n    build: .\n    environment:\n"
            '      MONGODB_URL: "mongodb://default:${MONGO_PASSWORD:-default}@mongo/"\n'
            "volumes:\n  m:\n",
        },
    )
    (weak,) = [f for f in found if f.rule == "KD402"]
    assert weak.location.line == 6
    # the KD401 of the same line and the URL's repeat (line 10) are its related locations
    assert [r.location.line for r in weak.related if r.message.startswith("KD40")] == [6, 10]


def test_kd622_replaces_kd602_and_kd610_joins(write_tree) -> None:  # type: ignore[no-untyped-def]
    found = _run(
        write_tree,
        {
            f"{M}/20240101000000_init/migration.sql": INIT,
            f"{M}/20240201000000_rename/migration.sql": "/*\n  Warnings:\n\n"
            "  - You are about to drop the column `fullName` on the `User` table. All the data "
            "in the column will be lost.\n\n*/\n-- AlterTable\n"
            'ALTER TABLE "User" DROP COLUMN "fullName",\nADD COLUMN "displayName" TEXT;\n',
        },
    )
    rules = sorted(f.rule for f in found if "20240201" in f.location.path)
    assert "KD602" not in rules and "KD610" not in rules and "KD622" in rules
    (kd622,) = [f for f in found if f.rule == "KD622"]
    assert any(r.message.startswith("KD602 (high, same statement)") for r in kd622.related)
    assert any(r.message.startswith("KD610") and r.location.line == 4 for r in kd622.related)


def test_kd615_replaces_kd601_and_kd610_alone_stays(write_tree) -> None:  # type: ignore[no-untyped-def]
    found = _run(
        write_tree,
        {
            f"{M}/20240101000000_init/migration.sql": INIT,
            f"{M}/20240201000000_drop/migration.sql": "/*\n  Warnings:\n\n"
            "  - You are about to drop the `Gone` table. If the table is not empty, all the "
            "data it contains will be lost.\n\n*/\n"
            'DROP TABLE "Old" CASCADE;\n',
        },
    )
    here = [f for f in found if "20240201" in f.location.path]
    assert sorted(f.rule for f in here) == ["KD610", "KD615"]  # `Gone` is no statement's table
    (kd615,) = [f for f in here if f.rule == "KD615"]
    assert any(r.message.startswith("KD601 (high, same statement)") for r in kd615.related)


def test_one_rule_once_per_line() -> None:
    a = Finding("KD406", Severity.MEDIUM, "A unset", Location("c.yml", 3))
    b = Finding("KD406", Severity.HIGH, "B unset", Location("c.yml", 3, 20))
    c = Finding("KD406", Severity.MEDIUM, "C unset", Location("c.yml", 4))
    out = dedupe(None, [a, b, c])
    assert [(f.message, f.location.line) for f in out] == [("B unset", 3), ("C unset", 4)]
    assert out[0].related == (Related(a.location, "KD406 (medium, same line): A unset"),)


def test_kd208_folds_into_kd303_of_the_same_image() -> None:
    kd303 = Finding(
        "KD303",
        Severity.HIGH,
        "no migrations in the image",
        Location(".dockerignore", 5),
        (Related(Location("entrypoint.sh", 26), "migrate deploy"),),
    )
    kd208 = Finding(
        "KD208",
        Severity.MEDIUM,
        "migrate deploy without migrations",
        Location("entrypoint.sh", 26),
        (Related(Location(".dockerignore", 5), "excludes"),),
    )
    other = Finding("KD208", Severity.MEDIUM, "elsewhere", Location("start.sh", 2))
    out = dedupe(None, [kd303, kd208, other])
    assert [f.rule for f in out] == ["KD303", "KD208"]
    assert out[0].related[-1].message.startswith("KD208 (medium): ")
