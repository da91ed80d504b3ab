"""Contexts (RULES.md "Grading"): persistence and secret findings of development files are one
level lower, of test files info; keepdata.toml [contexts] overrides; production decides the
verdict first."""

from __future__ import annotations

import pytest

from analysis.config import ConfigError, parse_config
from analysis.engine import analyze
from analysis.grading.contexts import DEVELOPMENT, PRODUCTION, TEST, infer_from_path
from analysis.model import Finding, Location, Severity
from analysis.settings import load
from analysis.verdict import Level, verdict_of

DB = """services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
"""
APP = """services:
  app:
    build: .
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
"""


@pytest.mark.parametrize(
    ("path", "context"),
    [
        ("docker-compose.dev.yml", DEVELOPMENT),
        ("docker-compose.override.yml", DEVELOPMENT),
        (".devcontainer/docker-compose.yml", DEVELOPMENT),
        ("devenv/docker-compose.yml", DEVELOPMENT),
        ("compose.e2e.yaml", TEST),
        ("docker/ci/docker-compose.yml", TEST),
        ("docker-compose.test.yml", TEST),
        (".env.test", TEST),
        ("docker-compose.prod.yml", PRODUCTION),
        ("fly.toml", PRODUCTION),
        ("docker/production/compose.yml", PRODUCTION),
        ("docker-compose.yml", None),
        ("services/social/docker-compose.yml", None),  # `ci` is a word, not a substring
        ("latest/docker-compose.yml", None),
    ],
)
def test_inferred_from_names(path: str, context: str | None) -> None:
    found = infer_from_path(path)
    assert (found.context if found else None) == context


def _db_findings(root) -> dict[str, list[Finding]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[Finding]] = {}
    for f in analyze(root, load(root)).active:
        if f.rule in ("KD101", "KD402"):
            out.setdefault(f.location.path, []).append(f)
    return out


def test_dev_one_level_lower_test_info_production_full(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree(
        {
            "docker-compose.yml": APP,
            "docker-compose.dev.yml": APP,
            "compose.e2e.yaml": APP,
        }
    )
    got = _db_findings(root)
    sev = {p: {f.rule: f.severity for f in fs} for p, fs in got.items()}
    assert sev["docker-compose.yml"] == {"KD101": Severity.CRITICAL, "KD402": Severity.HIGH}
    assert sev["docker-compose.dev.yml"] == {"KD101": Severity.HIGH, "KD402": Severity.MEDIUM}
    assert sev["compose.e2e.yaml"] == {"KD101": Severity.INFO, "KD402": Severity.INFO}
    dev = got["docker-compose.dev.yml"][0]
    assert dev.context == DEVELOPMENT and "development context" in dev.message
    assert "`dev`" in dev.message
    assert all(f.context is None for f in got["docker-compose.yml"])


def test_local_only_stack_is_development(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree({"docker-compose.yml": DB, "Procfile": "web: npm start\n"})
    (kd101,) = _db_findings(root)["docker-compose.yml"][:1]
    assert kd101.severity == Severity.HIGH and "local-only" in kd101.message
    assert "Procfile" in kd101.message


def test_database_only_stack_without_another_deploy_path_is_production(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree({"docker-compose.yml": DB})
    assert _db_findings(root)["docker-compose.yml"][0].severity == Severity.CRITICAL


def test_fsync_off_is_test(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree({"docker-compose.yml": APP + "    command: postgres -c fsync=off\n"})
    assert {f.severity for f in _db_findings(root)["docker-compose.yml"]} == {Severity.INFO}


def test_config_contexts_override(write_tree) -> None:  # type: ignore[no-untyped-def]
    root = write_tree(
        {
            "docker-compose.dev.yml": APP,
            "docker-compose.yml": APP,
            "keepdata.toml": '[contexts]\n"docker-compose.dev.yml" = "production"\n'
            '"docker-compose.yml" = "test"\n',
        }
    )
    sev = {p: {f.rule: f.severity for f in fs} for p, fs in _db_findings(root).items()}
    assert sev["docker-compose.dev.yml"]["KD101"] == Severity.CRITICAL
    assert sev["docker-compose.yml"]["KD101"] == Severity.INFO
    assert "[contexts]" in _db_findings(root)["docker-compose.yml"][0].message


def test_config_contexts_validated_with_lines() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config('fail-on = "high"\n[contexts]\n"a/**" = "staging"\n', "keepdata.toml")
    assert err.value.line == 3 and "unknown context 'staging'" in str(err.value)
    with pytest.raises(ConfigError):
        parse_config('[contexts]\n"a/**" = 1\n', "keepdata.toml")


def test_verdict_decided_by_production_first() -> None:
    dev = Finding("KD402", Severity.HIGH, "dev pw", Location(".devcontainer/x.yml", 3))
    dev = Finding(dev.rule, dev.severity, dev.message, dev.location, context=DEVELOPMENT)
    prod = Finding("KD108", Severity.MEDIUM, "unpinned", Location("docker-compose.yml", 2))
    v = verdict_of([dev, prod])
    assert v.level == Level.SAFE_WITH_WARNINGS and v.decided_by == prod
    only_dev = verdict_of([dev])
    assert only_dev.level == Level.AT_RISK and only_dev.decided_by == dev
