"""`tui.quick_args` reads the usual `check` and `report` command lines without argparse (a
cached run's start-up); wherever it answers, it answers what argparse does, and it leaves every
other command line (help, errors, abbreviations) to argparse."""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import random

import pytest

from tui import quick_args
from tui.cli import build_parser, main


def subparser(command: str) -> argparse.ArgumentParser:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]  # type: ignore[no-any-return]
    raise AssertionError("no subcommands")


def argparse_reads(argv: list[str]) -> dict[str, object] | None:
    """What argparse makes of `argv` (None: an error, help or version: it exits)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args = build_parser().parse_args(argv)
    except SystemExit:
        return None
    values = dict(vars(args))
    values.pop("func")
    return values


@pytest.mark.parametrize("command", ["check", "report"])
def test_every_option_is_argparse_s(command: str) -> None:
    kinds = {
        argparse._StoreTrueAction: quick_args.FLAG,
        argparse._StoreAction: quick_args.VALUE,
        argparse._AppendAction: quick_args.APPEND,
    }
    expected: dict[str, quick_args.Option] = {}
    for action in subparser(command)._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            assert quick_args.POSITIONAL[command] == (action.dest, action.nargs == "*")
            continue
        choices = tuple(action.choices) if action.choices is not None else None
        for name in action.option_strings:
            expected[name] = (action.dest, kinds[type(action)], choices, action.default)
    assert quick_args.OPTIONS[command] == expected


def tokens(command: str) -> list[str]:
    out = ["a", "b/c", "", "-", "--", "-h", "--help", "--form", "-qo", "x=y", "-o=f", "-1"]
    for name, (_dest, kind, choices, _default) in quick_args.OPTIONS[command].items():
        out.append(name)
        if kind != quick_args.FLAG:
            out += [*(choices or ("v", "-v")), "bad"]
            if name.startswith("--"):
                out += [f"{name}={(choices or ('v',))[0]}", f"{name}=", f"{name}=bad"]
        else:
            out.append(f"{name}=1")
    return out


@pytest.mark.parametrize("command", ["check", "report"])
def test_where_it_answers_it_answers_what_argparse_does(command: str) -> None:
    words = tokens(command)
    lines = [[w] for w in words] + [list(p) for p in itertools.product(words, repeat=2)]
    rng = random.Random(13)
    lines += [rng.choices(words, k=rng.randint(3, 8)) for _ in range(3000)]
    answered = 0
    for line in lines:
        argv = [command, *line]
        quick = quick_args.parse(argv)
        if quick is None:
            continue
        answered += 1
        assert vars(quick) == argparse_reads(argv), argv
    assert answered > len(lines) // 10


USUAL = [
    ["check"],
    ["check", "."],
    ["check", "--format", "json", "--exit-zero", "/tmp/project"],
    ["check", "--format=sarif", "-o", "out.sarif", "a", "b"],
    ["check", "-q", "--fail-on", "critical", "--select", "KD6", "--ignore=KD601", "."],
    ["check", "--no-cache", "--config", "ci/keepdata.toml", "--base", "origin/main", "app"],
    ["check", "app", "--color", "never", "--exclude", "legacy/**", "--exclude", "tmp/*"],
    ["report", "--format", "json", "-o", "report.json", "."],
    ["report", "app", "--full", "--all-migrations"],
]


@pytest.mark.parametrize("argv", USUAL, ids=" ".join)
def test_the_usual_command_lines_are_read_quickly(argv: list[str]) -> None:
    quick = quick_args.parse(argv)
    assert quick is not None
    assert vars(quick) == argparse_reads(argv)


def test_help_and_errors_are_argparse_s(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "yaml", "."]) == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err
    assert main(["check", "--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out
    assert main(["report", "a", "b"]) == 2
    assert "unrecognized arguments: b" in capsys.readouterr().err
