"""Prisma commands in shell text (a `RUN`, a package.json script), and where a shell command starts."""

from __future__ import annotations

import re

from analysis.lazy_re import lazy_compile
from analysis.parsers.prisma_cli import VALUE_FLAGS, command_of
from analysis.records import dataclass

_PRISMA_WORD = lazy_compile(r"(?<![\w/@.$-])prisma(?:@[\w.^~<>=*+-]+)?(?=[ \t])")


_SEGMENT_END = lazy_compile(r"&&|\|\||[;|\n()`\"']")


@dataclass(slots=True, frozen=True)
class FoundCommand:
    offset: int
    command: str
    flags: tuple[str, ...]
    text: str


_NOT_RUN = lazy_compile(r"^\s*(?:echo|printf|log|info|warn|:)\b")


_NON_BLANK = lazy_compile(r"\S")


def find_prisma_commands(text: str, script: bool = False) -> list[FoundCommand]:
    """Prisma CLI commands in shell text (`npx prisma migrate deploy`, `prisma db update`...).
    Words an `echo`/`printf` prints are not commands; with `script`, neither are comments."""
    out: list[FoundCommand] = []
    starts = _CommandStarts(text)
    # one forward pass: the matches come in order, so the line start, the line's first
    # non-blank character and the segment end are each found once, not searched back from
    # every match (a one-line list of n Prisma commands cost n * n)
    scanned = 0  # the text before this offset has been searched for newlines
    comment = False  # the current line starts with `#`
    end_m: re.Match[str] | None = None
    end_from = -1  # `end_m` is the first segment end at or after this offset
    for m in _PRISMA_WORD.finditer(text):
        if script:
            newline = text.rfind("\n", scanned, m.start())
            if newline >= 0 or not scanned:
                line_start = newline + 1
                first = _NON_BLANK.search(text, line_start, m.start())
                comment = first is not None and first.group() == "#"
            scanned = m.start()
            if comment:
                continue
        start = starts.at(m.start())
        if _NOT_RUN.match(text[start : m.start()]):
            continue
        if end_from < 0 or (end_m is not None and end_m.start() < m.end()):
            end_m = _SEGMENT_END.search(text, m.end())
            end_from = m.end()
        end = end_m.start() if end_m else len(text)
        rest = text[m.end() : end].replace("\\\n", " ")
        words = rest.split()
        plain: list[str] = []
        flags: list[str] = []
        skip = False
        for w in words:
            if skip:
                skip = False
                continue
            if w.startswith("-"):
                flags.append(w)
                if w in VALUE_FLAGS:
                    skip = True
                continue
            plain.append(w)
            if len(plain) == 2:
                break
        command = command_of(plain)
        if command is None:
            continue
        # flags after the command words too
        for w in words:
            if w.startswith("-") and w not in flags:
                flags.append(w)
        out.append(FoundCommand(m.start(), command, tuple(flags), text[start:end].strip()))
    return out


_COMMAND_SEP = lazy_compile(r"&&|\|\||[;|\n(`]")


def _command_start(text: str, offset: int) -> int:
    """Where the shell command holding `offset` starts (after the previous `&&`, `;`...)."""
    return _CommandStarts(text).at(offset)


class _CommandStarts:
    """`_command_start` for offsets asked in increasing order, in time linear in the text
    (each call of `_command_start` rescans the text before it: a list of n Prisma commands
    cost n * n). One forward scan of the whole text: its matches are those of the text cut
    at an offset, but for a two-character separator the cut splits (`||` leaves `|`)."""

    __slots__ = ("_best", "_last", "_matches", "_next", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._restart()

    def _restart(self) -> None:
        self._matches = _COMMAND_SEP.finditer(self._text)
        self._next = next(self._matches, None)
        self._best = 0
        self._last = 0

    def at(self, offset: int) -> int:
        if offset < self._last:  # asked out of order: scan again from the start
            self._restart()
        self._last = offset
        m = self._next
        while m is not None and m.end() <= offset:
            self._best = m.end()
            m = next(self._matches, None)
        self._next = m
        if m is not None and m.start() < offset and m.group() == "||":
            return offset
        return self._best
