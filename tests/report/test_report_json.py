"""`report --format json`: the check contract, extended, and its shipped JSON Schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from analysis.model import Finding, Location, Severity, Suppression
from analysis.pipeline import run
from analysis.report.check_output import check_json
from analysis.report.json_report import SCHEMA_FILE, report_json, to_jsonable
from analysis.report.render import render
from tests.conftest import EXAMPLES
from tests.report.results import with_findings

SCHEMA = json.loads(SCHEMA_FILE.read_text())


def validate(data: dict) -> None:
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_schema_is_valid_2020_12_and_ships_in_the_package() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA_FILE.parent.name == "report" and SCHEMA_FILE.parent.parent.name == "analysis"


@pytest.fixture
def analysis(write_tree):
    root = write_tree(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres\n"
            "    environment:\n      POSTGRES_PASSWORD: hunter2\n",
        }
    )
    a = run(root)
    findings = (
        Finding("KD101", Severity.CRITICAL, "db loses data", Location("docker-compose.yml", 3)),
        Finding(
            "KD401",
            Severity.MEDIUM,
            "literal password in postgresql://u:hunter2@db/x",
            Location("docker-compose.yml", 5),
            suppressed=Suppression(Location("docker-compose.yml", 4), "test fixture"),
        ),
    )
    return with_findings(a, findings, read=("docker-compose.yml",))


def test_extends_the_check_contract_without_breaking_it(analysis) -> None:
    data = json.loads(render(analysis, "json", "proj"))
    validate(data)
    contract = check_json(analysis, "proj")
    for key, value in contract.items():
        assert data[key] == value
    assert data["verdict"]["level"] == "UNSAFE"
    assert data["verdict"]["decided_by"]["rule"] == "KD101"
    assert data["verdict"]["areas"][0]["id"] == "persistence"
    assert data["report"]["format"] == "keepdata-report"
    assert len(data["checklist"]["items"]) == 18
    assert set(data["facts"]) >= {"compose_stacks", "databases", "startup_paths", "unavailable"}
    assert "hunter2" not in json.dumps(data)


def test_pass_items_carry_located_evidence_in_the_schema(analysis) -> None:
    data = report_json(analysis, "proj")
    item = next(i for i in data["checklist"]["items"])
    bad = dict(item, status="pass", evidence=[])
    data["checklist"]["items"][0] = bad
    with pytest.raises(AssertionError):
        validate(data)


def test_fact_records_become_json_with_secrets_masked() -> None:
    @dataclass(frozen=True)
    class Var:
        name: str
        value: str | None
        location: Location

    @dataclass(frozen=True)
    class Service:
        name: str
        env: tuple[Var, ...]
        tags: frozenset[str]

    svc = Service(
        "db",
        (
            Var("POSTGRES_PASSWORD", "hunter2", Location("c.yml", 5)),
            Var("POSTGRES_USER", "app", Location("c.yml", 4)),
            Var("DB_PASSWORD", "${DB_PASSWORD}", Location("c.yml", 6)),
            Var("DATABASE_URL", "postgresql://app:hunter2@db/app", Location("c.yml", 7)),
        ),
        frozenset({"b", "a"}),
    )
    out = to_jsonable(svc)
    assert out["env"][0] == {
        "name": "POSTGRES_PASSWORD",
        "value": "****",
        "location": {"path": "c.yml", "line": 5, "column": 1, "end_line": 5},
    }
    assert out["env"][1]["value"] == "app"
    assert out["env"][2]["value"] == "${DB_PASSWORD}"
    assert out["env"][3]["value"] == "postgresql://app:****@db/app"
    assert out["tags"] == ["a", "b"]
    assert to_jsonable({"API_TOKEN": "abc", "x": 1}) == {"API_TOKEN": "****", "x": 1}


def test_same_analysis_same_json_except_the_time(analysis) -> None:
    one = render(analysis, "json", "proj").splitlines()
    two = render(analysis, "json", "proj").splitlines()
    assert [x for x, y in zip(one, two, strict=True) if x != y] in ([], [one[_line(one)]])


def _line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if '"generated_at"' in line)


@pytest.mark.parametrize("example", ["seed-app", "risky-app"])
def test_examples_validate(example: str) -> None:
    root = EXAMPLES / example
    if not root.is_dir():
        pytest.skip(f"examples/{example} is not there yet")
    data = json.loads(render(run(root), "json", f"examples/{example}"))
    validate(data)
    assert data["files"] and all(not Path(f["path"]).is_absolute() for f in data["files"])
