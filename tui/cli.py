"""The `keepdata` command: `check`, `report`, `rules`, `explain`, or the live inspector."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import __version__

if TYPE_CHECKING:
    from analysis.settings import Settings

COMMANDS = ("check", "report", "rules", "explain")
FAIL_LEVELS = ("critical", "high", "medium", "low", "info", "never")


def _root(path: str) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise SystemExit(_usage_error(f"{path}: not a directory"))
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        raise SystemExit(_usage_error(f"{path}: cannot read: {exc.strerror or exc}")) from None
    return root


def _usage_error(message: str) -> int:
    print(f"keepdata: error: {message}", file=sys.stderr)
    return 2


# -- writing output: a failed write is one line on stderr and exit 2 ------------------------
class _WriteFailed(SystemExit):
    """Raised (as SystemExit(2)) once the one-line error is printed."""


def _write_failed(target: str, exc: BaseException) -> _WriteFailed:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    with contextlib.suppress(OSError, ValueError):  # stderr may be gone too
        print(f"keepdata: error: cannot write {target}: {reason}", file=sys.stderr)
    return _WriteFailed(2)


def _silence_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so that the flush at exit does
    not fail again ("Exception ignored ... BrokenPipeError")."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


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


def _load_settings(root: Path, args: argparse.Namespace) -> Settings:
    from analysis.config import ConfigError
    from analysis.settings import load

    try:
        return load(root, args)
    except ConfigError as err:
        raise SystemExit(_usage_error(str(err))) from None


def cmd_check(args: argparse.Namespace) -> int:
    from analysis.engine import analyze
    from analysis.report.check_output import exit_code, format_json, format_text

    root = _root(args.path)
    settings = _load_settings(root, args)
    analysis = analyze(root, settings)
    for err in analysis.errors:
        print(f"keepdata: internal error in {err.area}: {err.message}", file=sys.stderr)
    out = format_json(analysis, args.path) if args.format == "json" else format_text(analysis)
    write_stdout(out)
    fail_on = args.fail_on or settings.fail_on or "high"
    return exit_code(analysis, fail_on)


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.engine import analyze
    from analysis.report.render import render as render_report

    root = _root(args.path)
    settings = _load_settings(root, args)
    analysis = analyze(root, settings)
    text = render_report(analysis, args.format, args.path)
    if args.output:
        write_file(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        write_stdout(text)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from analysis.report.rule_docs import rules_table

    try:
        text = rules_table(area=args.area, severity=args.severity, describe=args.long)
    except ValueError as err:
        return _usage_error(str(err))
    write_stdout(text)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from analysis.report.rule_docs import explain

    text = explain(args.rule)
    if text is None:
        return _usage_error(f"unknown rule {args.rule!r} (see `keepdata rules`)")
    write_stdout(text)
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    root = _root(args.path)
    _load_settings(root, args)  # a broken keepdata.toml is a usage error before the UI opens
    from tui.app import run_app

    return run_app(root, watch=not args.no_watch, config=args.config, base=args.base)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", default=".", help="project root (default: .)")
    p.add_argument("--config", help="keepdata.toml to use instead of the one at the root")
    p.add_argument(
        "--base", metavar="REF", help="git revision to compare with (KD115; default HEAD)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keepdata",
        description="Can this Prisma + Docker Compose project lose data? Evidence, file and line.",
        epilog="Without a command, `keepdata [PATH]` opens the live inspector.",
    )
    parser.add_argument("--version", action="version", version=f"keepdata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="lint the project; exit 1 on findings at or above --fail-on")
    _add_common(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        default=None,
        help="lowest severity that fails (default: high)",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("report", help="write a snapshot report (Markdown, JSON or SARIF)")
    _add_common(p)
    p.add_argument("--format", choices=("md", "json", "sarif"), default="md")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("rules", help="list every rule")
    p.add_argument("--area", help="only the rules of one area (persistence, startup, image, ...)")
    p.add_argument("--severity", help="only the rules of one default severity")
    p.add_argument("--long", action="store_true", help="add a one-line description")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("explain", help="explain one rule, e.g. `keepdata explain KD602`")
    p.add_argument("rule")
    p.set_defaults(func=cmd_explain)
    return parser


def build_inspect_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="keepdata",
        description="The live inspector: watches PATH and re-analyzes on every change.",
    )
    _add_common(p)
    p.add_argument("--no-watch", action="store_true", help="analyze once, do not watch")
    p.set_defaults(func=cmd_inspect)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and (args_list[0] in COMMANDS or args_list[0] in ("-h", "--help", "--version")):
        parser = build_parser()
    else:
        parser = build_inspect_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError as exc:  # a write outside write_stdout (argparse's help, ...)
        _silence_stdout()
        return int(_write_failed("to stdout", exc).code or 2)


if __name__ == "__main__":
    sys.exit(main())
