"""SARIF 2.1.0 output, validated against the official OASIS schema (vendored)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from analysis import pipeline
from analysis.catalog import RULES
from analysis.model import Finding, Location, Related, Severity, Suppression
from analysis.report.render import render
from analysis.report.sarif import FINGERPRINT_KEY, LEVELS, fingerprint_base, sarif_log
from analysis.result import Result
from analysis.sources import SourceFile
from tests.conftest import EXAMPLES, REPO
from tests.report.results import with_findings

SCHEMA = json.loads((REPO / "tests/fixtures/sarif/sarif-schema-2.1.0.json").read_text())

COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: hunter2
  backend:
    build: .
    environment:
      DATABASE_URL: postgresql://app:hunter2@db:5432/app
"""


def validate(log: dict) -> None:
    validator = jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_vendored_schema_is_the_official_draft_04_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert "result" in SCHEMA["definitions"] and "suppression" in SCHEMA["definitions"]


def synthetic(root: Path) -> Result:
    """An analysis of a real tree with findings of every shape SARIF must carry."""
    a = pipeline.run(root)
    findings = [
        Finding(
            "KD201",
            Severity.CRITICAL,
            "prisma db push --accept-data-loss runs on every start (postgresql://u:hunter2@db/x)",
            Location("start.sh", 3, 1),
            related=(
                Related(Location("docker-compose.yml", 7), "the service whose start runs it"),
            ),
        ),
        Finding(
            "KD403",
            Severity.MEDIUM,
            "port 5432 published on all interfaces",
            Location("docker-compose.yml", 2, 5, end_line=3),
            suppressed=Suppression(Location("docker-compose.yml", 1), "local only"),
        ),
        Finding(
            "KD501",
            Severity.INFO,
            "Session.user cascades",
            Location("prisma/schema.prisma", 4),
            suppressed=Suppression(Location("keepdata.toml", 3), "ignored in keepdata.toml"),
        ),
        Finding("KD212", Severity.LOW, "db has no healthcheck", Location("docker-compose.yml", 2)),
    ]
    return with_findings(a, findings, read=[f.location.path for f in findings])


@pytest.fixture
def project(write_tree) -> Path:
    return write_tree(
        {
            "docker-compose.yml": COMPOSE,
            "start.sh": "#!/bin/sh\nset -e\nnpx prisma db push --accept-data-loss\nexec node x\n",
            "prisma/schema.prisma": "model A {\n  id Int @id\n}\n\n",
            "keepdata.toml": "[ignore]\n\nrules = ['KD501']\n",
        }
    )


