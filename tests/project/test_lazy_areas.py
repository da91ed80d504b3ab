"""Running only the areas a project has files for never changes what `check` reports.

The engine skips (and does not import) the rules of an area whose kinds of file the project
lacks (`analysis.rules.registry.AREA_READS`), and the named facts give their empty value
without importing their module. Each project here is analyzed twice in one process: as a
user runs it, and with every area and fact forced to run (the project made to look as if it
had a file of every kind); the JSON output, the files read and the paths probed must be the
same. Projects: the examples, the fixture projects, and each example cut down to one part
(its migrations only, its schema only, its compose files only).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.context import Context
from analysis.pipeline import run
from analysis.report.check_output import format_json
from analysis.sources import FileKind
from tests.conftest import REPO

EXAMPLES = ("seed-app", "risky-app", "prisma7-app")
FIXTURES = (
    "compose/seed-like",
    "image/nestjs-broken",
    "image/nextjs-good",
    "migrations/mysql_shop",
    "migrations/pg_blog",
    "migrations/pg_synced",
    "migrations/sqlite_notes",
    "schemas/auth-postgres",
    "schemas/invalid-unterminated-block",
    "schemas/mongodb",
    "schemas/multi-file",
    "schemas/prisma7-config",
    "schemas/sqlite",
    "secrets/planted",
    "startup/seed",
)
PARTS = {
    "migrations": lambda p: p.name == "migrations" and p.parent.name == "prisma",
    "schema": lambda p: p.suffix == ".prisma",
    "compose": lambda p: p.is_file() and "compose" in p.name and p.suffix in (".yml", ".yaml"),
}


def _same(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The JSON output, after asserting it is the same both ways."""
    lazy = run(root)
    with monkeypatch.context() as m:
        m.setattr(Context, "kinds", property(lambda self: frozenset(FileKind)))
        every = run(root)
    text = format_json(lazy, "project")
    assert text == format_json(every, "project")
    assert (lazy.files, lazy.unread, lazy.errors) == (every.files, every.unread, every.errors)
    # what the result cache checks: the skipped areas would only have looked at more (the
    # git exclude file a .gitignore matcher reads), never at less
    assert lazy.probed <= every.probed and lazy.listed <= every.listed
    return text


def _cut(source: Path, part: str, dest: Path) -> Path:
    """A copy of `source` holding only its `part` (the rest of the tree is left out)."""
    dest.mkdir()
    for path in sorted(source.rglob("*")):
        if PARTS[part](path) and not any(PARTS[part](p) for p in path.parents):
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                shutil.copytree(path, target)
            else:
                shutil.copy(path, target)
    return dest


@pytest.mark.parametrize(
    "project",
    [f"examples/{e}" for e in EXAMPLES] + [f"tests/fixtures/{f}" for f in FIXTURES],
)
def test_same_output_as_with_every_area_run(project: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(REPO / project, monkeypatch)


@pytest.mark.parametrize("part", sorted(PARTS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_one_part_of_a_project_reports_as_with_every_area_run(
    example: str, part: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _cut(REPO / "examples" / example, part, tmp_path / "p")
    if not any(root.rglob("*")):
        pytest.skip(f"{example} has no {part}")
    _same(root, monkeypatch)
