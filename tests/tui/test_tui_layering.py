"""The inspector's domain module (what a snapshot holds, what changed, which file changes
matter) runs in a worker thread and in benchmarks without the UI: it must not import Textual."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_tui_watch_does_not_import_textual() -> None:
    code = (
        "import sys, tui.watch;"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_tui_app_imports_textual() -> None:
    """The check above can fail: importing the app does bring Textual in."""
    code = "import sys, tui.app; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"
