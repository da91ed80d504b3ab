"""JSON with the position of every key path (package.json and the JSON platform files), with a depth limit."""

from __future__ import annotations

import json
from typing import Any

from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass

# ---------------------------------------------------------------------------------------------
# JSON with key positions
# ---------------------------------------------------------------------------------------------

KeyPath = tuple[str | int, ...]


@dataclass(slots=True, frozen=True)
class Position:
    line: int
    column: int
    value_line: int
    value_column: int


def _line_col(starts: list[int], pos: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, pos - starts[lo] + 1


_WS = frozenset(" \t\n\r")
_STRING_RE = lazy_compile(r'"(?:[^"\\\n]|\\.)*"')
_SCALAR_RE = lazy_compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def _positions(text: str) -> dict[KeyPath, Position]:
    """The position of every key (and of every array item) by path. Assumes valid JSON."""
    starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]
    out: dict[KeyPath, Position] = {}
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in _WS:
            i += 1
        return i

    def value(i: int, path: KeyPath) -> int:
        i = skip(i)
        if i >= n:
            return i
        c = text[i]
        if c == "{":
            i = skip(i + 1)
            if i < n and text[i] == "}":
                return i + 1
            while i < n:
                i = skip(i)
                m = _STRING_RE.match(text, i)
                if not m:
                    return n
                key = json.loads(m.group(0))
                key_pos = i
                i = skip(m.end())
                i = skip(i + 1)  # the colon
                kl, kc = _line_col(starts, key_pos)
                vl, vc = _line_col(starts, i)
                out[(*path, key)] = Position(kl, kc, vl, vc)
                i = skip(value(i, (*path, key)))
                if i < n and text[i] == ",":
                    i += 1
                    continue
                return i + 1
            return i
        if c == "[":
            i = skip(i + 1)
            if i < n and text[i] == "]":
                return i + 1
            k = 0
            while i < n:
                i = skip(i)
                vl, vc = _line_col(starts, i)
                out[(*path, k)] = Position(vl, vc, vl, vc)
                i = skip(value(i, (*path, k)))
                k += 1
                if i < n and text[i] == ",":
                    i += 1
                    continue
                return i + 1
            return i
        if c == '"':
            m = _STRING_RE.match(text, i)
            return m.end() if m else n
        m = _SCALAR_RE.match(text, i)
        return m.end() if m else i + 1

    value(0, ())
    return out


@dataclass(slots=True, frozen=True)
class JsonDocument:
    """A decoded JSON file with the position of every key path (None when it is not JSON)."""

    path: str
    data: Any
    positions: dict[KeyPath, Position]
    problems: tuple[ParseProblem, ...] = ()

    def line(self, *path: str | int) -> int:
        """The line of the key at `path` (the nearest enclosing key's line when absent)."""
        p: KeyPath = tuple(path)
        while p:
            pos = self.positions.get(p)
            if pos is not None:
                return pos.line
            p = p[:-1]
        return 1

    def location(self, *path: str | int, value: bool = False) -> Location:
        p: KeyPath = tuple(path)
        while p:
            pos = self.positions.get(p)
            if pos is not None:
                if value:
                    return Location(self.path, pos.value_line, pos.value_column)
                return Location(self.path, pos.line, pos.column)
            p = p[:-1]
        return Location(self.path, 1)

    def get(self, *path: str | int) -> object:
        cur = self.data
        for key in path:
            in_list = isinstance(key, int) and isinstance(cur, list) and 0 <= key < len(cur)
            in_dict = isinstance(key, str) and isinstance(cur, dict) and key in cur
            if in_list or in_dict:
                cur = cur[key]
            else:
                return None
        return cur


def _strip_jsonc(text: str) -> str:
    """Blank `//` and `/* */` comments and trailing commas (JSONC), keeping every offset."""
    out = list(text)
    i = 0
    n = len(text)
    last_sig = -1
    while i < n:
        c = text[i]
        if c == '"':
            m = _STRING_RE.match(text, i)
            end = m.end() if m else n
            last_sig = end - 1
            i = end
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        if c in "}]" and last_sig >= 0 and out[last_sig] == ",":
            out[last_sig] = " "
        if c not in _WS:
            last_sig = i
        i += 1
    return "".join(out)


MAX_JSON_DEPTH = 128
"""JSON values nested deeper than this are a parse problem and are left out (the rest of the
document is analyzed): Python's decoder (and the position walk above) recurse once per level,
and no package.json or platform file needs it."""

_JSON_NESTING = lazy_compile(r'"(?:[^"\\\n]|\\.)*"|[\[{]|[\]}]')
_NOT_NEWLINE = lazy_compile(r"[^\n]")


def shallow_json(text: str) -> tuple[str, int | None]:
    """`text` with every value nested deeper than `MAX_JSON_DEPTH` replaced by `0` (padded
    with spaces, newlines kept, so every other offset, line and column stays the same), and the
    offset of the first such value (None when there is none: then `text` itself comes back).

    Iterative; string contents are skipped; text with few brackets takes the fast path.
    """
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return text, None
    depth = 0
    cut: list[tuple[int, int]] = []
    start = -1
    for m in _JSON_NESTING.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth == MAX_JSON_DEPTH + 1:
                start = m.start()
        elif c == "]" or c == "}":
            if depth == MAX_JSON_DEPTH + 1:
                cut.append((start, m.end()))
            depth -= 1
    if depth > MAX_JSON_DEPTH:  # not closed: to the end
        cut.append((start, len(text)))
    if not cut:
        return text, None
    parts: list[str] = []
    last = 0
    for a, b in cut:
        parts += [text[last:a], "0", _NOT_NEWLINE.sub(" ", text[a + 1 : b])]
        last = b
    parts.append(text[last:])
    return "".join(parts), cut[0][0]


def json_with_lines(path: str, text: str, jsonc: bool = False) -> JsonDocument:
    """Decode `text`; on failure a parse problem with the decoder's line and column.

    Values nested past `MAX_JSON_DEPTH` are left out, with a parse problem at the first.
    """
    body = _strip_jsonc(text) if jsonc else text
    body, deep = shallow_json(body)
    problems: tuple[ParseProblem, ...] = ()
    if deep is not None:
        line = body.count("\n", 0, deep) + 1
        column = deep - (body.rfind("\n", 0, deep) + 1) + 1
        problems = (
            ParseProblem(
                ProblemKind.TOO_DEEP,
                f"{path} is nested more than {MAX_JSON_DEPTH} levels deep (keepdata's limit): "
                "the values below that level are not analyzed",
                Location(path, line, column),
            ),
        )
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        problem = ParseProblem(
            ProblemKind.SYNTAX,
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            Location(path, exc.lineno, exc.colno),
        )
        return JsonDocument(path, None, {}, (*problems, problem))
    except RecursionError:  # pragma: no cover - shallow_json keeps the decoder far from it
        problem = ParseProblem(
            ProblemKind.TOO_DEEP, f"{path} is nested too deeply to read", Location(path, 1)
        )
        return JsonDocument(path, None, {}, (problem,))
    return JsonDocument(path, data, _positions(body), problems)
