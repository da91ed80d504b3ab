"""The pre-commit hook manifest and the GitHub Action: their files are well formed, the hook's
`files` pattern matches what keepdata reads, and the action's script, run locally against the
examples, writes the job summary and outputs and exits with `keepdata check`'s code."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from analysis.discover import classify
from tests.conftest import EXAMPLES, REPO

HOOKS = REPO / ".pre-commit-hooks.yaml"
ACTION_DIR = REPO / ".github" / "actions" / "keepdata"
ACTION = ACTION_DIR / "action.yml"
SCRIPT = ACTION_DIR / "run.py"


# -- the pre-commit hook -------------------------------------------------------------------
def hook() -> dict[str, Any]:
    doc = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(doc, list) and len(doc) == 1
    return dict(doc[0])


def test_hook_manifest_has_what_pre_commit_requires() -> None:
    h = hook()
    # pre-commit's manifest schema: id, name, entry and language are required
    for key in ("id", "name", "entry", "language"):
        assert isinstance(h.get(key), str) and h[key], key
    assert h["id"] == "keepdata"
    assert h["entry"] == "keepdata check"
    assert h["language"] == "python"
    assert h["pass_filenames"] is False
    re.compile(h["files"])
    # the entry is the console script this package installs
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[h["entry"].split()[0]] == "tui.cli:run"


def test_pre_commit_itself_accepts_the_manifest() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    [loaded] = clientlib.load_manifest(str(HOOKS))
    assert loaded["id"] == "keepdata" and loaded["pass_filenames"] is False


def _files_pattern() -> re.Pattern[str]:
    return re.compile(hook()["files"])


def example_files() -> list[tuple[str, str]]:
    """(path from the repository root, path from the example's root) of every example file."""
    out = []
    for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for f in sorted(example.rglob("*")):
            if f.is_file():
                out.append((f.relative_to(REPO).as_posix(), f.relative_to(example).as_posix()))
    return out


def test_files_pattern_matches_exactly_what_keepdata_reads_in_the_examples() -> None:
    pattern = _files_pattern()
    files = example_files()
    assert len(files) > 50
    wrong = [
        (repo_rel, classify(rel))
        for repo_rel, rel in files
        if bool(pattern.search(repo_rel)) != (classify(rel) is not None)
    ]
    assert not wrong
    matched = {repo_rel.rsplit("/", 1)[-1] for repo_rel, _ in files if pattern.search(repo_rel)}
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore", "schema.prisma"):
        assert name in matched
    assert "migration.sql" in matched and "package.json" in matched


READ = [
    "docker-compose.yml",
    "compose.yaml",
    "apps/api/docker-compose.prod.yml",
    "docker-compose-dev.yaml",
    "docker-compose.override.yml",
    "Dockerfile",
    "docker/Dockerfile.worker",
    "api.dockerfile",
    "Containerfile",
    ".dockerignore",
    "api.Dockerfile.dockerignore",
    "scripts/entrypoint.sh",
    "bin/wait.bash",
    "package.json",
    "apps/web/package.json",
    ".env",
    ".env.production",
    "docker/db.env",
    "prisma/schema.prisma",
    "prisma/schema/user.prisma",
    "prisma/migrations/20240101000000_init/migration.sql",
    "prisma/migrations/migration_lock.toml",
    "prisma.config.ts",
    "fly.toml",
    "render.yaml",
    "railway.json",
    "railway.toml",
    "vercel.json",
    "Procfile",
    "Makefile",
    "keepdata.toml",
    ".keepdata.toml",
    ".gitignore",
]
NOT_READ = [
    "README.md",
    "src/index.ts",
    "package-lock.json",
    "docs/compose.md",
    "migration.sql",
    "prisma/migration.sql",
    "src/app.py",
    ".github/workflows/ci.yml",
    "src/environment.ts",
    ".envrc",
    "config/settings.yaml",
    "prisma.config.json",
    "docker-compose.yml.bak",
    "Dockerfile-old/readme.txt",
]


@pytest.mark.parametrize("path", READ)
def test_files_pattern_matches_what_keepdata_reads(path: str) -> None:
    assert classify(path) is not None
    assert _files_pattern().search(path), path


@pytest.mark.parametrize("path", NOT_READ)
def test_files_pattern_skips_what_keepdata_does_not_read(path: str) -> None:
    assert classify(path) is None
    assert not _files_pattern().search(path), path


# -- the action's files --------------------------------------------------------------------
def action() -> dict[str, Any]:
    doc = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def test_action_is_a_composite_with_described_inputs() -> None:
    doc = action()
    assert doc["name"] and doc["description"]
    inputs = doc["inputs"]
    for name in ("path", "fail-on", "format", "sarif", "version"):
        assert name in inputs
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert "default" in spec and isinstance(spec["default"], str), name
    assert doc["runs"]["using"] == "composite"
    steps = doc["runs"]["steps"]
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") in ("bash", "python", "pwsh", "sh"), step
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_action_references_existing_files_inputs_and_outputs() -> None:
    text = ACTION.read_text(encoding="utf-8")
    doc = action()
    # every `inputs.X` used is declared
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used <= set(doc["inputs"]), used - set(doc["inputs"])
    # the run step runs the script beside action.yml
    runs = [s for s in doc["runs"]["steps"] if "run" in s]
    assert len(runs) == 1
    for name in re.findall(r"\$GITHUB_ACTION_PATH/([\w./-]+)", runs[0]["run"]):
        assert (ACTION_DIR / name).is_file(), name
    assert "run.py" in runs[0]["run"]
    # the script reads exactly the INPUT_* variables the step sets
    script = SCRIPT.read_text(encoding="utf-8")
    read = set(re.findall(r'"(INPUT_[A-Z_]+)"', script))
    assert read == set(runs[0]["env"]), (read, set(runs[0]["env"]))
    for var, value in runs[0]["env"].items():
        name = var.removeprefix("INPUT_").lower().replace("_", "-")
        assert value == "${{ inputs." + name + " }}"
    # the outputs come from the step's outputs, which the script writes
    for name, spec in doc["outputs"].items():
        assert spec["value"] == "${{ steps." + runs[0]["id"] + ".outputs." + name + " }}"
        assert f'"{name}"' in script, name


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("keepdata_action_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_what_the_action_installs() -> None:
    run = load_script()
    assert run.ACTION_ROOT == REPO
    assert run.install_requirement("") == str(REPO)
    assert run.install_requirement("1.2.0") == "keepdata==1.2.0"
    assert run.install_requirement("v1.2.0") == "keepdata==1.2.0"
    git = "git+https://github.com/OWNER/keepdata@main"
    assert run.install_requirement(git) == git
    assert run.install_requirement("keepdata>=1,<2") == "keepdata>=1,<2"
    assert (REPO / "pyproject.toml").is_file()  # `pip install ACTION_ROOT` installs keepdata


def test_internal_runs_drop_options_that_change_the_output() -> None:
    run = load_script()
    args = ["--select", "KD6", "-o", "x.txt", "--statistics", "--config=ci.toml", "--base", "main"]
    check, report = run.internal_args(args)
    assert check == ["--select", "KD6", "--config=ci.toml", "--base", "main"]
    assert report == ["--config=ci.toml", "--base", "main"]


def test_summary_cells_are_escaped() -> None:
    run = load_script()
    assert run.cell("a | b <script>\nc") == "a \\| b &lt;script&gt; c"
    assert run.cell("x" * 400).endswith("…") and len(run.cell("x" * 400)) == run.MESSAGE_CHARS


# -- running the action's script locally ---------------------------------------------------
def run_action(
    tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], str, dict[str, str]]:
    summary = tmp_path / "summary.md"
    output = tmp_path / "output.txt"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "NO_COLOR"))
    }
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SHA": "0123abc",
            "RUNNER_TEMP": str(tmp_path),
            "KEEPDATA_BIN": f"{sys.executable} -m tui",
        }
    )
    env.update({"INPUT_" + k.upper(): v for k, v in inputs.items()})
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = (
        dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        if output.exists()
        else {}
    )
    return proc, summary.read_text() if summary.exists() else "", outputs


