"""The inspector in a real terminal (tmux), on a copy of the risky example: the help screen
reads in full at 100 columns, the drill-down's `]` moves the title to the related location,
and the export writes into the project's root and asks before replacing the file.
Assertions are on the text tmux captured, as a user would read it."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, REPO
from tests.tui.test_tui_terminal import Tmux, pytestmark  # noqa: F401 (skipped without tmux)
from tests.tui.test_tui_terminal import tmux as tmux_session  # noqa: F401 (a fixture)


def test_help_drilldown_related_and_export_in_tmux(tmux_session: Tmux, tmp_path: Path) -> None:  # noqa: F811
    tmux = tmux_session
    project = tmp_path / "risky-app"
    shutil.copytree(EXAMPLES / "risky-app", project)
    command = f"cd {REPO} && KEEPDATA_ALL_MIGRATIONS=1 {sys.executable} -m tui --no-watch {project}"
    tmux.run(
        "new-session", "-d", "-x", "100", "-y", "30", "-s", "kd",
        "-e", "TERM=xterm-256color", command,
    )  # fmt: skip
    tmux.run("set-option", "-t", "kd", "remain-on-exit", "on")
    tmux.wait_for(lambda s: "Verified Safe Operations" in s and "Findings (" in s)

    # ? : grouped by where keys apply, one row per key, the descriptions whole
    tmux.run("send-keys", "-t", "kd", "?")
    screen = tmux.wait_for(lambda s: "Everywhere" in s)
    assert "Show the Overview pane" in screen
    assert "Pause watching (in the drill-down p is the previous" in screen
    # p pauses and resumes: one row (it was two, plus the drill-down's)
    p_rows = [line for line in screen.splitlines() if re.search(r"█\s+p\s{3,}\S", line)]
    assert len(p_rows) == 1, p_rows
    tmux.run("send-keys", "-t", "kd", "Escape")
    tmux.wait_for(lambda s: "Everywhere" not in s)

    # the drill-down on the worst finding, then ] to its related location
    tmux.run("send-keys", "-t", "kd", "5")
    tmux.wait_for(lambda s: "findings  ·  sorted by severity" in s)
    tmux.run("send-keys", "-t", "kd", "Enter")
    screen = tmux.wait_for(lambda s: "KD102 db-volume-wrong-path" in s and "► " in s)
    assert "docker-compose.prod.yml:11" in screen
    tmux.run("send-keys", "-t", "kd", "]")
    screen = tmux.wait_for(lambda s: "(related 1 of 1)" in s and "4 ►" in s)
    assert "docker-compose.prod.yml:4  (related 1 of 1)" in screen
    assert "4 ►     image: postgres:14.2" in screen  # the related line, marked
    tmux.run("send-keys", "-t", "kd", "Escape")
    # (a key right after Escape would reach the app as Alt+key: wait for the close first)
    tmux.wait_for(lambda s: "related 1 of 1" not in s and "sorted by severity" in s)

    # e : into the project's root by default; a second export asks before replacing
    tmux.run("send-keys", "-t", "kd", "e")
    screen = tmux.wait_for(lambda s: "Export" in s and "keepdata-report.md" in s)
    assert "File, in" in screen
    tmux.run("send-keys", "-t", "kd", "Tab")
    tmux.run("send-keys", "-t", "kd", "Enter")
    report = project / "keepdata-report.md"
    tmux.wait_for(lambda s: "wrote" in s)
    assert report.is_file() and "UNSAFE" in report.read_text()
    before = report.read_text()
    tmux.run("send-keys", "-t", "kd", "e")
    screen = tmux.wait_for(lambda s: "a file of that name exists" in s)
    tmux.run("send-keys", "-t", "kd", "Tab")
    tmux.run("send-keys", "-t", "kd", "Enter")
    screen = tmux.wait_for(lambda s: "Overwrite it?" in s)
    tmux.run("send-keys", "-t", "kd", "Escape")
    tmux.wait_for(lambda s: "Overwrite it?" not in s)
    assert report.read_text() == before
    tmux.run("send-keys", "-t", "kd", "q")
    tmux.wait_for(lambda s: "sorted by severity" not in s)
