"""Shared by the inspector's tests in a real terminal: a tmux server of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

TMUX = shutil.which("tmux")


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
    """A tmux server on its own socket, killed afterwards; the test is skipped without tmux."""
    if TMUX is None:
        pytest.skip("tmux is missing")
    t = Tmux(f"keepdata-test-{os.getpid()}")
    yield t
    t.run("kill-server", check=False)
