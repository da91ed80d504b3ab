"""History grading on a real example: the suite sets KEEPDATA_ALL_MIGRATIONS=1 so that the
examples do not depend on this checkout's git state; here risky-app is copied into a fresh
git repository with its history committed on `main`, a new migration is added on a branch,
and the graded output is checked end to end (applied history quiet, the new migration loud)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tui.cli import main

EXAMPLE = EXAMPLES / "risky-app"
NEW = "prisma/migrations/20250101000000_drop_user_phone/migration.sql"


@pytest.fixture(autouse=True)
def _real_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEEPDATA_ALL_MIGRATIONS", raising=False)


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        capture_output=True,
        check=True,
    )


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    main(["check", "--format", "json", "--exit-zero", *args, str(root)])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_risky_app_history_quiet_new_migration_loud(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "risky-app"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "history")
    git(root, "checkout", "-q", "-b", "feature")
    new = root / NEW
    new.parent.mkdir(parents=True)
    new.write_text('-- AlterTable\nALTER TABLE "User" DROP COLUMN "phone";\n')

    graded = check_json(root, capsys)["findings"]
    history = [f for f in graded if f.get("history")]
    # every KD6xx data finding of the committed migrations is info history ...
    assert history and all(f["severity"] == "info" for f in history)
    assert {f["rule"] for f in history} >= {"KD601", "KD602", "KD604", "KD608"}
    assert not any(
        f["rule"] in ("KD601", "KD602", "KD604", "KD608") and f["severity"] != "info"
        for f in graded
        if f["path"] != NEW
    )
    # ... while fresh-deploy breakers keep their severity in history (KD612, KD619)
    assert any(f["rule"] == "KD619" and f["severity"] == "high" for f in graded)
    # the new migration is loud
    (drop,) = [f for f in graded if f["path"] == NEW and f["rule"] == "KD602"]
    assert drop["severity"] == "high" and not drop.get("history")

    # --all-migrations grades the applied ones as new again
    everything = check_json(root, capsys, "--all-migrations")["findings"]
    assert not any(f.get("history") for f in everything)
    old_drops = [f for f in everything if f["rule"] == "KD602" and f["path"] != NEW]
    assert old_drops and all(f["severity"] == "high" for f in old_drops)
