"""`keepdata examples/seed-app` in a real terminal (tmux): it draws, answers keys and quits
cleanly with exit status 0."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.conftest import EXAMPLES, REPO
from tests.tui.conftest import Tmux


def test_keepdata_in_tmux_draws_answers_keys_and_quits(tmux: Tmux, tmp_path: Path) -> None:
    status = tmp_path / "status"
    command = f"cd {REPO} && {sys.executable} -m tui examples/seed-app; echo $? > {status}"
    tmux.run(
        "new-session", "-d", "-x", "120", "-y", "40", "-s", "kd",
        "-e", "TERM=xterm-256color", command,
    )  # fmt: skip
    tmux.run("set-option", "-t", "kd", "remain-on-exit", "on")
    # the header and each pane follow the app's snapshot on their own message queues: wait
    # for the checklist's rows as well as the header's time
    screen = tmux.wait_for(
        lambda s: (
            "last analysis" in s
            and "Database volume persists data" in s
            and "Verified Safe Operations" in s
        )
    )
    assert "examples/seed-app" in screen
    assert "watching" in screen
    tmux.run("send-keys", "-t", "kd", "5")
    screen = tmux.wait_for(lambda s: "Sev" in s and "Rule" in s and "of" in s and "findings" in s)
    tmux.run("send-keys", "-t", "kd", "Enter")
    screen = tmux.wait_for(lambda s: "►" in s and "KD206" in s)
    tmux.run("send-keys", "-t", "kd", "Escape")
    tmux.run("send-keys", "-t", "kd", "?")
    tmux.wait_for(lambda s: "Everywhere" in s and "Show the Overview pane" in s)
    tmux.run("send-keys", "-t", "kd", "Escape")
    tmux.wait_for(lambda s: "Everywhere" not in s)
    tmux.run("send-keys", "-t", "kd", "q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and tmux.pane("#{pane_dead}") != "1":
        time.sleep(0.1)
    assert tmux.pane("#{pane_dead}") == "1"
    assert status.read_text().strip() == "0"
    assert (EXAMPLES / "seed-app").is_dir()
