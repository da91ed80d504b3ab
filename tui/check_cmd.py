"""`keepdata check PATH...`: analyze each root, print the findings in the format CI wants, and
exit 0 (nothing at or above the threshold), 1 (findings) or 2 (usage error, or keepdata failed
on part of the analysis)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.report.ci_formats import Located
    from analysis.result import Result
    from analysis.selection import Selection
    from analysis.settings import Settings
    from tui.result_cache import Pending


_SEVERITY_SGR = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2"}


@dataclass(slots=True, frozen=True)
class Checked:
    """One analyzed root: its label as given on the command line, the result (findings
    narrowed to the selection) and the settings it ran with."""

    label: str
    analysis: Result
    settings: Settings


def wants_color(choice: str, stream: object, to_file: bool) -> bool:
    """`--color`: always, never, or auto (a terminal, unless NO_COLOR is set; FORCE_COLOR
    forces it)."""
    if choice == "always":
        return True
    if choice == "never" or to_file:
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _text_line(item: Located, color: bool) -> str:
    from analysis.report.check_output import rule_name
    from analysis.secrets import safe_text
    from analysis.terminal import terminal_line

    f = item.finding
    loc = f.location
    path, sev, name = terminal_line(item.path), f.severity.label, rule_name(f.rule)
    message = terminal_line(safe_text(f.message))
    if not color:
        return f"{path}:{loc.line}:{loc.column}: {sev} {f.rule} {name}: {message}"
    return (
        f"\x1b[1m{path}\x1b[0m:{loc.line}:{loc.column}: "
        f"\x1b[{_SEVERITY_SGR[sev]}m{sev}\x1b[0m \x1b[1m{f.rule}\x1b[0m {name}: {message}"
    )


def _summary(checked: Checked, several: bool) -> str:
    from analysis.report.check_output import summary_line
    from analysis.terminal import terminal_line

    line = summary_line(checked.analysis)
    grading = checked.analysis.grading
    note = grading.note if grading is not None else None
    if note:
        line += f"; migrations: {note}"
    return f"{terminal_line(checked.label)}: {line}" if several else line


def _history_lines(checked: Checked, several: bool) -> list[str]:
    """`check`'s text output folds history findings into one line per migrations folder."""
    from analysis.grading.history import fold_lines
    from analysis.secrets import safe_text

    grading = checked.analysis.grading
    base = grading.history if grading is not None else None
    lines = fold_lines(checked.analysis.active, base)
    if several:
        lines = [f"{safe_text(checked.label)}/{line}" for line in lines]
    return lines


