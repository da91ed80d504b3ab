"""`keepdata examples/seed-app` in a real terminal (tmux): it draws, answers keys and quits
cleanly with exit status 0."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is missing")


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=check
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "kd").stdout

    def wait_for(self, check: Callable[[str], bool], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"the screen never matched; last screen:\n{text}")

    def pane(self, fmt: str) -> str:
        return self.run("display-message", "-p", "-t", "kd", fmt).stdout.strip()


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    t = Tmux(f"keepdata-test-{os.getpid()}")
    yield t
    t.run("kill-server", check=False)


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
