"""`keepdata check` in CI: output formats, selection, several roots, exit codes, conventions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from analysis.model import Finding, Location, Severity
from analysis.report.ci_formats import Located, format_github, github_annotation
from tests.conftest import EXAMPLES, REPO
from tui.cli import main

SEED = EXAMPLES / "seed-app"
RISKY = EXAMPLES / "risky-app"

# The GitLab Code Quality report format (docs.gitlab.com, "Code Quality report format"):
# the fields GitLab reads, with the severities it accepts.
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}

# GitHub workflow commands: `::level file=F,line=N[,endLine=N][,col=N],title=T::message`, one
# per line, with `%`, CR and LF escaped in the message and also `:` and `,` in properties.
ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=[^,:\n]+,line=\d+(,endLine=\d+)?(,col=\d+)?,"
    r"title=[^,:\n]+::[^\r\n]*$"
)


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR")
    }
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
        check=False,
    )


def test_github_annotations_are_well_formed_and_point_into_the_repository() -> None:
    out = run("check", "examples/risky-app", "--format", "github")
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert len(lines) > 50
    for line in lines:
        assert ANNOTATION.match(line), line
    assert any(line.startswith("::error file=examples/risky-app/") for line in lines)
    assert all("::notice" not in line or "(info)" in line for line in lines)


def test_github_escaping() -> None:
    f = Finding("KD602", Severity.HIGH, "100% gone\nreally: yes, all", Location("a,b:c.sql", 3))
    line = github_annotation(Located(f, "db/a,b:c.sql"))
    assert line == (
        "::error file=db/a%2Cb%3Ac.sql,line=3,title=KD602 drop-column (high)"
        "::100%25 gone%0Areally: yes, all"
    )
    assert format_github([]) == ""


def test_under_github_actions_text_and_annotations_both() -> None:
    out = run("check", "examples/risky-app", env={"GITHUB_ACTIONS": "true"})
    assert re.search(r"^\S+:\d+:\d+: critical KD201 ", out.stdout, re.M)
    assert re.search(r"^::error file=examples/risky-app/", out.stdout, re.M)
    assert "findings:" in out.stdout


def test_gitlab_code_quality_validates_and_fingerprints_are_unique() -> None:
    out = run("check", "examples/risky-app", "--format", "gitlab")
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, GITLAB_SCHEMA)
    assert len({d["fingerprint"] for d in doc}) == len(doc)
    assert {d["severity"] for d in doc} >= {"blocker", "critical", "major"}
    assert all(d["location"]["path"].startswith("examples/risky-app/") for d in doc)
    again = json.loads(run("check", "examples/risky-app", "--format", "gitlab").stdout)
    assert [d["fingerprint"] for d in again] == [d["fingerprint"] for d in doc]


def test_junit_is_one_failed_case_per_finding_and_one_passing_case_when_clean(
    tmp_path: Path,
) -> None:
    out = run("check", "examples/risky-app", "--format", "junit")
    suite = ET.fromstring(out.stdout).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert int(suite.get("failures", "-1")) == len(cases) > 50
    assert all(c.find("failure") is not None for c in cases)
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    clean = ET.fromstring(run("check", str(tmp_path), "--format", "junit").stdout)
    suite = clean.find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert [c.find("failure") for c in suite.findall("testcase")] == [None]


def test_sarif_from_check_and_its_exit_code() -> None:
    out = run("check", "examples/risky-app", "--format", "sarif")
    assert out.returncode == 1
    log = json.loads(out.stdout)
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) > 50


def test_output_file_quiet_statistics_exit_zero(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    out = run("check", "examples/risky-app", "-o", str(target))
    assert out.returncode == 1 and out.stdout == ""
    assert "wrote" in out.stderr and " files" in target.read_text().splitlines()[-1]
    quiet = run("check", "examples/risky-app", "-q")
    assert "findings:" not in quiet.stdout and quiet.stdout.count("\n") > 50
    stats = run("check", "examples/risky-app", "--statistics")
    rows = [line.split("\t") for line in stats.stdout.splitlines()]
    counts = {r[1]: int(r[0]) for r in rows}
    assert counts["KD501"] >= counts["KD602"] > 0
    assert [int(r[0]) for r in rows] == sorted((int(r[0]) for r in rows), reverse=True)
    assert run("check", "examples/risky-app", "--exit-zero").returncode == 0


def test_select_extend_select_ignore() -> None:
    only = run("check", "examples/risky-app", "--select", "KD6", "--format", "json")
    rules = {f["rule"] for f in json.loads(only.stdout)["findings"]}
    assert rules and all(r.startswith("KD6") for r in rules)
    more = run(
        "check",
        "examples/risky-app",
        "--select",
        "drop-column",
        "--extend-select",
        "KD201",
        "--format",
        "json",
    )
    assert {f["rule"] for f in json.loads(more.stdout)["findings"]} == {"KD602", "KD201"}
    less = run("check", "examples/risky-app", "--ignore", "KD2,KD6", "--format", "json")
    rules = {f["rule"] for f in json.loads(less.stdout)["findings"]}
    assert rules and not any(r.startswith(("KD2", "KD6")) for r in rules)
    bad = run("check", "examples/risky-app", "--select", "KD6O2")
    assert bad.returncode == 2 and "did you mean KD602?" in bad.stderr


def test_exclude_leaves_the_files_out() -> None:
    out = run(
        "check", "examples/risky-app", "--exclude", "docker-compose.prod.yml", "--format", "json"
    )
    paths = {f["path"] for f in json.loads(out.stdout)["findings"]}
    assert "docker-compose.prod.yml" not in paths and "docker-compose.yml" in paths


def test_several_paths_prefix_and_the_worst_exit_code_wins() -> None:
    out = run("check", "examples/seed-app", "examples/risky-app")
    assert out.returncode == 1
    assert re.search(r"^examples/risky-app/\S+:\d+:\d+: ", out.stdout, re.M)
    assert re.search(r"^examples/seed-app/prisma/schema.prisma:\d+", out.stdout, re.M)
    assert re.search(r"^examples/seed-app: \d+ findings", out.stdout, re.M)
    doc = json.loads(
        run("check", "examples/seed-app", "examples/risky-app", "--format", "json").stdout
    )
    assert [r["root"] for r in doc["roots"]] == ["examples/seed-app", "examples/risky-app"]
    assert run("check", "examples/seed-app").returncode == 0


def test_colour_only_on_a_terminal_or_when_asked() -> None:
    plain = run("check", "examples/seed-app")
    assert "\x1b[" not in plain.stdout
    forced = run("check", "examples/seed-app", "--color", "always")
    assert "\x1b[1mprisma/schema.prisma\x1b[0m" in forced.stdout
    assert "\x1b[" in run("check", "examples/seed-app", env={"FORCE_COLOR": "1"}).stdout
    assert (
        "\x1b["
        not in run("check", "examples/seed-app", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    )


def test_version_and_typos(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("-V", "--version"):
        assert main([flag]) == 0
        assert capsys.readouterr().out.strip().startswith("keepdata ")
    assert main(["chek", "."]) == 2
    assert "did you mean 'check'?" in capsys.readouterr().err
    assert main(["explain", "KD6O2"]) == 2
    assert "did you mean KD602?" in capsys.readouterr().err
    assert main(["no-such-folder-or-command"]) == 2
    assert "not a command" in capsys.readouterr().err


def _git(root: Path, *args: str) -> None:
    from analysis.gitread import git_env

    env = {
        **git_env(),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture
def branch_repo(tmp_path: Path) -> Path:
    """A repository whose main has a project with findings, and a branch that changes one
    script (a new `db push --accept-data-loss`) and leaves the rest alone."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "docker-compose.yml").write_text(
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_PASSWORD: postgres\n  app:\n    build: .\n"
        '    command: ["sh", "./start.sh"]\n'
    )
    (root / "Dockerfile").write_text("FROM node:20\nWORKDIR /app\nCOPY . .\n")
    (root / "start.sh").write_text("#!/bin/sh\nnpx prisma migrate deploy\nnode server.js\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "checkout", "-q", "-b", "feature")
    (root / "start.sh").write_text(
        "#!/bin/sh\nnpx prisma db push --accept-data-loss\nnode server.js\n"
    )
    return root


def test_since_keeps_the_findings_of_changed_files(branch_repo: Path) -> None:
    everything = json.loads(run("check", str(branch_repo), "--format", "json").stdout)
    assert {f["path"] for f in everything["findings"]} > {"start.sh"}  # KD101 etc. elsewhere
    out = run("check", str(branch_repo), "--since", "main", "--format", "json")
    found = json.loads(out.stdout)["findings"]
    assert found and all(
        f["path"] == "start.sh" or any(r["path"] == "start.sh" for r in f["related"]) for f in found
    )
    assert "KD201" in {f["rule"] for f in found} and out.returncode == 1
    _git(branch_repo, "commit", "-qam", "push")  # committed: still changed against main
    again = json.loads(run("check", str(branch_repo), "--since", "main", "--format", "json").stdout)
    assert {f["rule"] for f in again["findings"]} == {f["rule"] for f in found}
    same = json.loads(run("check", str(branch_repo), "--since", "HEAD", "--format", "json").stdout)
    assert same["findings"] == []


def test_staged_keeps_the_findings_of_staged_files(branch_repo: Path) -> None:
    assert (
        json.loads(run("check", str(branch_repo), "--staged", "--format", "json").stdout)[
            "findings"
        ]
        == []
    )  # the edit is not staged yet
    _git(branch_repo, "add", "start.sh")
    staged = json.loads(run("check", str(branch_repo), "--staged", "--format", "json").stdout)
    assert "KD201" in {f["rule"] for f in staged["findings"]}


def test_since_needs_git_and_a_commit(branch_repo: Path, tmp_path: Path) -> None:
    bad = run("check", str(branch_repo), "--since", "no-such-branch")
    assert bad.returncode == 2 and "names no commit" in bad.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "docker-compose.yml").write_text("services: {}\n")
    assert run("check", str(plain), "--since", "main").returncode == 2
