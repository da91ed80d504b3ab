"""Writing the CLI's output: a failed write (closed pipe, full disk, bad `-o` path) is one
line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import os
import sys


class _WriteFailed(SystemExit):
    """Raised (as SystemExit(2)) once the one-line error is printed."""


def _write_failed(target: str, exc: BaseException) -> _WriteFailed:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    try:
        print(f"keepdata: error: cannot write {target}: {reason}", file=sys.stderr)
    except (OSError, ValueError):  # stderr may be gone too
        return _WriteFailed(2)
    return _WriteFailed(2)


def _silence_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so that the flush at exit does
    not fail again ("Exception ignored ... BrokenPipeError")."""
    try:  # contextlib costs a cached `check` a millisecond to import
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        return


def write_stdout(text: str) -> None:
    """Write `text` to stdout and flush it now, so that a closed pipe (`| head -1`) or a full
    disk (`> /dev/full`) is found here: one line on stderr, exit 2, no traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        raise _write_failed("to stdout", exc) from None


def write_file(path: str, text: str) -> None:
    """Write `text` to the file `path` (`-o FILE`); an error is one line and exit 2."""
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise _write_failed(path, exc) from None


def emit(text: str, output: str | None, quiet: bool) -> None:
    """`check`'s output: to the file `output` (`-o`, then "wrote FILE" on stderr unless
    `quiet`), else to stdout."""
    if output:
        write_file(output, text)
        if not quiet:
            print(f"wrote {output}", file=sys.stderr)
    else:
        write_stdout(text)
