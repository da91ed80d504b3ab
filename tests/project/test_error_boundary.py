"""A keepdata bug is never "0 findings": each rule's check runs behind its own error boundary.

Every rule of the registry is made to raise in turn on a project with findings in several
areas: the failure is a critical KD004 finding that names the rule, the other rules'
findings are all still there, the verdict is UNKNOWN and `keepdata check` exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from analysis import engine
from analysis.context import Context
from analysis.engine import analyze
from analysis.model import Finding
from analysis.pipeline import run
from analysis.rules.registry import RULES, Rule
from analysis.verdict import Level
from tui.cli import main

PROJECT = {
    # KD101: no volume for the database's data
    "docker-compose.yml": (
        "services:\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"
        "  app:\n"
        "    build: .\n"
        "    depends_on: [db]\n"
        "    environment:\n"
        "      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app\n"
    ),
    # KD201: db push --accept-data-loss on the startup path
    "Dockerfile": (
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npx prisma generate\n"
        'CMD ["sh", "-c", "npx prisma db push --accept-data-loss && node server.js"]\n'
    ),
    "package.json": '{"name": "app", "dependencies": {"prisma": "5.22.0"}}\n',
    "prisma/schema.prisma": (
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'
        "model User {\n  id Int @id\n  posts Post[]\n}\n\n"
        "model Post {\n  id Int @id\n  userId Int\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n"
    ),
    # a migrations history, so that every area runs (an area without files is not imported)
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
    "prisma/migrations/20240101000000_init/migration.sql": (
        'CREATE TABLE "User" ("id" INTEGER NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
        'CREATE TABLE "Post" ("id" INTEGER NOT NULL, "userId" INTEGER NOT NULL);\n'
        'DROP TABLE "Legacy";\n'
    ),
}

ALL_CHECKS = [(r.area, r.id) for r in RULES if r.run is not None]


class Boom(RuntimeError):
    pass


def _raising(ctx: Context) -> Iterable[Finding]:
    raise Boom("planted")


class _Raising:
    """A stand-in for one rule whose check raises (the registry's records are shared)."""

    def __init__(self, rule: Rule) -> None:
        self.id, self.area, self.run = rule.id, rule.area, _raising


def _with_check_replaced(area: str, name: str) -> tuple:
    return tuple(_Raising(r) if (r.area, r.id) == (area, name) else r for r in RULES)


def _modules_using(fn: object) -> list:
    """The rule modules that imported `fn` by name."""
    import sys

    return [
        m
        for name, m in list(sys.modules.items())
        if name.startswith("analysis.rules.") and getattr(m, "databases", None) is fn
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("boundary")
    for rel, text in PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture(scope="module")
def healthy(project: Path) -> dict[tuple[str, str], set[tuple[str, str, int]]]:
    """The findings of each check when nothing raises."""
    out: dict[tuple[str, str], set[tuple[str, str, int]]] = {}
    ctx_analysis = analyze(project)
    assert not ctx_analysis.errors
    ctx = ctx_analysis.context
    for r in RULES:
        if r.run is not None:
            out[(r.area, r.id)] = {(f.rule, f.location.path, f.location.line) for f in r.run(ctx)}
    return out


def test_the_project_has_findings_in_several_areas(healthy) -> None:
    rules = {rule for found in healthy.values() for rule, _, _ in found}
    assert {"KD101", "KD201", "KD601"} <= rules


@pytest.mark.parametrize(("area", "name"), ALL_CHECKS, ids=[f"{a}/{n}" for a, n in ALL_CHECKS])
def test_each_check_made_to_raise_in_turn(
    project: Path, healthy, monkeypatch: pytest.MonkeyPatch, area: str, name: str
) -> None:
    monkeypatch.setattr(engine, "RULES", _with_check_replaced(area, name))
    a = run(project)
    assert [(e.area, e.checks) for e in a.errors] == [(area, (name,))]
    internal = [f for f in a.findings if f.rule == "KD004"]
    assert len(internal) == 1 and internal[0].severity.label == "critical"
    assert f"{area}/{name}" in internal[0].message and "Boom: planted" in internal[0].message
    got = {(f.rule, f.location.path, f.location.line) for f in a.active}
    for other, found in healthy.items():
        if other != (area, name):
            assert found <= got, f"{other} lost findings when {area}/{name} raised"
    assert a.verdict.level is Level.UNKNOWN


def test_check_exits_2_not_0_when_a_check_raises(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reported bug: the persistence area raising on a project with a critical KD101
    printed "0 findings" and exited 0."""
    monkeypatch.setattr(engine, "RULES", _with_check_replaced("persistence", "KD101"))
    assert main(["check", str(project), "--fail-on", "never"]) == 2
    out, err = capsys.readouterr()
    assert "KD004" in out and "persistence/KD101" in err
    assert "KD201" in out  # the other areas still report
    assert main(["check", str(project), "--format", "json"]) == 2
    assert main(["report", str(project), "--format", "md", "-o", str(project / "r.md")]) == 2
    assert "❔ **UNKNOWN**" in (project / "r.md").read_text()
    (project / "r.md").unlink()


def test_a_failing_fact_is_one_error_naming_every_check_that_needed_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.facts import databases as databases_module
    from analysis.rules.persistence import common as persistence

    def broken_databases(ctx: Context) -> tuple:
        raise Boom("no databases")

    for module in (persistence, *_modules_using(databases_module.databases)):
        monkeypatch.setattr(module, "databases", broken_databases)
    a = analyze(project)
    failed = [e for e in a.errors if e.fact is not None]
    assert (
        len(failed) == 1
        and failed[0].fact
        == "test_a_failing_fact_is_one_error_naming_every_check_that_needed_it.<locals>.broken_databases"
    )
    assert {"KD101", "KD106", "KD108", "KD115"} <= set(failed[0].checks)
    assert sum(1 for f in a.findings if f.rule == "KD004") == 1
    assert any(f.rule == "KD201" for f in a.active)


def test_an_internal_error_cannot_be_suppressed(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (project / "keepdata.toml").write_text('ignore = ["KD004"]\n')
    try:
        monkeypatch.setattr(engine, "RULES", _with_check_replaced("schema", "KD501"))
        from analysis.settings import load

        a = run(project, load(project))
        assert any(f.rule == "KD004" and f.suppressed is None for f in a.findings)
    finally:
        (project / "keepdata.toml").unlink()


def test_a_rule_module_that_fails_to_import_is_an_internal_error(
    project: Path, healthy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule's module is imported when its area runs, inside the same boundary: a module
    that cannot be imported is that rule's KD004, and every other rule still reports."""
    real = next(r for r in RULES if r.id == "KD601")
    broken = Rule(
        real.id,
        real.name,
        real.severity,
        real.area,
        real.summary,
        real.section,
        real.checklist,
        real.tags,
        None,
        None,
        "analysis.rules.migrations.kd601_no_such_module",
    )
    monkeypatch.setattr(engine, "RULES", tuple(broken if r is real else r for r in RULES))
    a = run(project)
    assert [(e.area, e.checks) for e in a.errors] == [("migrations", ("KD601",))]
    assert "ModuleNotFoundError" in a.errors[0].message
    assert any(f.rule == "KD004" and "migrations/KD601" in f.message for f in a.findings)
    got = {(f.rule, f.location.path, f.location.line) for f in a.active}
    for other, found in healthy.items():
        if other != ("migrations", "KD601"):
            assert found <= got, f"{other} lost findings"