def test_synthetic_findings_validate_and_map_every_field(project: Path) -> None:
    log = json.loads(render(synthetic(project), "sarif", "proj"))
    validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "keepdata" and driver["version"]
    assert "informationUri" not in driver  # no address that may not exist
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    for rule, descriptor in zip(RULES, driver["rules"], strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["defaultConfiguration"]["level"] == LEVELS[rule.severity]
        assert rule.area in descriptor["properties"]["tags"]
        assert descriptor["shortDescription"]["text"] and descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] and descriptor["help"]["markdown"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"KD201", "KD403", "KD501", "KD212"}
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    crit = results["KD201"]
    assert crit["level"] == "error"
    loc = crit["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "start.sh", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3}
    rel = crit["relatedLocations"][0]
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "docker-compose.yml"
    assert rel["physicalLocation"]["region"]["startLine"] == 7
    assert rel["message"]["text"] == "the service whose start runs it"
    assert results["KD403"]["locations"][0]["physicalLocation"]["region"]["endLine"] == 3
    assert results["KD403"]["level"] == "warning" and results["KD212"]["level"] == "note"
    assert results["KD403"]["suppressions"][0]["kind"] == "inSource"
    assert results["KD403"]["suppressions"][0]["justification"] == "local only"
    assert results["KD501"]["suppressions"][0]["kind"] == "external"
    assert "suppressions" not in results["KD201"]
    assert all(FINGERPRINT_KEY in r["partialFingerprints"] for r in run["results"])


def test_secrets_are_masked(project: Path) -> None:
    out = render(synthetic(project), "sarif", "proj")
    assert "hunter2" not in out
    assert "postgresql://u:****@db/x" in out


def test_fingerprints_survive_lines_added_above_and_a_second_run() -> None:
    before = SourceFile("start.sh", "#!/bin/sh\nnpx prisma db push --accept-data-loss\n", "a", 1)
    after = SourceFile(
        "start.sh", "#!/bin/sh\nset -e\necho hi\nnpx prisma db push --accept-data-loss\n", "b", 1
    )
    f1 = Finding("KD201", Severity.CRITICAL, "db push at line 2", Location("start.sh", 2))
    f2 = Finding("KD201", Severity.CRITICAL, "db push at line 4", Location("start.sh", 4))
    assert fingerprint_base({"start.sh": before}, f1) == fingerprint_base({"start.sh": after}, f2)
    other = Finding("KD202", Severity.CRITICAL, "db push at line 2", Location("start.sh", 2))
    assert fingerprint_base({"start.sh": before}, f1) != fingerprint_base(
        {"start.sh": before}, other
    )


def test_same_findings_same_log_except_the_time(project: Path) -> None:
    a = synthetic(project)
    one = render(a, "sarif", "proj").splitlines()
    two = render(synthetic(project), "sarif", "proj").splitlines()
    diff = [(x, y) for x, y in zip(one, two, strict=True) if x != y]
    assert all('"endTimeUtc"' in x for x, _ in diff)
    log = sarif_log(a, "proj")
    assert len({json.dumps(r["partialFingerprints"]) for r in log["runs"][0]["results"]}) == 4


def test_artifacts_carry_the_sha256_of_each_file(project: Path) -> None:
    log = sarif_log(synthetic(project), "proj")
    artifacts = {a["location"]["uri"]: a for a in log["runs"][0]["artifacts"]}
    assert "start.sh" in artifacts
    import hashlib

    data = (project / "start.sh").read_bytes()
    assert artifacts["start.sh"]["hashes"]["sha-256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("example", ["seed-app", "risky-app"])
def test_examples_validate(example: str) -> None:
    root = EXAMPLES / example
    if not root.is_dir():
        pytest.skip(f"examples/{example} is not there yet")
    log = json.loads(render(pipeline.run(root), "sarif", f"examples/{example}"))
    validate(log)
    for r in log["runs"][0]["results"]:
        assert not Path(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        ).is_absolute()


def test_security_severity_for_code_scanning(project: Path) -> None:
    """GitHub code scanning grades alerts by `security-severity` (over 9.0 critical, 7.0-8.9
    high, 4.0-6.9 medium, 0.1-3.9 low): critical and high must not both read "error" alike."""
    run = sarif_log(synthetic(project), "proj")["runs"][0]
    by_id = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    scale = {r.id: r.severity for r in RULES}
    for rule_id, descriptor in by_id.items():
        value = descriptor["properties"].get("security-severity")
        sev = scale[rule_id]
        if sev == Severity.INFO:
            assert value is None, rule_id
            continue
        score = float(value)
        band = {
            Severity.CRITICAL: (9.0, 10.0),
            Severity.HIGH: (7.0, 8.9),
            Severity.MEDIUM: (4.0, 6.9),
            Severity.LOW: (0.1, 3.9),
        }[sev]
        assert band[0] <= score <= band[1], rule_id
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["KD201"]["properties"]["security-severity"] == "9.5"


def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    """Code scanning resolves a result's URI against the repository: a project analyzed in
    apps/api must name apps/api/docker-compose.yml, not docker-compose.yml."""
    repo = tmp_path / "repo"
    app = repo / "apps" / "api"
    app.mkdir(parents=True)
    (repo / ".git").mkdir()  # git_dir_of reads the file system only
    (app / "docker-compose.yml").write_text(COMPOSE)
    log = sarif_log(pipeline.run(app), "apps/api")
    validate(log)
    run = log["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"apps/api/docker-compose.yml"}
    assert {a["location"]["uri"] for a in run["artifacts"]} >= {"apps/api/docker-compose.yml"}
    assert "work tree" in run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
    assert run["properties"]["rootInRepository"] == "apps/api"
    (repo / ".git").rmdir()  # outside git: relative to the analyzed root, as before
    outside = sarif_log(pipeline.run(app), "apps/api")["runs"][0]
    assert (
        outside["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "docker-compose.yml"
    )
