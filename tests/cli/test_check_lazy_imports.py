"""`keepdata check` on a PostgreSQL project loads only what that project needs: no dotenv
without a `.env` file, no sqlglot/logging without a MySQL/SQLite/SQL Server migration, no
difflib without a typo to suggest for, no pglast node classes or enums (keepdata reads
libpg_query's JSON), no PyYAML without a YAML file. Each costs milliseconds of every cold run. Fresh interpreter per case."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

OPTIONAL = (
    "yaml",
    "dotenv",
    "logging",
    "sqlglot",
    "difflib",
    "pglast.ast",
    "pglast.enums",
    "textual",
)


def _loaded_after_check(project: str) -> set[str]:
    code = (
        "import contextlib, io, sys, tui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    tui.cli.main(['check', '--no-cache', '--format', 'json', {project!r}])\n"
        f"print(','.join(m for m in {OPTIONAL!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(filter(None, done.stdout.strip().split(",")))


def test_postgres_project_without_env_file_loads_only_pyyaml() -> None:
    assert _loaded_after_check("examples/seed-app") == {"yaml"}  # its docker-compose.yml


def test_project_without_yaml_files_does_not_load_pyyaml(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples/seed-app/prisma", tmp_path / "prisma")
    shutil.copy(REPO / "examples/seed-app/package.json", tmp_path)
    assert _loaded_after_check(str(tmp_path)) == set()


def test_each_loaded_when_the_project_needs_it() -> None:
    """risky-app has a `.env` and a MySQL migration folder: the check above can fail, the
    modules are imported where used, not dropped."""
    loaded = _loaded_after_check("examples/risky-app")
    assert {"yaml", "dotenv", "sqlglot", "logging"} <= loaded
    assert not loaded & {"pglast.ast", "pglast.enums", "textual"}


def _analysis_modules_after_check(project: str) -> set[str]:
    code = (
        "import contextlib, io, sys, tui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    tui.cli.main(['check', '--no-cache', '--format', 'json', {project!r}])\n"
        "print(','.join(m for m in sys.modules if m.startswith('analysis.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(done.stdout.strip().split(","))


def _rule_areas(modules: set[str]) -> set[str]:
    return {m.split(".")[2] for m in modules if m.startswith("analysis.rules.") and ".kd" in m}


def test_a_migrations_history_alone_loads_only_the_migration_rules(tmp_path: Path) -> None:
    """No compose file, Dockerfile, script or schema: none of their rules, facts or parsers."""
    shutil.copytree(REPO / "examples/risky-app/prisma/migrations", tmp_path / "prisma/migrations")
    loaded = _analysis_modules_after_check(str(tmp_path))
    assert _rule_areas(loaded) == {"migrations", "drift"}
    for absent in (
        "analysis.facts.compose",
        "analysis.facts.databases",
        "analysis.facts.images.builds",
        "analysis.facts.startup.paths",
        "analysis.facts.schema",
        "analysis.parsers.compose.files",
        "analysis.parsers.dockerfile.parser",
        "analysis.parsers.shell.scripts",
        "analysis.parsers.prisma_schema.files",
    ):
        assert absent not in loaded, absent
    assert "analysis.rules.migrations.kd602_drop_column" in loaded


def test_a_compose_file_alone_loads_no_migration_or_schema_rule(tmp_path: Path) -> None:
    shutil.copy(REPO / "examples/seed-app/docker-compose.yml", tmp_path)
    loaded = _analysis_modules_after_check(str(tmp_path))
    assert _rule_areas(loaded) == {"analysis", "persistence", "startup", "image", "environment"}
    for absent in ("analysis.facts.migrations", "analysis.parsers.migration_sql.parse"):
        assert absent not in loaded, absent


def test_rules_and_explain_list_every_rule_in_a_fresh_process() -> None:
    """They read every rule's documentation: each module is imported when its text is read."""
    from analysis.rules.manifest import MANIFEST

    def cli(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "tui.cli", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    listed = cli("rules")
    for entry in MANIFEST:
        assert entry[0] in listed and entry[1] in listed, entry[0]
    assert "DROP COLUMN" in cli("explain", "KD602")
