"""What Prisma knows (blocks, scalar types, attributes), and lexing and parsing one line of a schema."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from analysis.lazy_re import lazy_compile
from analysis.parsers.prisma_schema.records import (
    MAX_NESTING,
    Argument,
    ArrayValue,
    Attribute,
    ConstantValue,
    FunctionCall,
    NumberValue,
    StringValue,
)

if TYPE_CHECKING:
    from analysis.parsers.prisma_schema.records import Value


# ---------------------------------------------------------------------------------------------
# What Prisma knows
# ---------------------------------------------------------------------------------------------

BLOCK_KEYWORDS = ("model", "enum", "view", "type", "datasource", "generator")
SCALAR_TYPES = frozenset(
    {"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"}
)
REFERENTIAL_ACTIONS = ("Cascade", "Restrict", "NoAction", "SetNull", "SetDefault")

# attribute name -> allowed argument names (the first one may be given unnamed)
_MODEL_FIELD_ATTRS: dict[str, tuple[str, ...]] = {
    "id": ("map", "length", "sort", "clustered"),
    "default": ("value", "map"),
    "unique": ("map", "length", "sort", "clustered"),
    "relation": ("name", "fields", "references", "onDelete", "onUpdate", "map"),
    "map": ("name",),
    "updatedAt": (),
    "ignore": (),
    "shardKey": (),
}
_TYPE_FIELD_ATTRS: dict[str, tuple[str, ...]] = {
    "default": ("value", "map"),
    "map": ("name",),
}
_MODEL_BLOCK_ATTRS: dict[str, tuple[str, ...]] = {
    "id": ("fields", "name", "map", "length", "sort", "clustered"),
    "unique": ("fields", "name", "map", "length", "sort", "clustered"),
    "index": ("fields", "name", "map", "type", "clustered", "ops", "length", "sort", "where"),
    "fulltext": ("fields", "map"),
    "map": ("name",),
    "schema": ("name",),
    "ignore": (),
    "shardKey": ("fields",),
}
_ENUM_VALUE_ATTRS: dict[str, tuple[str, ...]] = {"map": ("name",)}
_ENUM_BLOCK_ATTRS: dict[str, tuple[str, ...]] = {"map": ("name",), "schema": ("name",)}
_POSITIONAL = frozenset({"value", "name", "fields"})
_SINGLE_BLOCK_ATTRS = frozenset({"id", "map", "schema", "ignore", "shardKey"})

DATASOURCE_PROPERTIES = (
    "provider",
    "url",
    "directUrl",
    "shadowDatabaseUrl",
    "relationMode",
    "referentialIntegrity",
    "schemas",
    "extensions",
)

# ---------------------------------------------------------------------------------------------
# Lexing one line
# ---------------------------------------------------------------------------------------------

_TOKEN = lazy_compile(
    r"""[ \t\f\v\u00a0\ufeff]*(?:
        (?P<str>"(?:[^"\\\n]|\\.)*")
      | (?P<num>-?[0-9]+(?:\.[0-9]+)?)(?![A-Za-z0-9_-])
      | (?P<id>\w[\w-]*(?:\.\w[\w-]*)*\.?)
      | (?P<comment>//.*)
      | (?P<punct>@@|[@()\[\],:=?!{}])
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)
_KIND_GROUPS = ("str", "num", "id", "comment", "punct", "bad")

_BLOCK_OPEN = lazy_compile(r"^([A-Za-z_][A-Za-z0-9_-]*)(?:[ \t]+(\w[\w-]*))?[ \t]*\{(.*)$")
_TYPE_ALIAS = lazy_compile(r"^type[ \t]+[A-Za-z0-9_][A-Za-z0-9_-]*[ \t]*=")
_PRISMA8 = lazy_compile(r"^//\s*use\s+prisma-8\b")


_Tok = tuple[str, str, int]
"""A token: (kind, text, column). Kinds: str, num, id, comment, punct, bad."""


_LEX_CACHE: dict[str, tuple[_Tok, ...]] = {}
_LEX_CACHE_LIMIT = 50_000
_LEX_CACHE_CHARS = 4_000_000
"""The cached lines hold at most this many characters (their tokens a small multiple): the
cache is bounded in bytes, not only in lines (a 2 MB schema line would otherwise stay)."""
_LEX_LINE_CHARS = 512
"""Longer lines are lexed every time, never cached."""
_lex_cached_chars = 0


def _lex(text: str) -> tuple[_Tok, ...]:
    """The tokens of one line (cached by the line's text: schemas repeat many lines)."""
    hit = _LEX_CACHE.get(text)
    if hit is not None:
        return hit
    toks = tuple(
        (kind, m.group(kind), m.start(kind) + 1)
        for m in _TOKEN.finditer(text)
        if (kind := m.lastgroup or "bad")
    )
    global _lex_cached_chars
    if len(text) > _LEX_LINE_CHARS:
        return toks
    if len(_LEX_CACHE) >= _LEX_CACHE_LIMIT or _lex_cached_chars >= _LEX_CACHE_CHARS:
        _LEX_CACHE.clear()
        _lex_cached_chars = 0
    _LEX_CACHE[text] = toks
    _lex_cached_chars += len(text)
    return toks


class _SyntaxProblem(Exception):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw[1:-1]
    try:
        value = json.loads(raw)
    except ValueError:
        return raw[1:-1]
    return value if isinstance(value, str) else raw[1:-1]


