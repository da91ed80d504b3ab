"""Parse `.env` files (the format Compose and dotenv read) keeping each entry's line.

Built on python-dotenv's own line parser (`dotenv.parser.parse_stream`), so quoting, `export`
prefixes, comments and multi-line quoted values are read as dotenv reads them. A line it cannot
parse becomes a parse problem; the other lines are kept.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from analysis.model import Location
from analysis.parsers.interpolate import interpolate
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.secrets import safe_text
from analysis.sources import SourceFile

MAX_PROBLEMS = 20


@dataclass(slots=True, frozen=True)
class DotenvEntry:
    """`KEY=value` on `line`. `value` is None for a bare `KEY` (no `=`). `quote` is the quote
    character the value was written with ("" when unquoted)."""

    key: str
    value: str | None
    line: int
    column: int
    quote: str
    text: str

    @property
    def interpolates(self) -> bool:
        """Compose substitutes `${VAR}` in unquoted and double-quoted values."""
        return self.quote != "'"


@dataclass(slots=True, frozen=True)
class DotenvFile:
    path: str
    entries: tuple[DotenvEntry, ...]
    problems: tuple[ParseProblem, ...] = ()

    def get(self, key: str) -> DotenvEntry | None:
        """The entry that sets `key` (the last one when it is set twice)."""
        for entry in reversed(self.entries):
            if entry.key == key:
                return entry
        return None

    def location(self, entry: DotenvEntry) -> Location:
        return Location(self.path, entry.line, entry.column)

    def values(self, outer: Mapping[str, str] | None = None) -> dict[str, str]:
        """The variables the file defines, with `${VAR}` resolved against earlier entries (and
        `outer`, which wins over the file as the shell environment does for Compose)."""
        out: dict[str, str] = {}
        scope: dict[str, str] = dict(outer or {})
        for entry in self.entries:
            if entry.value is None:
                if outer is not None and entry.key in outer:
                    out[entry.key] = outer[entry.key]
                continue
            value = entry.value
            if entry.interpolates and "$" in value:
                value = interpolate(value, {**out, **scope}).value
            out[entry.key] = value
        if outer:
            for key in out:
                if key in outer:
                    out[key] = outer[key]
        return out


def parse_dotenv(source: SourceFile) -> DotenvFile:
    return parse_dotenv_text(source.text, source.path)


def parse_dotenv_text(text: str, path: str = ".env") -> DotenvFile:
    from dotenv.parser import parse_stream  # imported here: most projects have no .env file

    entries: list[DotenvEntry] = []
    problems: list[ParseProblem] = []
    for binding in parse_stream(io.StringIO(text)):
        raw = binding.original.string
        stripped = raw.lstrip()
        lead = raw[: len(raw) - len(stripped)]
        line = binding.original.line + lead.count("\n")
        column = len(lead) - (lead.rfind("\n") + 1) + 1
        first_line = stripped.split("\n", 1)[0].rstrip()
        if binding.error:
            if len(problems) < MAX_PROBLEMS:
                problems.append(
                    ParseProblem(
                        ProblemKind.SYNTAX,
                        f"{path}: line {line} is not `KEY=value` and cannot be parsed"
                        f" ({_preview(first_line)})",
                        Location(path, line, column),
                    )
                )
            continue
        if binding.key is None:
            continue
        quote = ""
        if binding.value is not None:
            after = stripped.split("=", 1)[1].lstrip() if "=" in stripped else ""
            if after[:1] in ("'", '"'):
                quote = after[0]
        entries.append(DotenvEntry(binding.key, binding.value, line, column, quote, first_line))
    return DotenvFile(path, tuple(entries), tuple(problems))


def _preview(text: str) -> str:
    """The start of a bad line, never its value: the first word only."""
    word = text.split(None, 1)[0] if text.split() else ""
    word = safe_text(word.split("=", 1)[0])
    word = word if len(word) <= 40 else word[:37] + "..."
    return f"starts with {word!r}" if word else "empty"
