"""The `keepdata` command: `check`, `report`, `rules`, `explain`, or the live inspector."""

from __future__ import annotations

import os
import sys

from analysis import __version__
from tui.output import _silence_stdout, _write_failed, write_file, write_stdout
from tui.quick_args import COLORS, FAIL_LEVELS, FORMATS, REPORT_FORMATS

TYPE_CHECKING = False  # typing, pathlib and argparse cost a cached `check` milliseconds: not
if TYPE_CHECKING:  # imported (`tui.quick_args` reads the usual command lines)
    import argparse
    from collections.abc import Sequence
    from pathlib import Path

    from analysis.settings import Settings

COMMANDS = ("check", "report", "rules", "explain")


def _root(path: str) -> Path:
    from pathlib import Path

    root = Path(path)
    try:
        root.absolute()  # a relative path needs the working directory, which may be gone
    except OSError as exc:
        raise SystemExit(
            _usage_error(
                f"{path}: the working directory no longer exists ({exc.strerror or exc}); "
                "cd to the project and try again"
            )
        ) from None
    if not root.is_dir():
        raise SystemExit(_usage_error(f"{path}: not a directory"))
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        raise SystemExit(_usage_error(f"{path}: cannot read: {exc.strerror or exc}")) from None
    return root


def _mistyped_command(args: list[str]) -> str | None:
    """The error for `keepdata chek .`: a first word that is no command and no folder."""
    first = next((a for a in args if not a.startswith("-")), None)
    if first is None or first != args[0] or os.path.exists(first):
        return None
    import difflib

    close = difflib.get_close_matches(first, COMMANDS, n=1, cutoff=0.6)
    if close:
        return f"unknown command {first!r} (did you mean {close[0]!r}?)"
    return f"{first}: no such folder, and not a command ({', '.join(COMMANDS)})"


def _usage_error(message: str) -> int:
    print(f"keepdata: error: {message}", file=sys.stderr)
    return 2


def _load_settings(root: Path, args: argparse.Namespace) -> Settings:
    from analysis.config import ConfigError
    from analysis.settings import load

    try:
        return load(
            root,
            config=getattr(args, "config", None),
            base=getattr(args, "base", None),
            all_migrations=getattr(args, "all_migrations", False),
            inline_ignores=not getattr(args, "disable_inline_ignores", False),
        )
    except ConfigError as err:
        raise SystemExit(_usage_error(str(err))) from None


def cmd_check(args: argparse.Namespace) -> int:
    from tui.result_cache import lookup

    cached = lookup(args)  # before the analysis is imported
    if isinstance(cached, int):
        return cached
    import analysis.dataclasses_import as _first  # noqa: F401  # dataclasses without inspect
    from tui.check_cmd import run_check

    return run_check(args, _load_settings, _root, cached)


