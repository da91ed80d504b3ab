"""Text snapshots (syrupy) of what a user reads on the three examples: `keepdata check` as
text and as JSON, and the Markdown report. A change to any finding, message, summary or
report section shows up here as a diff to review; update with
`python -m pytest tests/report/test_output_snapshots.py --snapshot-update`.

The tests grade every migration as new (`KEEPDATA_ALL_MIGRATIONS=1`, tests/conftest.py), so
no snapshot names a base commit; the report's timestamp is fixed and its git row (the commit
and branch the tests run on) masked.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from syrupy.assertion import SnapshotAssertion

from analysis.pipeline import run
from analysis.report.markdown import render_markdown
from analysis.settings import load
from tests.conftest import EXAMPLES, REPO
from tui.cli import main

EXAMPLE_NAMES = ("seed-app", "risky-app", "prisma7-app")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _masked(text: str) -> str:
    return re.sub(r"^\| Git commit \|.*\|$", "| Git commit | <masked> |", text, flags=re.M)


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
@pytest.mark.parametrize(
    "options", [("--color", "never"), ("--format", "json")], ids=["text", "json"]
)
def test_check(
    example: str,
    options: tuple[str, ...],
    snapshot: SnapshotAssertion,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    main(["check", f"examples/{example}", "--fail-on", "never", *options])
    assert capsys.readouterr().out == snapshot


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_markdown_report(example: str, snapshot: SnapshotAssertion) -> None:
    root = EXAMPLES / example
    md = render_markdown(run(root, load(root)), f"examples/{example}", now=NOW)
    assert _masked(md) == snapshot
