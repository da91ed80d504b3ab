"""The entry points: a shell script file or command string -> `ShellScript`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from analysis.model import Location
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.parsers.shell.parser import _AndOr, _Case, _Cmd, _Func, _Group, _If, _Pipeline, _Seq
from analysis.parsers.shell.reader import _read_script
from analysis.parsers.shell.records import ShellScript, relocated
from analysis.parsers.shell.walker import _Ctx, _Positions, _Walker
from analysis.parsers.shell.words import _shebang_errexit
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.parsers.shell.parser import _Node
    from analysis.parsers.shell.records import ShellCommand


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def _problem(path: str, positions: _Positions, pos: int, message: str) -> ParseProblem:
    line, col = positions.line_col(pos)
    return ParseProblem(
        ProblemKind.SYNTAX,
        f"{path}:{line}: shell syntax the analysis cannot read: {message}; "
        "the lines after it were read one by one",
        Location(path, line, col),
    )


def _analyze(
    path: str,
    text: str,
    base_line: int = 1,
    base_column: int = 1,
    errexit: bool = False,
    prefer_bashlex: bool = False,
) -> ShellScript:
    shebang = text.split("\n", 1)[0] if text.startswith("#!") else ""
    read = _read_script(text, prefer_bashlex=prefer_bashlex)
    positions = _Positions(text, base_line, base_column)
    walker = _Walker(path, text, positions, read.heredocs, errexit or _shebang_errexit(shebang))
    walker.walk_statements(read.statements, _Ctx())
    walker.finish()
    by_start: dict[int, list[ShellCommand]] = {}
    for c in walker.commands:
        if not c.substitution and not c.nested and c.reached:
            line_pos = c.location
            by_start.setdefault(_pos_key(line_pos), []).append(c)
    final: list[ShellCommand] = []
    top = [n for n, bg in read.statements if not bg and not isinstance(n, _Func)]
    if top:
        last = top[-1]
        for cmd_node in _final_nodes(last, walker.functions):
            line, col = positions.line_col(
                cmd_node.words[0].start if cmd_node.words else cmd_node.start
            )
            hits = by_start.get(_pos_key(Location(path, line, col)), [])
            if hits:
                final.append(hits[-1])
    problems = tuple(_problem(path, positions, pos, msg) for pos, msg in read.problems)
    if walker.inline_capped:
        line, col, why = walker.inline_capped[0]
        problems += (
            ParseProblem(
                ProblemKind.LIMIT,
                f"{path}:{line}: calls of the script's functions {why} (keepdata's limit): "
                "from this call on, such calls are not followed into their functions",
                Location(path, line, col),
            ),
        )
    return ShellScript(
        path=path,
        commands=tuple(walker.commands),
        loops=tuple(walker.loops),
        assignments=tuple(walker.assignments),
        functions=tuple(walker.functions),
        final=tuple(final),
        shebang=shebang,
        traps=tuple(walker.traps),
        problems=problems,
    )


def _pos_key(loc: Location) -> int:
    return loc.line * 100_000 + loc.column


def _final_nodes(
    node: _Node, functions: dict[str, _Func] | None = None, depth: int = 0
) -> list[_Cmd]:
    """The simple commands that can run last in `node` (through calls of script functions)."""
    fns = functions or {}
    if depth > 8:
        return []
    if isinstance(node, _Cmd):
        if node.words and node.words[0].value in fns:
            inner = _final_nodes(fns[node.words[0].value].body, fns, depth + 1)
            if inner:
                return inner
        return [node] if node.words else []
    if isinstance(node, (_Seq, _AndOr, _Pipeline)):
        return _final_nodes(node.items[-1], fns, depth + 1) if node.items else []
    if isinstance(node, _If):
        return [c for _cond, body in node.arms for c in _final_nodes(body, fns, depth + 1)]
    if isinstance(node, _Case):
        return [
            c
            for _p, body, _s in node.clauses
            if body is not None
            for c in _final_nodes(body, fns, depth + 1)
        ]
    if isinstance(node, _Group):
        return _final_nodes(node.body, fns, depth + 1)
    return []


def parse_shell(source: SourceFile, prefer_bashlex: bool = False) -> ShellScript:
    """Parse a shell script file (never raises; unreadable statements become parse problems)."""
    return _analyze(source.path, source.text, prefer_bashlex=prefer_bashlex)


def moved_to(script: ShellScript, path: str) -> ShellScript:
    """`script` (a parsed file) as the parse of a file with the same text at `path`: every
    location and problem names `path` instead."""
    old = script.path
    if old == path:
        return script
    moved: dict[int, ShellCommand] = {}
    commands = []
    for c in script.commands:
        loc = c.location
        n = relocated(c, Location(path, loc.line, loc.column, loc.end_line))
        moved[id(c)] = n
        commands.append(n)
    problems = tuple(
        replace(
            p,
            location=replace(p.location, path=path),
            message=path + p.message[len(old) :] if p.message.startswith(old + ":") else p.message,
        )
        if p.location.path == old
        else p
        for p in script.problems
    )
    return replace(
        script,
        path=path,
        commands=tuple(commands),
        final=tuple(moved.get(id(c), c) for c in script.final),
        problems=problems,
    )


def parse_shell_text(
    text: str,
    path: str,
    line: int = 1,
    column: int = 1,
    errexit: bool = False,
) -> ShellScript:
    """Parse a command string found in another file (`package.json` script, compose `command`,
    Dockerfile `RUN`): lines and columns are placed at (`line`, `column`) of `path`."""
    return replace(_analyze(path, text, line, column, errexit), inline=True)