class _LineParser:
    """Recursive descent over the tokens of one line."""

    __slots__ = ("depth", "end_column", "i", "line", "n", "toks", "trailing_commas")

    def __init__(self, toks: tuple[_Tok, ...], line: int, end_column: int) -> None:
        self.toks = toks
        self.n = len(toks)
        self.i = 0
        self.depth = 0  # values and argument lists open around the current token
        self.line = line
        self.end_column = end_column
        self.trailing_commas: list[int] = []

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < self.n else None

    def at(self, text: str) -> bool:
        # punctuation text never equals a string, number, name or comment token's text
        return self.i < self.n and self.toks[self.i][1] == text

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def column(self) -> int:
        t = self.peek()
        return t[2] if t is not None else self.end_column

    def fail(self, message: str) -> _SyntaxProblem:
        t = self.peek()
        if t is not None and t[0] == "bad" and t[1] == '"':
            return _SyntaxProblem('unterminated string (no closing `"` on this line)', t[2])
        return _SyntaxProblem(message, self.column())

    def expect(self, text: str, what: str) -> _Tok:
        if not self.at(text):
            t = self.peek()
            found = f"`{t[1]}`" if t is not None else "the end of the line"
            raise self.fail(f"expected `{text}` {what}, found {found}")
        return self.take()

    def expression(self) -> Value:
        i = self.i
        if i >= self.n:
            raise self.fail("expected a value, found the end of the line")
        kind, text, col = self.toks[i]
        if kind == "id":
            if text[-1] == ".":
                raise _SyntaxProblem(f"`{text}` is not a complete name", col)
            self.i = i + 1
            if i + 1 < self.n and self.toks[i + 1][1] == "(":
                self.enter(col)
                args = self.arguments()
                self.depth -= 1
                return FunctionCall(text, args, self.line, col)
            return ConstantValue(text, self.line, col)
        if kind == "str":
            self.i = i + 1
            return StringValue(_unescape(text), self.line, col)
        if kind == "num":
            self.i = i + 1
            return NumberValue(text, self.line, col)
        if text == "[":
            self.enter(col)
            self.i = i + 1
            items: list[Value] = []
            toks = self.toks
            if self.i < self.n and toks[self.i][1] != "]":
                items.append(self.expression())
                while self.i < self.n and toks[self.i][1] == ",":
                    self.i += 1
                    if self.i < self.n and toks[self.i][1] == "]":
                        raise self.fail("a list cannot end with a comma")
                    if self.i >= self.n:
                        break
                    items.append(self.expression())
            if self.i >= self.n:
                raise _SyntaxProblem(
                    "missing `]`: the list is not closed on this line (Prisma needs a value on "
                    "a single line)",
                    col,
                )
            self.expect("]", "to close the list")
            self.depth -= 1
            return ArrayValue(tuple(items), self.line, col)
        raise self.fail(f"expected a value, found `{text}`")

    def enter(self, column: int) -> None:
        """One more level of nesting: a problem (the line is skipped) past `MAX_NESTING`."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _SyntaxProblem(
                f"the value is nested more than {MAX_NESTING} levels deep (keepdata's limit); "
                "the line is not analyzed",
                column,
            )

    def arguments(self) -> tuple[Argument, ...]:
        """The arguments of `(...)`: the current token is the `(`."""
        toks = self.toks
        n = self.n
        open_col = toks[self.i][2]
        self.i += 1
        args: list[Argument] = []
        line = self.line
        if self.i < n and toks[self.i][1] == ")":
            self.i += 1
            return ()
        while True:
            i = self.i
            if i >= n:
                break
            kind, text, col = toks[i]
            if kind == "id" and i + 1 < n and toks[i + 1][1] == ":":
                self.i = i + 2
                if self.i < n and toks[self.i][1] in (",", ")"):
                    args.append(Argument(text, None, line, col))
                else:
                    args.append(Argument(text, self.expression(), line, col))
            else:
                args.append(Argument(None, self.expression(), line, col))
            i = self.i
            if i >= n:
                break
            sep = toks[i][1]
            if sep == ",":
                self.i = i + 1
                if self.i < n and toks[self.i][1] == ")":
                    self.trailing_commas.append(toks[i][2])
                    self.i += 1
                    return tuple(args)
                continue
            if sep == ")":
                self.i = i + 1
                return tuple(args)
            raise self.fail(f"expected `,` or `)` between arguments, found `{sep}`")
        raise _SyntaxProblem(
            "missing `)`: the argument list is not closed on this line (Prisma needs an "
            "attribute on a single line)",
            open_col,
        )

    def attributes(self, block: bool) -> list[Attribute]:
        out: list[Attribute] = []
        toks = self.toks
        n = self.n
        line = self.line
        while True:
            i = self.i
            if i >= n:
                return out
            kind, text, col = toks[i]
            if kind == "comment":
                return out
            if text != "@" and text != "@@":
                raise self.fail(
                    f"expected an attribute (`@...`), found `{text}`"
                    if not block
                    else f"unexpected `{text}` after the attribute"
                )
            if i + 1 >= n or toks[i + 1][0] != "id":  # Prisma allows `@ id`, `@@ index`
                self.i = i + 1
                raise self.fail(f"`{text}` must be followed by an attribute name")
            name = toks[i + 1][1]
            if name[-1] == ".":
                raise _SyntaxProblem(f"`{text}{name}` is not a complete attribute name", col)
            self.i = i + 2
            args: tuple[Argument, ...] = ()
            if i + 2 < n and toks[i + 2][1] == "(":
                args = self.arguments()
            out.append(Attribute(name, args, line, col, text == "@@"))
            if block:
                t = self.peek()
                if t is not None and t[0] != "comment":
                    raise self.fail(
                        f"unexpected `{t[1]}` after @@{name}: one block attribute per line"
                    )
                return out

    def trailing_doc(self) -> str:
        t = self.peek()
        if t is not None and t[0] == "comment" and t[1].startswith("///"):
            return t[1][3:].strip()
        return ""