def cmd_report(args: argparse.Namespace) -> int:
    from tui.result_cache import lookup

    cached = lookup(args)  # before the analysis is imported
    if isinstance(cached, int):
        return cached
    import analysis.dataclasses_import as _first  # noqa: F401  # dataclasses without inspect
    from analysis.parse_cache import using_store
    from analysis.pipeline import run
    from analysis.report.render import render as render_report
    from analysis.sources import recording_reads, using_read

    root = _root(args.path)
    settings = _load_settings(root, args)
    parses = cached.parses() if cached is not None else None
    read, listed = (cached.read, cached.listed) if cached is not None else (None, None)
    with using_store(parses), using_read(read, listed):
        analysis = run(root, settings)
    with recording_reads() as quoted:  # files a quote reads beyond the analysis
        text = render_report(analysis, args.format, args.path, full=args.full)
    if args.format in ("json", "sarif"):
        from analysis.report.check_output import json_for_terminal

        text = json_for_terminal(text)
    if args.output:
        write_file(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        write_stdout(text)
    from tui.check_cmd import say_internal_errors

    code = 2 if say_internal_errors([(None, analysis)]) else 0
    if cached is not None and code == 0:  # a failed run is not kept (its stderr says why)
        cached.store([analysis], text, code, quoted)
    if parses is not None:
        parses.save()
    return code


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
        from analysis.config import rule_hint

        return _usage_error(f"unknown rule {args.rule!r}{rule_hint(args.rule)}")
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
        "--base",
        metavar="REF",
        help="git revision of the applied history (default: merge-base of HEAD with the "
        "default branch) and of KD115 (default HEAD)",
    )
    p.add_argument(
        "--all-migrations",
        action="store_true",
        help="grade applied migrations (history) like new ones",
    )


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="keepdata",
        description="Can this Prisma + Docker Compose project lose data? Evidence, file and line.",
        epilog="Without a command, `keepdata [PATH]` opens the live inspector.",
    )
    _add_version(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "check",
        help="lint the project; exit 1 on findings at or above --fail-on",
        description="Lint one or more project roots. Exit 0: nothing at or above --fail-on; "
        "1: findings; 2: usage error, or keepdata failed on part of the analysis.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="project roots (default: .)")
    p.add_argument("--config", help="keepdata.toml to use instead of the one at each root")
    p.add_argument(
        "--base",
        metavar="REF",
        help="git revision of the applied history (default: merge-base of HEAD with the "
        "default branch) and of KD115 (default HEAD)",
    )
    p.add_argument(
        "--all-migrations",
        action="store_true",
        help="grade applied migrations (history) like new ones",
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 for a root with nothing keepdata understands (default: exit 2)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: text; under GitHub Actions text plus workflow annotations)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE")
    p.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        default=None,
        help="lowest severity that fails (default: high)",
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings fail")
    p.add_argument(
        "--select", action="append", metavar="RULES", help="only these rules (ids, names, prefixes)"
    )
    p.add_argument(
        "--extend-select", action="append", metavar="RULES", help="add rules to --select"
    )
    p.add_argument("--ignore", action="append", metavar="RULES", help="leave these rules out")
    p.add_argument(
        "--exclude", action="append", metavar="GLOB", help="skip files matching GLOB (repeatable)"
    )
    p.add_argument(
        "--disable-inline-ignores",
        action="store_true",
        help="honour no keepdata-ignore comment (keepdata.toml ignores still apply)",
    )
    p.add_argument(
        "--since",
        metavar="REF",
        help="only findings in files changed against REF (a branch, tag or commit), for PRs",
    )
    p.add_argument("--staged", action="store_true", help="only findings in files staged for commit")
    p.add_argument("-q", "--quiet", action="store_true", help="findings only, no summary")
    p.add_argument(
        "--statistics", action="store_true", help="count findings per rule instead of listing"
    )
    p.add_argument(
        "--color",
        choices=COLORS,
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache ($KEEPDATA_CACHE_DIR, else "
        "$XDG_CACHE_HOME/keepdata, else ~/.cache/keepdata)",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("report", help="write a snapshot report (Markdown, JSON or SARIF)")
    _add_common(p)
    p.add_argument("--format", choices=REPORT_FORMATS, default="md")
    p.add_argument(
        "--full",
        action="store_true",
        help="md: the long form (every finding in its area, whole diagram and file list); "
        "without it the report fits a pull-request comment (65,536 characters)",
    )
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache (as for check)",
    )
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


def _add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-V", "--version", action="version", version=f"keepdata {__version__}")


def build_inspect_parser() -> argparse.ArgumentParser:
    import argparse

    p = argparse.ArgumentParser(
        prog="keepdata",
        description="The live inspector: watches PATH and re-analyzes on every change.",
        epilog=f"Commands: {', '.join(COMMANDS)} (`keepdata COMMAND --help`).",
    )
    _add_version(p)
    _add_common(p)
    p.add_argument("--no-watch", action="store_true", help="analyze once, do not watch")
    p.set_defaults(func=cmd_inspect)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _quick_args(args_list)
    if args is None:
        if args_list and (args_list[0] in COMMANDS or args_list[0] in ("-h", "--help")):
            parser = build_parser()
        else:
            typo = _mistyped_command(args_list)
            if typo is not None:
                return _usage_error(typo)
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


def _quick_args(argv: list[str]) -> argparse.Namespace | None:
    """`check` and `report` command lines in their usual forms, read without argparse (None:
    argparse reads them)."""
    if not argv or argv[0] not in ("check", "report"):
        return None
    from tui.quick_args import parse

    args = parse(argv)
    if args is None:
        return None
    args.func = cmd_check if argv[0] == "check" else cmd_report  # type: ignore[attr-defined]
    return args  # type: ignore[return-value]  # what argparse.Namespace would hold


def run() -> None:
    """The `keepdata` program: `main`, then, after a command (not the inspector, whose
    Textual shutdown restores the terminal), flush and leave without tearing the heap down:
    freeing every object of a large analysis one by one only delays the exit. Tests call
    `main`."""
    one_shot = bool(sys.argv[1:2]) and sys.argv[1] in COMMANDS
    if one_shot:
        # A command ends in os._exit below, so nothing is torn down, and the analysis pauses
        # the cyclic collector anyway (analysis.gc_pause): left on, it would only rescan the
        # modules and record classes the command imports, again and again (~15-25 ms of a
        # cold `check`, no change in peak memory).
        import gc

        gc.disable()
    code = main()
    if one_shot:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                if stream is sys.stdout:
                    code = code or 2
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
