"""Terminal-safe output (issue 16, point 6): file names and file text from the project with
terminal control sequences (OSC title change, clear screen, 8-bit CSI, hyperlinks) never reach
the terminal: not through `keepdata check` (text or JSON), not through the inspector's header,
verdict bar, tables, drill-down or notifications."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.terminal import strip_control, terminal_line
from tests.conftest import EXAMPLES, REPO
from tui.app import KeepdataApp

SEED = EXAMPLES / "seed-app"
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
CSI_8BIT = "\x9b31m"
HYPERLINK = "\x1b]8;;https://evil.example\x1b\\"
HOSTILE = (OSC_TITLE, CLEAR, CSI_8BIT, HYPERLINK, "\x1bc", "\x07", "\x08", "\r", "\x85", "\x7f")

UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach a terminal as text (tab and newline may, where a line allows)."""
UNSAFE_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
"""The same in UTF-8 output: C0 but tab and newline, DEL, and C1 (U+0080..U+009F)."""


def hostile_project(root: Path) -> Path:
    """The seed app plus files whose names and text hold control sequences, each of which
    makes a finding (so its path and message are shown) or is read into the drill-down."""
    shutil.copytree(SEED, root)
    migration = root / "prisma" / "migrations" / f"20990101000000_{OSC_TITLE}drop{CSI_8BIT}"
    migration.mkdir(parents=True)
    (migration / "migration.sql").write_text(
        f"-- {OSC_TITLE}{CLEAR}{HYPERLINK}\n"
        f'DROP TABLE "user{CLEAR}x";\n'
        f'ALTER TABLE "a{CSI_8BIT}" DROP COLUMN "b{OSC_TITLE}";\n'
    )
    (root / "scripts" / f"evil{CLEAR}{OSC_TITLE}.sh").write_text(
        f"#!/bin/sh\n# {HYPERLINK}\x1bc\rnpx prisma db push --accept-data-loss # {OSC_TITLE}\n"
    )
    (root / f"docker-compose.{CSI_8BIT}.yml").write_text(
        f'services:\n  db:\n    image: postgres:16\n    command: "x{CLEAR}y"\n'
    )
    return root


def test_terminal_line_strips_every_hostile_sequence() -> None:
    for seq in HOSTILE:
        for text in (f"a{seq}b", f"{seq}", f"path/{seq}/x.sql"):
            assert not UNSAFE_TEXT.search(terminal_line(text)), repr(text)
            assert "\n" not in terminal_line(text + "\nmore")
    assert terminal_line(f"a{OSC_TITLE}b") == "ab"
    assert terminal_line(f"x{CLEAR}y") == "xy"
    # bidirectional controls reorder what is shown: `admin\u202e` + `lmth.exe` reads as `exe.html`
    assert terminal_line("start.sh\u202eexe.js\u2066x\u2069") == "start.shexe.jsx"
    assert strip_control("one\ntwo") == "one\ntwo"  # many-line text keeps its lines
    assert terminal_line("prisma/migrations/1_init/migration.sql") == (
        "prisma/migrations/1_init/migration.sql"
    )


def run_check(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "check", str(root), "--fail-on", "never", *args],
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )


def test_check_text_output_has_no_control_sequences(tmp_path: Path) -> None:
    root = hostile_project(tmp_path / "app")
    out = run_check(root)
    assert out.returncode == 0, out.stderr
    assert b"KD601" in out.stdout and b"KD201" in out.stdout
    assert b"drop" in out.stdout and b"evil" in out.stdout  # the hostile paths are shown...
    assert not UNSAFE_BYTES.search(out.stdout), out.stdout  # ...without their sequences
    assert not UNSAFE_BYTES.search(out.stderr), out.stderr
    for line in out.stdout.decode().splitlines():
        assert line.strip(), "one line per finding: no line breaks from file names"


def test_check_json_is_terminal_safe_and_keeps_exact_paths(tmp_path: Path) -> None:
    root = hostile_project(tmp_path / "app")
    out = run_check(root, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert not UNSAFE_BYTES.search(out.stdout), out.stdout
    data = json.loads(out.stdout)
    paths = {f["path"] for f in data["findings"]}
    # JSON escapes the sequences; the paths stay exact for the programs that read them
    assert any(OSC_TITLE in p and CSI_8BIT in p for p in paths), paths


def screen_text(app: KeepdataApp) -> list[str]:
    """The text of every segment the screen would write to the terminal now."""
    update = app.screen._compositor.render_full_update()
    return [segment.text for line in update.strips for strip in line for segment in strip]


def assert_screen_safe(app: KeepdataApp, where: str) -> None:
    for text in screen_text(app):
        assert not UNSAFE_TEXT.search(text), f"{where}: {text!r}"


async def test_the_inspector_never_renders_control_sequences(tmp_path: Path) -> None:
    root = hostile_project(tmp_path / f"app{OSC_TITLE}{CSI_8BIT}")
    app = KeepdataApp(root, watch=True, mask_volatile=True)
    async with app.run_test(size=(160, 50)) as pilot:
        snapshot = await app.wait_for_analysis()
        await pilot.pause()
        rules = {f.rule for f in snapshot.active}
        assert {"KD601", "KD201"} <= rules, rules
        assert_screen_safe(app, "header and overview")
        header = str(app.header.render())
        assert "app31m" in header  # the name is shown, its sequences are not
        for key, pane in (("2", "volumes"), ("3", "migrations"), ("4", "relations")):
            await pilot.press(key)
            await pilot.pause()
            assert_screen_safe(app, pane)
        await pilot.press("5")
        await pilot.pause()
        assert_screen_safe(app, "findings")
        for f in snapshot.active:  # every finding in the drill-down, hostile file text too
            await pilot.press("n")
            await pilot.pause()
            assert_screen_safe(app, f"drill-down of {f.rule} {f.location.path!r}")
        await pilot.press("y")  # "copied PATH:LINE"
        await pilot.pause()
        assert_screen_safe(app, "copy notification")
        # a new hostile finding arrives while watching: the notification is safe too
        mark = app.analyses_landed
        script = root / "scripts" / f"new{CLEAR}{OSC_TITLE}.sh"
        script.write_text(
            "npx prisma migrate reset --force\nnpx prisma db push --accept-data-loss\n"
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while app.analyses_landed <= mark or not any(
            "new" in n and "KD201" in n for n in app.notices
        ):
            assert loop.time() < deadline, app.notices
            await pilot.pause(0.05)
        await pilot.pause()
        assert_screen_safe(app, "finding notification")
        for notice in app.notices:
            assert not UNSAFE_TEXT.search(notice), notice


@pytest.mark.parametrize("name", ["evil\x1b]0;x\x07.sh", "a\x9bb.sh"])
def test_terminal_line_is_idempotent(name: str) -> None:
    once = terminal_line(name)
    assert terminal_line(once) == once


def test_every_character_is_stripped_as_the_control_pattern_says() -> None:
    """strip_control's fast path (printable text is returned as it is) drops nothing the
    pattern would have removed: each character of the Basic Multilingual Plane, alone and
    after an ESC, gives what the pattern gives."""
    from analysis.secrets import _CONTROL, strip_control

    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        for text in (chr(code), f"a{chr(code)}b", f"\x1b{chr(code)}x"):
            assert strip_control(text) == _CONTROL.sub("", text.replace("\t", "    ")), hex(code)
