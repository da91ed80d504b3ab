"""Failures at the edges (issue 16, point 7): a write error on `-o FILE` or on stdout (a closed
pipe, a full disk) is one line on stderr and exit 2; a malformed or missing `$EDITOR` is a
notification in the inspector; the export dialog asks before it replaces a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from tests.conftest import EXAMPLES, REPO
from tui.app import KeepdataApp
from tui.modals.export_dialog import ExportDialog

RISKY = EXAMPLES / "risky-app"
SEED = EXAMPLES / "seed-app"
DEV_FULL = Path("/dev/full")


def keepdata(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=REPO,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def assert_one_line_error(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    errors = [line for line in lines if line.startswith("keepdata: error: cannot write")]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], stderr


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing-folder/report.md", "No such file or directory"),
        (".", "Is a directory"),
    ],
)
def test_report_output_file_errors_are_one_line_and_exit_2(
    tmp_path: Path, target: str, reason: str
) -> None:
    out = keepdata("report", str(RISKY), "-o", str(tmp_path / target))
    assert out.returncode == 2
    assert_one_line_error(out.stderr, reason)


@pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("report", str(RISKY), "-o", "/dev/full"),
        ("report", str(RISKY), "--format", "json", "-o", "/dev/full"),
    ],
)
def test_a_full_disk_on_the_output_file_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    out = keepdata(*args)
    assert out.returncode == 2
    assert_one_line_error(out.stderr, "/dev/full", "No space left on device")


@pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("check", str(RISKY)),
        ("check", str(RISKY), "--format", "json"),
        ("report", str(RISKY)),
        ("rules",),
        ("explain", "KD601"),
    ],
)
def test_a_full_disk_on_stdout_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    with DEV_FULL.open("w") as full:
        out = keepdata(*args, stdout=full)
    assert out.returncode == 2, out.stderr
    assert_one_line_error(out.stderr, "stdout", "No space left on device")


@pytest.mark.parametrize("args", [("check", str(RISKY)), ("report", str(RISKY)), ("rules",)])
def test_a_closed_pipe_on_stdout_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    """`keepdata check | head -1` when head is gone before keepdata writes (EPIPE)."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone: every write gets EPIPE
    try:
        out = keepdata(*args, stdout=write)
    finally:
        os.close(write)
    assert out.returncode == 2, out.stderr
    assert_one_line_error(out.stderr, "stdout", "Broken pipe")


def test_head_reading_one_line_gets_it(tmp_path: Path) -> None:
    """The everyday pipe still works: head gets the first line."""
    command = f"{sys.executable} -m tui check {RISKY} --fail-on never | head -1"
    out = subprocess.run(
        ["sh", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.count("\n") == 1 and ": " in out.stdout
    assert "Traceback" not in out.stderr


# -- $EDITOR ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("editor", "says"),
    [
        ('vim "', "cannot be read"),
        ("  ", "set $VISUAL or $EDITOR"),
        ("/nonexistent/bin/editor --wait", "is not a program"),
        ("no-such-editor-kd", "is not a program"),
    ],
)
async def test_a_bad_editor_is_a_notification_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, editor: str, says: str
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    app = KeepdataApp(RISKY, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("n")  # open the first finding in the drill-down
        await pilot.pause()
        assert app.drilldown_open
        await pilot.press("o")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        messages = [n.message for n in app._notifications]
        assert any(says in m for m in messages), messages
        await pilot.press("o")  # and again: still up
        await pilot.pause()
        assert app.is_running


def test_an_inspector_crash_is_not_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the inspector ever stops on an error, `keepdata` does not report success."""
    import tui.app

    class Crashed:
        return_code = 1

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def run(self) -> None:
            return None

    monkeypatch.setattr(tui.app, "KeepdataApp", Crashed)
    assert tui.app.run_app(SEED, watch=False) == 1


# -- export -------------------------------------------------------------------------------------
async def export(app: KeepdataApp, pilot, path: str, fmt: str = "md") -> ExportDialog:  # type: ignore[no-untyped-def]
    await pilot.press("e")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one(f"#export-{fmt}").value = True  # type: ignore[attr-defined]
    await pilot.pause()
    dialog.query_one("#export-path", Input).value = path
    await pilot.pause()
    await pilot.click("#export-write")
    await pilot.pause()
    return dialog


@pytest.mark.parametrize("fmt", ["md", "svg"])
async def test_export_asks_before_it_overwrites(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "docker-compose.yml"
    target.write_text("services: {}\n")
    app = KeepdataApp(SEED, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        dialog = await export(app, pilot, str(target), fmt)
        assert app.screen is dialog  # still asking
        warning = str(dialog.query_one("#export-warning").render())
        assert "exists" in warning and "Overwrite" in warning
        assert str(dialog.query_one("#export-write", Button).label) == "Overwrite"
        assert target.read_text() == "services: {}\n"
        # Escape: nothing written
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
        assert target.read_text() == "services: {}\n"
        # asked again, a changed path clears the question
        dialog = await export(app, pilot, str(target), fmt)
        dialog.query_one("#export-path", Input).value = str(tmp_path / "other.out")
        await pilot.pause()
        assert str(dialog.query_one("#export-write", Button).label) == "Write"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.pause()
        await pilot.click("#export-write")  # asks
        await pilot.pause()
        assert app.screen is dialog
        # a double click does not confirm (a Button ignores clicks while it shows a press):
        # wait until the press is no longer shown (0.2 s, later on a loaded machine)
        button = dialog.query_one("#export-write", Button)
        for _ in range(100):
            await pilot.pause(0.05)
            if not button.has_class("-active"):
                break
        await pilot.click("#export-write")  # confirmed
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
        assert target.read_text() != "services: {}\n"
        assert app.last_export == target


async def test_export_writes_where_the_dialog_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "project"
    shutil.copytree(SEED, project)
    app = KeepdataApp(project, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        shown = dialog.query_one("#export-path", Input).value
        # by default in the analyzed project's root: the dialog names the folder
        assert shown == "keepdata-report.md"
        assert "project" in str(dialog.query_one("#export-folder").render())
        written = project.resolve() / "keepdata-report.md"
        await pilot.click("#export-write")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert written.is_file()
        assert app.last_export == written
        # a relative path is written relative to the project's root (as the dialog says),
        # not to where keepdata started
        await export(app, pilot, "reports/out.json", "json")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (project / "reports" / "out.json").is_file()
        assert app.last_export == project.resolve() / "reports" / "out.json"
        assert not (tmp_path / "reports").exists()
        assert not list(SEED.glob("keepdata-report*"))  # nothing written into the example
        # a folder is refused in the dialog
        dialog = await export(app, pilot, str(tmp_path))
        assert app.screen is dialog
        assert "folder" in str(dialog.query_one("#export-warning").render())


async def test_an_export_write_error_is_a_notification(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    app = KeepdataApp(SEED, watch=False, mask_volatile=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_analysis()
        await export(app, pilot, str(blocker / "under-a-file.md"))
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("cannot write" in m for m in messages), messages
        assert app.is_running
