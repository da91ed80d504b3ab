"""Parsers report `ParseProblem`s; the pipeline alone turns them into KD001/KD505/KD612."""

from __future__ import annotations

import ast
from pathlib import Path

from analysis.engine import analyze
from analysis.model import Location, Severity
from analysis.parse_problems import finding_of, rule_of
from analysis.parsers.compose.files import parse_compose_text
from analysis.parsers.migration_sql.parse import parse_migration_sql
from analysis.parsers.prisma_schema.files import parse_prisma_schema
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.sources import SourceFile, digest_bytes
from tests.conftest import REPO

PARSERS = REPO / "analysis" / "parsers"
FORBIDDEN = ("analysis.rules", "analysis.catalog", "analysis.engine", "analysis.pipeline")


def _imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.Import):
            out.extend((a.name, ()) for a in node.names)
    return out


def test_parsers_import_nothing_from_the_finding_and_rule_layers() -> None:
    files = sorted(PARSERS.rglob("*.py"))
    assert len(files) > 10
    bad = []
    for path in files:
        for module, names in _imports(path):
            if module.startswith(FORBIDDEN) or module.startswith("analysis.facts"):
                bad.append(f"{path.relative_to(REPO)}: {module}")
            if module == "analysis.model" and ("Finding" in names or "Severity" in names):
                bad.append(f"{path.relative_to(REPO)}: {module}.{names}")
    assert bad == []


def _src(path: str, text: str) -> SourceFile:
    data = text.encode()
    return SourceFile(path, text, digest_bytes(data), len(data))


def test_each_format_maps_to_its_rule_at_its_default_severity() -> None:
    schema = parse_prisma_schema(_src("prisma/schema.prisma", "model User {\n  id Int @id\n"))
    sql = parse_migration_sql(
        _src("m/1_init/migration.sql", 'ALTER TABLE "A" ADD COLUMN;\n'), "postgresql"
    )
    compose = parse_compose_text("services:\n  db:\n  db:\n", "compose.yaml")
    assert schema.problems and sql.problems and compose.problems
    assert (rule_of(schema), rule_of(sql), rule_of(compose)) == ("KD505", "KD612", "KD001")
    problem = ParseProblem(ProblemKind.SYNTAX, "broken", Location("a.sh", 3, 4))
    finding = finding_of(problem, "KD612")
    assert (finding.rule, finding.severity, finding.message, finding.location) == (
        "KD612",
        Severity.MEDIUM,
        "broken",
        Location("a.sh", 3, 4),
    )
    assert finding_of(problem).severity == Severity.HIGH and finding_of(problem).rule == "KD001"


def test_broken_files_become_located_findings_of_their_rule(write_tree) -> None:
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    image: x\n",
            "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n',
            "prisma/migrations/1_init/migration.sql": 'CREATE TABLE "A" ("id" INT;\n',
            "package.json": '{"scripts": {"start": "node x.js",}}\n',
        }
    )
    got = {
        (f.rule, f.severity, f.location.path, f.location.line)
        for f in analyze(root).findings
        if f.rule in ("KD001", "KD505", "KD612")
    }
    assert ("KD001", Severity.HIGH, "docker-compose.yml", 4) in got
    assert ("KD001", Severity.HIGH, "package.json", 1) in got
    assert ("KD612", Severity.MEDIUM, "prisma/migrations/1_init/migration.sql", 1) in got
    assert any(r == "KD505" and p == "prisma/schema.prisma" for r, _, p, _ in got), got