def test_action_on_the_risky_example_fails_annotates_and_summarizes(tmp_path: Path) -> None:
    sarif = tmp_path / "keepdata.sarif"
    proc, summary, outputs = run_action(
        tmp_path, path="examples/risky-app", sarif="true", sarif_file=str(sarif)
    )
    assert proc.returncode == 1, proc.stderr
    # the automatic mode under GitHub Actions: text, then workflow annotations
    assert "findings:" in proc.stdout
    assert re.search(r"^::error file=examples/risky-app/[^,]+,line=\d+", proc.stdout, re.M)
    # outputs
    assert outputs["exit-code"] == "1"
    assert outputs["verdict"] == "UNSAFE"
    assert int(outputs["findings"]) > 50
    assert outputs["sarif-file"] == str(sarif)
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]
    # the summary: verdict, sections, counts, top findings linked to the commit
    assert "### `examples/risky-app`: 🔴 UNSAFE" in summary
    assert "| Database Persistence | 🔴 UNSAFE |" in summary
    assert re.search(r"\*\*\d+ findings\*\* \(\d+ critical, \d+ high", summary)
    assert "exit code: **1**" in summary
    assert "#### Top findings (10 of " in summary
    rows = [line for line in summary.splitlines() if line.startswith("| 🔴 critical |")]
    criticals = int(re.search(r"\((\d+) critical", summary)[1])  # type: ignore[index]
    assert len(rows) == min(10, criticals)  # the top ten are the worst
    # each row links the file at the commit, at its line
    assert re.search(
        r"\[`(examples/risky-app/[^`:]+):(\d+)`\]\(https://github\.com/acme/shop/blob/0123abc/"
        r"\1#L\2\)",
        rows[0],
    ), rows[0]
    assert "more in the workflow log and annotations" in summary
    assert "POSTGRES_PASSWORD=" not in summary  # secrets stay masked


