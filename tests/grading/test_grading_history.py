"""Applied history (RULES.md "Grading"): migrations at the base revision are history, their
data findings are info with history=True; edited ones are KD624; new ones keep their severity."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from analysis.engine import analyze
from analysis.model import Severity
from analysis.settings import Settings
from tui.cli import main

INIT = (
    'CREATE TABLE "User" ("id" TEXT NOT NULL, "name" TEXT, "nick" TEXT,\n'
    '  CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
)
DROP_NAME = (
    "/*\n  Warnings:\n\n  - You are about to drop the column `name` on the `User` table. All the "
    "data in the column will be lost.\n\n*/\n-- AlterTable\n"
    'ALTER TABLE "User" DROP COLUMN "name";\n'
)
DROP_NICK = '-- AlterTable\nALTER TABLE "User" DROP COLUMN "nick";\n'
M = "prisma/migrations"


@pytest.fixture(autouse=True)
def _real_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)


def git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    write(root, f"{M}/20240101000000_init/migration.sql", INIT)
    write(root, f"{M}/20240201000000_drop_name/migration.sql", DROP_NAME)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def kd602(root: Path, **settings: object) -> dict[str, tuple[Severity, bool]]:
    analysis = analyze(root, Settings(**settings))  # type: ignore[arg-type]
    return {
        f.location.path.split("/")[2]: (f.severity, f.history)
        for f in analysis.active
        if f.rule == "KD602"
    }


def test_committed_migrations_are_history_new_ones_keep_severity(tmp_path: Path) -> None:
    root = repo(tmp_path)
    write(root, f"{M}/20240301000000_drop_nick/migration.sql", DROP_NICK)  # untracked: new
    got = kd602(root)
    assert got == {
        "20240201000000_drop_name": (Severity.INFO, True),
        "20240301000000_drop_nick": (Severity.HIGH, False),
    }
    # --all-migrations grades the history like new migrations
    assert set(kd602(root, all_migrations=True).values()) == {(Severity.HIGH, False)}


def test_only_on_this_branch_is_new_and_merge_base_is_the_base(tmp_path: Path) -> None:
    root = repo(tmp_path)
    git(root, "checkout", "-qb", "feature")
    write(root, f"{M}/20240301000000_drop_nick/migration.sql", DROP_NICK)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "drop nick")
    assert kd602(root)["20240301000000_drop_nick"] == (Severity.HIGH, False)
    assert kd602(root)["20240201000000_drop_name"] == (Severity.INFO, True)
    # --base HEAD: everything committed is history
    assert kd602(root, base_ref="HEAD")["20240301000000_drop_nick"] == (Severity.INFO, True)


def test_edited_applied_migration_is_kd624_and_graded_new(tmp_path: Path) -> None:
    root = repo(tmp_path)
    path = root / M / "20240201000000_drop_name/migration.sql"
    path.write_text(DROP_NAME.replace('"name";', '"name" CASCADE;'))
    analysis = analyze(root, Settings())
    edited = [f for f in analysis.active if f.rule == "KD624"]
    assert [(f.location.path, f.location.line, f.severity) for f in edited] == [
        (f"{M}/20240201000000_drop_name/migration.sql", 8, Severity.HIGH)
    ]
    assert "new migration" in edited[0].message
    assert kd602(root)["20240201000000_drop_name"] == (Severity.HIGH, False)


def test_crlf_checkout_of_an_applied_migration_is_not_an_edit(tmp_path: Path) -> None:
    root = repo(tmp_path)
    path = root / M / "20240201000000_drop_name/migration.sql"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    analysis = analyze(root, Settings())
    assert not [f for f in analysis.active if f.rule == "KD624"]


def test_no_git_grades_every_migration_new_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, f"{M}/20240101000000_init/migration.sql", INIT)
    write(root, f"{M}/20240201000000_drop_name/migration.sql", DROP_NAME)
    analysis = analyze(root, Settings())
    assert analysis.grading.note == "not a git repository: every migration graded as new"
    assert kd602(root) == {"20240201000000_drop_name": (Severity.HIGH, False)}


def test_shallow_clone_without_default_branch_grades_new_with_the_fix(tmp_path: Path) -> None:
    origin = repo(tmp_path)
    git(origin, "checkout", "-qb", "feature")
    write(origin, f"{M}/20240301000000_drop_nick/migration.sql", DROP_NICK)
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "drop nick")
    git(origin, "checkout", "-q", "main")  # the remote's HEAD: the default branch
    clone = tmp_path / "clone"
    argv = ["git", "clone", "-q", "--depth", "1", "--single-branch", "--branch", "feature"]
    subprocess.run([*argv, f"file://{origin}", str(clone)], check=True, capture_output=True)
    analysis = analyze(clone, Settings())
    note = analysis.grading.note or ""
    assert "shallow clone" in note and "fetch-depth: 0" in note
    assert set(kd602(clone).values()) == {(Severity.HIGH, False)}


def test_check_text_folds_history_json_marks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    assert main(["check", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert not any("KD602" in line and ": info KD602" in line for line in out)
    fold = [line for line in out if line.startswith(f"{M}: info history:")]
    assert len(fold) == 1 and "1 finding on 1 migration" in fold[0] and "KD602 x1" in fold[0]
    assert "graded as history" in out[-1] and "main" in out[-1]
    assert main(["check", str(root), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (f,) = [f for f in doc["findings"] if f["rule"] == "KD602"]
    assert f["history"] is True and f["severity"] == "info"
    # KD610 joined the statement it warns about
    assert not [f for f in doc["findings"] if f["rule"] == "KD610"]
    assert f["related"][-1]["message"].startswith("KD610")
    assert doc["migrations"]["history"] == 2 and doc["migrations"]["new"] == 0
    assert main(["check", str(root), "--all-migrations"]) == 1
    assert "KD602" in capsys.readouterr().out


def test_fresh_deploy_rules_keep_severity_in_history(tmp_path: Path) -> None:
    root = repo(tmp_path)
    write(root, f"{M}/20240301000000_empty/migration.sql", "")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "empty")
    found = [f for f in analyze(root, Settings()).active if f.rule == "KD611"]
    assert found and all(f.severity == Severity.MEDIUM and not f.history for f in found)