def render(
    results: Sequence[Checked],
    fmt: str,
    *,
    color: bool = False,
    quiet: bool = False,
    statistics: bool = False,
) -> str:
    """The whole output of one `check` run."""
    from analysis.report.ci_formats import located

    several = len(results) > 1
    items = [
        item
        for c in results
        for item in located(c.label if several or fmt not in ("text",) else ".", c.analysis.active)
    ]
    if statistics:
        from analysis.report.ci_formats import format_statistics

        return format_statistics(i.finding for i in items)
    if fmt == "text":
        lines = [_text_line(i, color) for i in items if not i.finding.history]
        lines += [line for c in results for line in _history_lines(c, several)]
        if not quiet:
            lines += [_summary(c, several) for c in results]
        return "".join(line + "\n" for line in lines)
    if fmt == "github":
        from analysis.report.ci_formats import format_github

        return format_github(items)
    if fmt == "gitlab":
        from analysis.report.check_output import json_for_terminal
        from analysis.report.ci_formats import format_gitlab

        return json_for_terminal(format_gitlab(items))
    if fmt == "junit":
        from analysis.report.ci_formats import format_junit

        return format_junit(items, sum(len(c.analysis.files) for c in results))
    import json

    from analysis.report.check_output import json_for_terminal

    if fmt == "sarif":
        from analysis.report.sarif import sarif_log

        logs = [sarif_log(c.analysis, c.label) for c in results]
        log = logs[0]
        for other in logs[1:]:
            log["runs"] += other["runs"]
        return json_for_terminal(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
    from analysis.report.check_output import check_json, format_json

    if not several:
        return format_json(results[0].analysis, results[0].label)
    doc = {"version": 1, "roots": [check_json(c.analysis, c.label) for c in results]}
    return json_for_terminal(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def say_internal_errors(analyses: Sequence[tuple[str | None, Result]]) -> bool:
    """Say on stderr where keepdata failed on part of an analysis; True when it did (exit 2:
    the result is incomplete, which is neither "findings" (1) nor "clean" (0))."""
    from analysis.secrets import safe_text
    from analysis.terminal import terminal_line

    failed = False
    for label, analysis in analyses:
        for err in analysis.errors:
            failed = True
            where = f"{terminal_line(label)}: " if label else ""
            print(
                f"keepdata: internal error in {where}{terminal_line(safe_text(err.where))}: "
                f"{terminal_line(safe_text(err.message))}",
                file=sys.stderr,
            )
    if failed:
        print("keepdata: the analysis is incomplete (verdict UNKNOWN); exit 2", file=sys.stderr)
    return failed


def _changed(root: Path, since: str | None, staged: bool) -> frozenset[str] | None:
    from analysis.gitread import changed_paths

    return changed_paths(root.resolve(), since, staged=staged)


def say_empty(results: Sequence[Checked]) -> bool:
    """Say on stderr which roots hold nothing keepdata understands; True when one does (exit
    2: an empty analysis is not a clean one)."""
    from analysis.secrets import safe_text

    empty = [c for c in results if not c.analysis.files]
    for c in empty:
        print(
            f"keepdata: error: {safe_text(c.label)}: nothing keepdata understands here (no "
            "compose file, Dockerfile, Prisma schema, migration, package.json or platform "
            "file); point it at the project root, or pass --allow-empty to accept an empty "
            "result",
            file=sys.stderr,
        )
    return bool(empty)


def run_check(
    args: argparse.Namespace,
    load_settings: Callable[[Path, argparse.Namespace], Settings],
    root_of: Callable[[str], Path],
    cache: Pending | None = None,
) -> int:
    """`keepdata check` with parsed arguments (`load_settings(root, args)` and `root_of(path)`
    are the CLI's own, which turn a bad root or config into a usage error); `cache` stores a
    finished run's output (`tui.result_cache`) and, on a miss, brings the on-disk parse cache
    (`tui.parse_store`)."""
    from analysis.parse_cache import using_store
    from analysis.report.check_output import exit_code
    from analysis.selection import selection
    from analysis.sources import using_read

    try:
        chosen = selection(args.select, args.extend_select, args.ignore)
    except ValueError as err:
        print(f"keepdata: error: {err}", file=sys.stderr)
        return 2
    paths = args.paths or ["."]
    results: list[Checked] = []
    parses = cache.parses() if cache is not None else None
    read, listed = (cache.read, cache.listed) if cache is not None else (None, None)
    with using_store(parses), using_read(read, listed):
        for path in paths:
            found = _check_root(args, path, chosen, load_settings, root_of)
            if isinstance(found, int):
                return found
            results.append(found)

    fmt = args.format
    auto_github = fmt is None and os.environ.get("GITHUB_ACTIONS") == "true"
    fmt = fmt or "text"
    out_file: Path | None = Path(args.output) if args.output else None
    color = fmt == "text" and wants_color(args.color, sys.stdout, out_file is not None)
    text = render(results, fmt, color=color, quiet=args.quiet, statistics=args.statistics)
    if auto_github and not args.statistics:
        text += render(results, "github")
    from tui.output import emit

    emit(text, str(out_file) if out_file is not None else None, args.quiet)

    several = len(results) > 1
    if say_internal_errors([(c.label if several else None, c.analysis) for c in results]):
        return 2
    if not getattr(args, "allow_empty", False) and say_empty(results):
        return 2
    if args.exit_zero:
        code = 0
    else:
        codes = [
            exit_code(c.analysis, args.fail_on or c.settings.fail_on or "high") for c in results
        ]
        code = max(codes, default=0)
    if cache is not None:
        cache.store([c.analysis for c in results], text, code)
    if parses is not None:
        parses.save()
    return code


def _check_root(
    args: argparse.Namespace,
    path: str,
    chosen: Selection | None,
    load_settings: Callable[[Path, argparse.Namespace], Settings],
    root_of: Callable[[str], Path],
) -> Checked | int:
    """One root's analysis, or exit code 2 for a `--since`/`--staged` outside git."""
    from analysis.pipeline import run

    root = root_of(path)
    settings = replace(load_settings(root, args), selection=chosen)
    if args.exclude:
        settings = replace(settings, exclude=(*settings.exclude, *args.exclude))
    if args.since or args.staged:
        # the findings a change is answerable for: in a file it touches, or naming one
        touched = _changed(root, args.since, args.staged)
        if touched is None:
            what = "--staged" if args.staged else f"--since {args.since}"
            print(
                f"keepdata: error: {what}: {path} is not in a git work tree"
                + ("" if args.staged else f", or {args.since!r} names no commit there"),
                file=sys.stderr,
            )
            return 2
        settings = replace(settings, only_paths=touched)
    return Checked(path, run(root, settings), settings)