def test_action_on_the_seed_example_passes(tmp_path: Path) -> None:
    proc, summary, outputs = run_action(tmp_path, path="examples/seed-app", format="github")
    assert proc.returncode == 0, proc.stderr
    assert outputs == {
        "exit-code": "0",
        "verdict": "SAFE WITH WARNINGS",
        "findings": outputs["findings"],
        "sarif-file": "",
    }
    assert proc.stdout.startswith("::")  # --format github: annotations only
    assert "findings:" not in proc.stdout
    assert "### `examples/seed-app`: 🟡 SAFE WITH WARNINGS" in summary
    assert "exit code: **0** (no finding at or above fail-on" in summary
    assert "KD206" in summary


def test_action_fail_on_input_and_several_paths(tmp_path: Path) -> None:
    proc, summary, outputs = run_action(
        tmp_path, path="examples/seed-app\nexamples/prisma7-app", fail_on="low", summary="true"
    )
    assert proc.returncode == 1
    assert outputs["exit-code"] == "1"
    assert "### `examples/seed-app`" in summary and "### `examples/prisma7-app`" in summary
    assert "exit code: **1** (findings at or above low)" in summary


def test_action_with_a_missing_path_exits_2_and_says_why(tmp_path: Path) -> None:
    proc, summary, outputs = run_action(tmp_path, path="examples/no-such-app")
    assert proc.returncode == 2
    assert outputs["exit-code"] == "2" and outputs["verdict"] == "UNKNOWN"
    assert "keepdata could not analyze the project" in summary
    assert "no-such-app" in summary


def test_action_rejects_a_bad_input(tmp_path: Path) -> None:
    proc, summary, _ = run_action(tmp_path, path="examples/seed-app", fail_on="severe")
    assert proc.returncode == 2
    assert proc.stdout.startswith("::error title=keepdata action::fail-on: 'severe'")
    assert summary == ""


# -- README's copy-paste snippets --------------------------------------------------------------
def _readme_blocks(lang: str, section: str) -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(section)
    end = text.find("\n## ", start + len(section))
    part = text[start : end if end != -1 else None]
    return re.findall(rf"```{lang}\n(.*?)```", part, re.S)


def test_readme_workflow_uses_the_action_with_its_inputs() -> None:
    [workflow, *_] = _readme_blocks("yaml", "### GitHub Actions")
    doc = yaml.safe_load(workflow)
    steps = doc["jobs"]["keepdata"]["steps"]
    [step] = [s for s in steps if "keepdata" in s.get("uses", "")]
    repo_part, _, ref = step["uses"].partition("@")
    assert ref and repo_part.startswith("OWNER/keepdata/")
    assert (REPO / repo_part.removeprefix("OWNER/keepdata/") / "action.yml") == ACTION
    inputs = action()["inputs"]
    assert set(step["with"]) <= set(inputs)
    assert step["with"]["sarif"] in ("true", "false", "upload")
    assert step["with"]["fail-on"] in ("critical", "high", "medium", "low", "info", "never")
    assert doc["permissions"]["security-events"] == "write"
    assert any(s.get("uses", "").startswith("actions/checkout@") for s in steps)


def test_readme_pre_commit_snippet_names_the_hook() -> None:
    [config] = _readme_blocks("yaml", "### pre-commit")
    doc = yaml.safe_load(config)
    [repo] = doc["repos"]
    assert repo["repo"].endswith("/keepdata") and repo["rev"]
    assert [h["id"] for h in repo["hooks"]] == [hook()["id"]]
    clientlib = pytest.importorskip("pre_commit.clientlib")
    cfgv = pytest.importorskip("cfgv")
    cfgv.validate(doc, clientlib.CONFIG_SCHEMA)  # what `pre-commit validate-config` checks


def test_readme_config_example_is_a_valid_keepdata_toml() -> None:
    from analysis.config import parse_config

    [toml] = _readme_blocks("toml", "## Configuration and suppressions")
    config = parse_config(toml, "keepdata.toml")
    assert config.require_reasons is True
    assert config.per_file_ignores[0].pattern.startswith("prisma/migrations/")
