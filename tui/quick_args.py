"""The arguments of `keepdata check` and `keepdata report` read without argparse: importing it
and building the parser cost a cached run about a third of its start-up (~18 ms of CPU).

Only the plain forms are read here: the options as `tui.cli.build_parser` spells them in full
(`--format json`, `--format=json`, `-o FILE`, `-q`), a value that is one of the choices and
does not start with `-`, and the paths in one run. Anything else (`-h`, an abbreviated option,
`-qo FILE`, `--`, a bad choice, paths on both sides of an option) gives None, and argparse
reads the command line as it always did, with its errors and help. Where this module answers,
it answers what argparse would (`tests/cli/test_quick_args.py` compares the two on every
option and many command lines).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

FLAG, VALUE, APPEND = "flag", "value", "append"

Option = tuple[str, str, tuple[str, ...] | None, object]
"""(destination, kind, choices or None, default)"""

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
"""`check --format` choices (tui.check_cmd renders them); `tui.cli`'s parser offers these."""
FAIL_LEVELS = ("critical", "high", "medium", "low", "info", "never")
COLORS = ("auto", "always", "never")
REPORT_FORMATS = ("md", "json", "sarif")
_COMMON: dict[str, Option] = {
    "--config": ("config", VALUE, None, None),
    "--base": ("base", VALUE, None, None),
    "--all-migrations": ("all_migrations", FLAG, None, False),
    "--output": ("output", VALUE, None, None),
    "-o": ("output", VALUE, None, None),
    "--no-cache": ("no_cache", FLAG, None, False),
}
OPTIONS: dict[str, dict[str, Option]] = {
    "check": {
        **_COMMON,
        "--allow-empty": ("allow_empty", FLAG, None, False),
        "--format": ("format", VALUE, FORMATS, None),
        "--fail-on": ("fail_on", VALUE, FAIL_LEVELS, None),
        "--exit-zero": ("exit_zero", FLAG, None, False),
        "--select": ("select", APPEND, None, None),
        "--extend-select": ("extend_select", APPEND, None, None),
        "--ignore": ("ignore", APPEND, None, None),
        "--exclude": ("exclude", APPEND, None, None),
        "--disable-inline-ignores": ("disable_inline_ignores", FLAG, None, False),
        "--since": ("since", VALUE, None, None),
        "--staged": ("staged", FLAG, None, False),
        "--quiet": ("quiet", FLAG, None, False),
        "-q": ("quiet", FLAG, None, False),
        "--statistics": ("statistics", FLAG, None, False),
        "--color": ("color", VALUE, COLORS, "auto"),
    },
    "report": {
        **_COMMON,
        "--format": ("format", VALUE, REPORT_FORMATS, "md"),
        "--full": ("full", FLAG, None, False),
    },
}
"""Every option of the two commands (a test compares them with argparse's parser)."""
POSITIONAL = {"check": ("paths", True), "report": ("path", False)}
"""(destination, many): `check PATH...` (default []), `report [PATH]` (default ".")."""


class Args:
    """What `argparse.Namespace` holds: one attribute per destination."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"Args({inner})"


def parse(argv: Sequence[str]) -> Args | None:
    """The arguments of `check ...` or `report ...` (`argv` starts with the command), or None
    when argparse must read them."""
    if not argv or argv[0] not in OPTIONS:
        return None
    command, options = argv[0], OPTIONS[argv[0]]
    values: dict[str, object] = {"command": command}
    for dest, _kind, _choices, default in options.values():
        values[dest] = default
    positionals: list[str] = []
    closed = False  # an option after the paths: argparse takes no more paths
    rest = list(argv[1:])
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            if closed or arg == "-":
                return None
            positionals.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = options.get(name)
        if option is None:
            return None
        dest, kind, choices, _default = option
        if kind == FLAG:
            if eq:
                return None
            values[dest] = True
        else:
            if not eq:
                if i == len(rest):
                    return None
                value = rest[i]
                i += 1
            if value.startswith("-") or (choices is not None and value not in choices):
                return None
            if kind == APPEND:
                before = values[dest]
                values[dest] = [*before, value] if isinstance(before, list) else [value]
            else:
                values[dest] = value
        closed = bool(positionals)
    dest, many = POSITIONAL[command]
    if many:
        values[dest] = positionals
    elif len(positionals) > 1:
        return None
    else:
        values[dest] = positionals[0] if positionals else "."
    return Args(values)
