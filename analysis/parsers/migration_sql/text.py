"""Dialects, Prisma's warning block, and helpers over the raw SQL text (comments, headers, newlines, problems)."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import AnyStr

from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.migration_sql.records import PrismaWarning
from analysis.parsers.problems import ParseProblem, ProblemKind

# -- dialects ------------------------------------------------------------------------------
PG_PROVIDERS = frozenset({"postgresql", "postgres", "cockroachdb"})
SQLGLOT_DIALECT = {"mysql": "mysql", "sqlite": "sqlite", "sqlserver": "tsql"}


def dialect_of(provider: str | None) -> str:
    """The parser dialect for a Prisma provider: postgresql, mysql, sqlite or sqlserver."""
    p = (provider or "").lower()
    if p in PG_PROVIDERS:
        return "postgresql"
    if p in SQLGLOT_DIALECT:
        return p
    return "postgresql"


def guess_provider(text: str) -> str:
    """A provider from the SQL itself, for a migrations folder with no lock file."""
    if "`" in text:
        return "mysql"
    low = text.lower()
    if "pragma foreign_keys" in low or "autoincrement" in low or "-- redefinetables" in low:
        return "sqlite"
    if "[dbo]" in low or "begin tran" in low:
        return "sqlserver"
    return "postgresql"


# -- warnings ------------------------------------------------------------------------------
WARNING_KINDS: tuple[tuple[str, str, bool], ...] = (
    # (kind, fixed words to look for, unexecutable step)
    ("drop table", "you are about to drop the `", False),
    ("drop column", "you are about to drop the column", False),
    ("drop and recreate column", "would be dropped and recreated", False),
    ("cast may fail", "this cast may fail", False),
    ("cast", "will be cast from", False),
    ("primary key", "the primary key for the", False),
    ("unique", "a unique constraint covering the columns", False),
    ("enum values removed", "on the enum", False),
    ("required column with prisma default", "with a prisma-level default value", True),
    ("required column", "added the required column", True),
    ("made required", "required. this step will fail if there are existing null", True),
    ("scalar to list", "from a scalar field to a list field", True),
    ("no cast", "no cast exists", True),
)
_BACKQUOTED = lazy_compile(r"`([^`]*)`")
_TABLE_AFTER = lazy_compile(
    r"(?:on the|to the|on table|the) `([^`]*)` table|on the table `([^`]*)`"
)


def _warning(line: int, text: str) -> PrismaWarning:
    low = text.lower()
    kind, unexec = "other", False
    for k, words, unexecutable in WARNING_KINDS:
        if words in low:
            kind, unexec = k, unexecutable
            break
    names = _BACKQUOTED.findall(text)
    table: str | None = None
    column: str | None = None
    m = _TABLE_AFTER.search(text)
    if m:
        table = m.group(1) or m.group(2)
    if kind == "drop table":
        table = names[0] if names else table
    elif kind == "enum values removed":
        m2 = re.search(r"on the enum `([^`]*)`", text)
        table = m2.group(1) if m2 else table
    elif kind == "unique":
        m3 = re.search(r"columns `\[([^\]]*)\]`", text)
        column = m3.group(1) if m3 else None
    elif names and kind != "primary key":
        column = names[0]
    return PrismaWarning(line, text, kind, table, column, unexec)


def _read_warnings(lines: list[str]) -> tuple[tuple[PrismaWarning, ...], int]:
    """The warning lines of every `/* Warnings: ... */` block (Prisma writes one at the top;
    a hand-merged migration has one per merged part, anywhere in the file), and the index of
    the line after the first block (0 when there is none)."""
    out: list[PrismaWarning] = []
    first_end = 0
    i = 0
    n = len(lines)
    while i < n:
        if not lines[i].lstrip().startswith("/*"):
            i += 1
            continue
        start = i
        end = None
        for j in range(start, n):
            if "*/" in lines[j] and (j > start or lines[j].index("*/") > lines[j].index("/*")):
                end = j
                break
        stop = end if end is not None else n - 1
        block = [(k + 1, lines[k]) for k in range(start, stop + 1)]
        if any("warnings:" in t.lower() for _, t in block):
            for number, text in block:
                stripped = text.strip()
                if stripped.startswith("- "):
                    out.append(_warning(number, stripped[2:].strip()))
            if not first_end:
                first_end = stop + 1
        i = stop + 1
    return tuple(out), first_end


# -- helpers over the raw text -----------------------------------------------------------------


def _skip_comments(text: str, pos: int, end: int) -> tuple[int, list[str]]:
    """Skip whitespace and comments from `pos`; return the new position and the comments."""
    comments: list[str] = []
    while pos < end:
        ch = text[pos]
        if ch in " \t\r\n\f\v":
            pos += 1
        elif text.startswith("--", pos):
            nl = text.find("\n", pos, end)
            stop = end if nl == -1 else nl
            comments.append(text[pos + 2 : stop].strip())
            pos = stop
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2, end)
            stop = end if close == -1 else close + 2
            comments.append(text[pos + 2 : stop - 2 if close != -1 else stop].strip())
            pos = stop
        else:
            break
    return pos, comments


_SPACE_AND_COMMENTS = lazy_compile(r"(?:[ \t\r\n\f\v]+|--[^\n]*|/\*(?:.*?\*/|.*))*", re.S)


def _skip_to_code(text: str, pos: int, end: int) -> int:
    """`_skip_comments(text, pos, end)[0]`, with one regular expression (no comment list)."""
    if pos >= end:
        return pos
    p = _SPACE_AND_COMMENTS.match(text, pos, end).end()  # type: ignore[union-attr]
    if p < end and (text.startswith("--", p) or text.startswith("/*", p)):
        p = _skip_comments(text, p, end)[0]  # a comment opener cut in two by `end`
    return p


_HEADER = lazy_compile(r"^[A-Z][A-Za-z]+$")


def _headers(comments: list[str]) -> tuple[str, ...]:
    if not comments:
        return ()
    return tuple(c for c in comments if _HEADER.match(c))


def _problem(path: str, line: int, column: int, message: str) -> ParseProblem:
    return ParseProblem(
        ProblemKind.SYNTAX,
        f"cannot parse the SQL of {path} at line {line}: {message}",
        Location(path, line, column),
    )


def _newlines(data: AnyStr, sep: AnyStr) -> list[int]:
    """Offsets of every `sep` (a newline) in `data` (text or bytes), in order."""
    if isinstance(data, str):  # the same, from the lengths of the lines (all in C)
        return list(accumulate(map(_PLUS_ONE, map(len, data.split(sep))), initial=-1))[1:-1]
    out: list[int] = []
    find = data.find
    pos = find(sep)
    while pos != -1:
        out.append(pos)
        pos = find(sep, pos + 1)
    return out


_PLUS_ONE = (1).__add__
