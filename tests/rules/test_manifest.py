"""`analysis/rules/manifest.py`, every rule's metadata, is generated from the rule modules and
never drifts from them: a stale manifest fails here, and a rule module that says something
else than the manifest fails to load (a KD004 at run time, never a silently wrong rule)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.model import Severity
from analysis.rules import manifest_gen, registry
from analysis.rules.manifest import MANIFEST
from analysis.rules.registry import BY_ID, RULES, rule
from tests.conftest import REPO


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    """The generator in a fresh interpreter (it imports every rule module anew)."""
    return subprocess.run(
        [sys.executable, "-m", "analysis.rules.manifest_gen", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_manifest_is_current() -> None:
    done = _generate("--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_stale_manifest_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `--check` does when a rule changed but the manifest was not regenerated."""
    current = manifest_gen.MANIFEST.read_text()
    stale = tmp_path / "manifest.py"
    stale.write_text(
        current.replace(
            "'KD602', 'drop-column', Severity.HIGH", "'KD602', 'drop-column', Severity.LOW"
        )
    )
    assert stale.read_text() != current
    monkeypatch.setattr(manifest_gen, "MANIFEST", stale)
    monkeypatch.setattr(manifest_gen, "render", lambda: current)
    assert manifest_gen.main(["--check"]) == 1
    monkeypatch.setattr(manifest_gen, "MANIFEST", tmp_path / "absent.py")
    assert manifest_gen.main(["--check"]) == 1


def test_every_rule_module_is_in_the_manifest_by_file_name() -> None:
    modules = manifest_gen.rule_modules()
    assert modules == sorted(r.module for r in RULES)
    assert [entry[0] for entry in MANIFEST] == sorted(BY_ID)


def test_a_rule_the_manifest_does_not_list_cannot_be_defined() -> None:
    with pytest.raises(ValueError, match="manifest_gen"):
        rule(
            "KD999",
            "not-listed",
            Severity.LOW,
            area="migrations",
            summary="",
            section=None,
            short="",
            rationale="",
            trigger="",
            bad="",
            bad_lang="sql",
            good="",
            good_lang="sql",
            fix="",
            module="analysis.rules.migrations.kd999_not_listed",
        )
    assert "KD999" not in BY_ID and "KD999" not in registry._DEFINED


def test_reading_a_rule_metadata_does_not_import_its_module() -> None:
    code = (
        "import sys\n"
        "from analysis.rules.registry import BY_ID, RULES\n"
        "from analysis.config import parse_config\n"
        "parse_config('ignore = [\"drop-column\", \"KD101\"]\\n', 'keepdata.toml')\n"
        "names = [r.name for r in RULES] + [BY_ID['KD602'].severity.label]\n"
        "print(sum(1 for m in sys.modules if m.startswith('analysis.rules.') and '.kd' in m))\n"
        "BY_ID['KD602'].text\n"
        "print(sorted(m for m in sys.modules if m.startswith('analysis.rules.') and '.kd' in m))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    before, after = done.stdout.splitlines()
    assert before == "0"
    assert after == "['analysis.rules.migrations.kd602_drop_column']"
