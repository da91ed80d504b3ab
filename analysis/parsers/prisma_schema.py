"""Parse one Prisma Schema Language file (`*.prisma`) into records that keep their positions.

The grammar follows Prisma's own (psl/schema-ast `datamodel.pest`): a schema is a sequence of
blocks (`datasource`, `generator`, `model`, `view`, `type`, `enum`), each opened by `{` at the
end of its first line and closed by `}` on a line of its own; inside a block every field,
attribute, enum value or `key = value` pair takes exactly one line (Prisma has no multi-line
attributes). `//` comments go anywhere, `///` comments document the next block or field.

The parser never raises. What Prisma would reject in one file (a line that is no declaration,
an unterminated block or string, an unknown attribute or argument, a trailing comma in
attribute arguments) becomes a parse problem (KD505) with line, column and a sentence a person
understands, and parsing goes on with the rest. Checks that need the whole schema (unknown
types, duplicates across files, relations) live in `analysis.facts.schema` and
`analysis.facts.relations`.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Union

from analysis.model import Location
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

MAX_NESTING = 64
"""Values nested deeper than this (`a(b(c(...)))`, `[[[...]]]`) are a parse problem on their
line: the parser is recursive descent, and no schema Prisma accepts comes near this depth."""

# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class StringValue:
    """`"text"`: `value` is the unescaped text."""

    value: str
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class NumberValue:
    text: str
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class ConstantValue:
    """A bare name or dotted path: `true`, `Cascade`, an enum value, a field reference."""

    name: str
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class FunctionCall:
    """`autoincrement()`, `env("DATABASE_URL")`, `dbgenerated("...")`, `name(sort: Desc)`."""

    name: str
    args: tuple[Argument, ...]
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class ArrayValue:
    items: tuple[Value, ...]
    line: int
    column: int


Value = Union[StringValue, NumberValue, ConstantValue, FunctionCall, ArrayValue]  # noqa: UP007


@dataclass(slots=True, frozen=True)
class Argument:
    """One argument of an attribute or function: `name: value`, a bare `value`, or `name:`."""

    name: str | None
    value: Value | None
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class Attribute:
    """`@name(args)` on a field or enum value, `@@name(args)` on a block (`block` is True).

    `name` has no `@`: `id`, `default`, `relation`, `db.VarChar`, `@@index` is `index`.
    """

    name: str
    args: tuple[Argument, ...]
    line: int
    column: int
    block: bool = False

    @property
    def label(self) -> str:
        return ("@@" if self.block else "@") + self.name

    def arg(self, name: str, position: int | None = None) -> Value | None:
        """The argument called `name`, else the `position`-th unnamed one (0-based)."""
        unnamed = 0
        for a in self.args:
            if a.name == name:
                return a.value
        if position is None:
            return None
        for a in self.args:
            if a.name is None:
                if unnamed == position:
                    return a.value
                unnamed += 1
        return None

    def argument(self, name: str, position: int | None = None) -> Argument | None:
        """Like `arg`, but the `Argument` record (for its position)."""
        unnamed = 0
        for a in self.args:
            if a.name == name:
                return a
        if position is None:
            return None
        for a in self.args:
            if a.name is None:
                if unnamed == position:
                    return a
                unnamed += 1
        return None


@dataclass(slots=True, frozen=True)
class Field:
    """A field of a model, view or composite type.

    `type_name` is the bare type (`String`, `User`, `Role`); `unsupported` holds the text of
    `Unsupported("...")` (then `type_name` is `Unsupported`). `required` means neither `?` nor
    `[]`.
    """

    path: str
    model: str
    name: str
    type_name: str
    optional: bool
    list: bool
    unsupported: str | None
    attributes: tuple[Attribute, ...]
    line: int
    column: int
    type_column: int
    doc: str = ""

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    @property
    def qualified(self) -> str:
        return f"{self.model}.{self.name}"

    @property
    def required(self) -> bool:
        return not self.optional and not self.list

    @property
    def type_text(self) -> str:
        base = (
            f'Unsupported("{self.unsupported}")' if self.unsupported is not None else self.type_name
        )
        return base + ("[]" if self.list else "") + ("?" if self.optional else "")

    def attribute(self, name: str) -> Attribute | None:
        for a in self.attributes:
            if a.name == name:
                return a
        return None

    def has(self, name: str) -> bool:
        return self.attribute(name) is not None

    @property
    def is_id(self) -> bool:
        return self.has("id")

    @property
    def is_unique(self) -> bool:
        return self.has("unique")

    @property
    def is_updated_at(self) -> bool:
        return self.has("updatedAt")

    @property
    def is_ignored(self) -> bool:
        return self.has("ignore")

    @property
    def default(self) -> Value | None:
        """The value of `@default(...)`, or None."""
        attr = self.attribute("default")
        return attr.arg("value", 0) if attr is not None else None

    @property
    def has_default(self) -> bool:
        return self.has("default")

    @property
    def db_name(self) -> str | None:
        """The column name given by `@map("...")`, or None."""
        attr = self.attribute("map")
        value = attr.arg("name", 0) if attr is not None else None
        return value.value if isinstance(value, StringValue) else None

    @property
    def column_name(self) -> str:
        return self.db_name or self.name

    @property
    def relation(self) -> Attribute | None:
        return self.attribute("relation")

    @property
    def native_type(self) -> Attribute | None:
        """The `@db.X(...)` attribute (any `@<datasource>.X`), or None."""
        for a in self.attributes:
            if "." in a.name:
                return a
        return None


@dataclass(slots=True, frozen=True)
class Model:
    """A `model`, `view` or composite `type` block (`kind` says which)."""

    path: str
    kind: str
    name: str
    fields: tuple[Field, ...]
    attributes: tuple[Attribute, ...]
    line: int
    column: int
    end_line: int
    doc: str = ""

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column, self.end_line)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def block_attributes(self, name: str) -> tuple[Attribute, ...]:
        return tuple(a for a in self.attributes if a.name == name)

    def block_attribute(self, name: str) -> Attribute | None:
        for a in self.attributes:
            if a.name == name:
                return a
        return None

    @property
    def db_name(self) -> str | None:
        """The table name given by `@@map("...")`, or None."""
        attr = self.block_attribute("map")
        value = attr.arg("name", 0) if attr is not None else None
        return value.value if isinstance(value, StringValue) else None

    @property
    def table_name(self) -> str:
        return self.db_name or self.name

    @property
    def schema_name(self) -> str | None:
        """The database schema of `@@schema("...")`, or None."""
        attr = self.block_attribute("schema")
        value = attr.arg("name", 0) if attr is not None else None
        return value.value if isinstance(value, StringValue) else None

    @property
    def is_ignored(self) -> bool:
        return self.block_attribute("ignore") is not None

    @property
    def id_fields(self) -> tuple[str, ...]:
        """The primary key's fields: the `@id` field, else `@@id([...])`'s, else ()."""
        for f in self.fields:
            if f.is_id:
                return (f.name,)
        attr = self.block_attribute("id")
        return field_refs(attr.arg("fields", 0)) if attr is not None else ()

    @property
    def unique_sets(self) -> tuple[tuple[str, ...], ...]:
        """Every unique criterion: the id, each `@unique` field, each `@@unique([...])`."""
        out: list[tuple[str, ...]] = []
        ids = self.id_fields
        if ids:
            out.append(ids)
        out.extend((f.name,) for f in self.fields if f.is_unique)
        for attr in self.block_attributes("unique"):
            refs = field_refs(attr.arg("fields", 0))
            if refs:
                out.append(refs)
        return tuple(out)

    @property
    def index_sets(self) -> tuple[tuple[str, ...], ...]:
        """The field lists of every index: unique criteria plus `@@index`/`@@fulltext`."""
        out = list(self.unique_sets)
        for name in ("index", "fulltext"):
            for attr in self.block_attributes(name):
                refs = field_refs(attr.arg("fields", 0))
                if refs:
                    out.append(refs)
        return tuple(out)


@dataclass(slots=True, frozen=True)
class EnumValue:
    name: str
    attributes: tuple[Attribute, ...]
    line: int
    column: int
    doc: str = ""

    @property
    def db_name(self) -> str | None:
        for a in self.attributes:
            if a.name == "map":
                value = a.arg("name", 0)
                if isinstance(value, StringValue):
                    return value.value
        return None


@dataclass(slots=True, frozen=True)
class Enum:
    path: str
    name: str
    values: tuple[EnumValue, ...]
    attributes: tuple[Attribute, ...]
    line: int
    column: int
    end_line: int
    doc: str = ""

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column, self.end_line)

    @property
    def db_name(self) -> str | None:
        for a in self.attributes:
            if a.name == "map":
                value = a.arg("name", 0)
                if isinstance(value, StringValue):
                    return value.value
        return None

    @property
    def schema_name(self) -> str | None:
        for a in self.attributes:
            if a.name == "schema":
                value = a.arg("name", 0)
                if isinstance(value, StringValue):
                    return value.value
        return None


@dataclass(slots=True, frozen=True)
class Property:
    """`key = value` in a datasource or generator block."""

    key: str
    value: Value | None
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class Setting:
    """A datasource setting that names a connection: a literal, `env("X")`, or something else.

    `kind` is "literal", "env" or "other"; `text` is the value as written (literal URLs may
    hold passwords: mask them before showing).
    """

    kind: str
    text: str
    env: str | None
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class Extension:
    """One entry of `extensions = [...]`: `pgvector(map: "vector", schema: "x")`."""

    name: str
    db_name: str
    schema: str | None
    version: str | None
    line: int
    column: int


@dataclass(slots=True, frozen=True)
class ConfigBlock:
    """A `datasource` or `generator` block."""

    path: str
    kind: str
    name: str
    properties: tuple[Property, ...]
    line: int
    column: int
    end_line: int
    doc: str = ""

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column, self.end_line)

    def prop(self, key: str) -> Property | None:
        for p in self.properties:
            if p.key == key:
                return p
        return None

    def string(self, key: str) -> str | None:
        p = self.prop(key)
        return p.value.value if p is not None and isinstance(p.value, StringValue) else None

    @property
    def provider(self) -> str | None:
        """The provider string as written (`postgresql`, `prisma-client-js`), or None."""
        return self.string("provider")

    @property
    def provider_line(self) -> int:
        p = self.prop("provider")
        return p.line if p is not None else self.line

    # datasource settings
    @property
    def relation_mode(self) -> str | None:
        """`relationMode` (or its old name `referentialIntegrity`), or None when unset."""
        return self.string("relationMode") or self.string("referentialIntegrity")

    @property
    def relation_mode_property(self) -> Property | None:
        return self.prop("relationMode") or self.prop("referentialIntegrity")

    def setting(self, key: str) -> Setting | None:
        p = self.prop(key)
        if p is None or p.value is None:
            return None
        return setting_of(p.value)

    @property
    def url(self) -> Setting | None:
        return self.setting("url")

    @property
    def direct_url(self) -> Setting | None:
        return self.setting("directUrl")

    @property
    def shadow_database_url(self) -> Setting | None:
        return self.setting("shadowDatabaseUrl")

    @property
    def schemas(self) -> tuple[str, ...]:
        p = self.prop("schemas")
        if p is None or not isinstance(p.value, ArrayValue):
            return ()
        return tuple(v.value for v in p.value.items if isinstance(v, StringValue))

    @property
    def extensions(self) -> tuple[Extension, ...]:
        p = self.prop("extensions")
        if p is None or not isinstance(p.value, ArrayValue):
            return ()
        out: list[Extension] = []
        for item in p.value.items:
            if isinstance(item, ConstantValue):
                out.append(Extension(item.name, item.name, None, None, item.line, item.column))
            elif isinstance(item, FunctionCall):

                def _s(name: str, call: FunctionCall = item) -> str | None:
                    for a in call.args:
                        if a.name == name and isinstance(a.value, StringValue):
                            return a.value.value
                    return None

                out.append(
                    Extension(
                        item.name,
                        _s("map") or item.name,
                        _s("schema"),
                        _s("version"),
                        item.line,
                        item.column,
                    )
                )
        return tuple(out)

    # generator settings
    @property
    def output(self) -> str | None:
        return self.string("output")

    @property
    def preview_features(self) -> tuple[str, ...]:
        p = self.prop("previewFeatures")
        if p is None or not isinstance(p.value, ArrayValue):
            return ()
        return tuple(v.value for v in p.value.items if isinstance(v, StringValue))


@dataclass(slots=True, frozen=True)
class SchemaFile:
    """One parsed `.prisma` file."""

    path: str
    datasources: tuple[ConfigBlock, ...]
    generators: tuple[ConfigBlock, ...]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    problems: tuple[ParseProblem, ...]
    prisma8_marker: int | None = None
    """The line of a `// use prisma-8` comment, or None."""

    @property
    def has_config(self) -> bool:
        return bool(self.datasources or self.generators)


# ---------------------------------------------------------------------------------------------
# Value helpers
# ---------------------------------------------------------------------------------------------


def field_refs(value: Value | None) -> tuple[str, ...]:
    """The field names of `[a, b(sort: Desc)]` (or of a single `a`)."""
    if value is None:
        return ()
    items = value.items if isinstance(value, ArrayValue) else (value,)
    out: list[str] = []
    for item in items:
        if isinstance(item, (ConstantValue, FunctionCall)):
            out.append(item.name)
    return tuple(out)


def value_text(value: Value | None) -> str:
    """The value written back as Prisma source (strings re-quoted)."""
    if value is None:
        return ""
    if isinstance(value, StringValue):
        return json.dumps(value.value)
    if isinstance(value, NumberValue):
        return value.text
    if isinstance(value, ConstantValue):
        return value.name
    if isinstance(value, ArrayValue):
        return "[" + ", ".join(value_text(v) for v in value.items) + "]"
    args = ", ".join((f"{a.name}: " if a.name else "") + value_text(a.value) for a in value.args)
    return f"{value.name}({args})"


def setting_of(value: Value) -> Setting:
    if isinstance(value, StringValue):
        return Setting("literal", value.value, None, value.line, value.column)
    if isinstance(value, FunctionCall) and value.name == "env" and len(value.args) == 1:
        arg = value.args[0].value
        if isinstance(arg, StringValue):
            return Setting("env", value_text(value), arg.value, value.line, value.column)
    return Setting("other", value_text(value), None, value.line, value.column)


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

_TOKEN = re.compile(
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

_BLOCK_OPEN = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)(?:[ \t]+(\w[\w-]*))?[ \t]*\{(.*)$")
_TYPE_ALIAS = re.compile(r"^type[ \t]+[A-Za-z0-9_][A-Za-z0-9_-]*[ \t]*=")
_PRISMA8 = re.compile(r"^//\s*use\s+prisma-8\b")


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


# ---------------------------------------------------------------------------------------------
# The file parser
# ---------------------------------------------------------------------------------------------


def _suggest(name: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


@dataclass(slots=True)
class _OpenBlock:
    keyword: str
    name: str
    line: int
    column: int
    doc: str
    fields: list[Field]
    values: list[EnumValue]
    attributes: list[Attribute]
    properties: list[Property]


_COMMENT_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|//[^\n]*|/\*')


def blank_block_comments(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """`text` with every `/* ... */` (and `/** ... */`) comment replaced by spaces (newlines
    kept, so lines and columns stay), and the problems Prisma's grammar has with them as
    (line, column, message): an unterminated comment, and a comment in the middle of a line
    (Prisma accepts one only where a line starts or ends: `/* c */ model A {`,
    `id Int @id /* c */`, not `id /* c */ Int`). Strings and `//` comments are left alone."""
    if "/*" not in text:
        return text, []
    out = list(text)
    spans: list[tuple[int, int]] = []
    problems: list[tuple[int, int, str]] = []
    pos = 0
    while (m := _COMMENT_SCAN.search(text, pos)) is not None:
        if m.group() != "/*":
            pos = m.end()
            continue
        start = m.start()
        close = text.find("*/", start + 2)
        end = len(text) if close < 0 else close + 2
        if close < 0:
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            problems.append((line, column, "unterminated block comment: no `*/` closes this `/*`"))
        for k in range(start, end):
            if out[k] not in "\r\n":
                out[k] = " "
        spans.append((start, end))
        pos = end
    blanked = "".join(out)
    for start, end in spans:
        line_start = blanked.rfind("\n", 0, start) + 1
        line_end = blanked.find("\n", end)
        before = blanked[line_start:start].strip()
        after = blanked[end : len(blanked) if line_end < 0 else line_end].strip()
        if before and after and not after.startswith("//"):
            problems.append(
                (
                    text.count("\n", 0, start) + 1,
                    start - line_start + 1,
                    "a block comment (`/* ... */`) in the middle of a line: Prisma accepts one "
                    "only at the start or the end of a line",
                )
            )
    return blanked, problems


class _FileParser:
    def __init__(self, source: SourceFile) -> None:
        self.path = source.path
        self.text, comment_problems = blank_block_comments(source.text)
        self.problems: list[ParseProblem] = []
        self.datasources: list[ConfigBlock] = []
        self.generators: list[ConfigBlock] = []
        self.models: list[Model] = []
        self.enums: list[Enum] = []
        self.prisma8: int | None = None
        for line, column, message in comment_problems:
            self.problem(message, line, column)

    def problem(self, message: str, line: int, column: int = 1) -> None:
        self.problems.append(
            ParseProblem(ProblemKind.SYNTAX, message, Location(self.path, line, max(column, 1)))
        )

    # -- blocks ---------------------------------------------------------------------------
    def run(self) -> SchemaFile:
        lines = self.text.split("\n")
        block: _OpenBlock | None = None
        skipping: tuple[int, str] | None = None  # (line, description) of an invalid block
        doc: list[str] = []
        for number, raw in enumerate(lines, start=1):
            stripped = raw.strip()
            indent = len(raw) - len(raw.lstrip())
            if skipping is not None:
                if stripped.startswith("}"):
                    skipping = None
                continue
            if not stripped:
                if block is None:
                    doc = []
                continue
            if stripped[:7] in ("<<<<<<<", "=======", ">>>>>>>", "|||||||"):
                if stripped.startswith("<<<<<<<"):
                    self.problem(
                        f"unresolved merge conflict (`{_clip(stripped, 40)}`): Prisma cannot read "
                        "the schema until the conflict markers are resolved",
                        number,
                        indent + 1,
                    )
                continue
            if stripped.startswith("//"):
                if stripped.startswith("///"):
                    doc.append(stripped[3:].strip())
                elif block is None and _PRISMA8.match(stripped) and self.prisma8 is None:
                    self.prisma8 = number
                continue
            if block is None:
                opened = self.open_block(stripped, number, indent + 1, "\n".join(doc))
                doc = []
                if isinstance(opened, _OpenBlock):
                    block = opened
                    rest = _BLOCK_OPEN.match(stripped)
                    tail = rest.group(3).strip() if rest else ""
                    # text after `{` is ignored by Prisma's grammar, so here too; but a block
                    # closed on the same line swallows the lines after it
                    if tail and not tail.startswith("//") and tail.endswith("}"):
                        if tail[:-1].strip():
                            msg = (
                                f"`{block.keyword} {block.name}` is written on one line: Prisma "
                                "needs each field or property on its own line and `}` on a line "
                                "of its own"
                            )
                        else:
                            msg = (
                                f"`}}` must be on a line of its own to close "
                                f"`{block.keyword} {block.name}`"
                            )
                        self.problem(msg, number, indent + 1)
                        self.close_block(block, number)
                        block = None
                elif opened is not None:
                    skipping = (number, opened)
                continue
            # inside a block
            if stripped.startswith("}"):
                tail = stripped[1:].strip()
                if tail and not tail.startswith("//"):
                    self.problem(
                        f"unexpected `{tail}` after the `}}` that closes `{block.keyword} {block.name}`",
                        number,
                        raw.index("}") + 2,
                    )
                self.close_block(block, number)
                block = None
                doc = []
                continue
            reopened = _BLOCK_OPEN.match(stripped) if "{" in stripped else None
            if (
                reopened is not None
                and reopened.group(1) in BLOCK_KEYWORDS
                and reopened.group(2) is not None
            ):
                self.problem(
                    f"unterminated block `{block.keyword} {block.name}` opened at line {block.line}: "
                    f"add a `}}` before `{reopened.group(1)} {reopened.group(2)}` at line {number}",
                    block.line,
                    block.column,
                )
                self.close_block(block, number - 1)
                opened = self.open_block(stripped, number, indent + 1, "\n".join(doc))
                doc = []
                block = opened if isinstance(opened, _OpenBlock) else None
                continue
            self.block_line(block, raw, stripped, number, "\n".join(doc))
            doc = []
        if block is not None:
            self.problem(
                f"unterminated block `{block.keyword} {block.name}` opened at line {block.line}: "
                "the file ends before its closing `}`",
                block.line,
                block.column,
            )
            self.close_block(block, len(lines))
        if skipping is not None:
            self.problem(
                f"unterminated block opened at line {skipping[0]}: the file ends before its closing `}}`",
                skipping[0],
            )
        return SchemaFile(
            self.path,
            tuple(self.datasources),
            tuple(self.generators),
            tuple(self.models),
            tuple(self.enums),
            tuple(self.problems),
            self.prisma8,
        )

    def open_block(
        self, stripped: str, number: int, column: int, doc: str
    ) -> _OpenBlock | str | None:
        """An open block, or a description of a block to skip (str), or None (bad line)."""
        m = _BLOCK_OPEN.match(stripped)
        if m is None:
            if _TYPE_ALIAS.match(stripped):
                self.problem(
                    "type aliases (`type X = ...`) are not supported by Prisma", number, column
                )
                return None
            first = stripped.split()[0] if stripped.split() else stripped
            if first in BLOCK_KEYWORDS:
                self.problem(
                    f"`{first}` must be followed by a name and `{{` on the same line",
                    number,
                    column,
                )
                return None
            self.problem(
                f"`{_clip(stripped)}` is not a declaration: a schema holds only model, enum, view, "
                "type, datasource and generator blocks (and comments)",
                number,
                column,
            )
            return None
        keyword, name = m.group(1), m.group(2)
        if name is None:
            self.problem(
                f"block `{keyword} {{` has no name: write `model {keyword} {{`, `enum {keyword} {{`, ..."
                if keyword not in BLOCK_KEYWORDS
                else f"`{keyword}` block without a name",
                number,
                column,
            )
            return "unnamed block"
        if keyword not in BLOCK_KEYWORDS:
            self.problem(
                f"unknown block type `{keyword}` in `{keyword} {name}`{_suggest(keyword, BLOCK_KEYWORDS)}: "
                "expected model, enum, view, type, datasource or generator",
                number,
                column,
            )
            return f"{keyword} {name}"
        return _OpenBlock(keyword, name, number, column, doc, [], [], [], [])

    def close_block(self, block: _OpenBlock, end_line: int) -> None:
        kw = block.keyword
        if kw in ("datasource", "generator"):
            rec = ConfigBlock(
                self.path,
                kw,
                block.name,
                tuple(block.properties),
                block.line,
                block.column,
                end_line,
                block.doc,
            )
            (self.datasources if kw == "datasource" else self.generators).append(rec)
        elif kw == "enum":
            self.enums.append(
                Enum(
                    self.path,
                    block.name,
                    tuple(block.values),
                    tuple(block.attributes),
                    block.line,
                    block.column,
                    end_line,
                    block.doc,
                )
            )
        else:
            self.models.append(
                Model(
                    self.path,
                    kw,
                    block.name,
                    tuple(block.fields),
                    tuple(block.attributes),
                    block.line,
                    block.column,
                    end_line,
                    block.doc,
                )
            )

    # -- lines inside a block ---------------------------------------------------------------
    def block_line(self, block: _OpenBlock, raw: str, stripped: str, number: int, doc: str) -> None:
        toks = _lex(raw)
        p = _LineParser(toks, number, len(raw) + 1)
        kw = block.keyword
        try:
            if kw in ("datasource", "generator"):
                self.property_line(block, p, number)
            elif stripped.startswith("@@"):
                if kw == "type":
                    self.problem(
                        f"composite type `{block.name}` cannot have block attributes (`{_clip(stripped)}`)",
                        number,
                        toks[0][2],
                    )
                    return
                attrs = p.attributes(block=True)
                self.check_trailing_commas(p, number, f"{block.keyword} {block.name}")
                known = _ENUM_BLOCK_ATTRS if kw == "enum" else _MODEL_BLOCK_ATTRS
                for a in attrs:
                    self.check_attribute(a, known, f"{kw} {block.name}", block=True)
                    if a.name in _SINGLE_BLOCK_ATTRS and any(
                        b.name == a.name for b in block.attributes
                    ):
                        self.problem(
                            f"{a.label} is given twice in {kw} `{block.name}`", number, a.column
                        )
                block.attributes.extend(attrs)
            elif kw == "enum":
                self.enum_value_line(block, p, number, doc)
            else:
                self.field_line(block, p, number, doc)
        except _SyntaxProblem as exc:
            where = f"{block.keyword} `{block.name}`"
            self.problem(f"{exc.message} (in {where})", number, exc.column)

    def check_trailing_commas(self, p: _LineParser, number: int, where: str) -> None:
        for col in p.trailing_commas:
            self.problem(
                f"trailing comma in attribute arguments on {where}: Prisma rejects it, remove the comma",
                number,
                col,
            )

    def check_attribute(
        self, attr: Attribute, known: dict[str, tuple[str, ...]], where: str, block: bool
    ) -> None:
        prefix = "@@" if block else "@"
        if "." in attr.name and not block and "default" in known:
            return  # a native type (`@db.VarChar`), checked against the datasource's name later
        if attr.name not in known:
            names = [prefix + k for k in known]
            self.problem(
                f"unknown attribute {prefix}{attr.name} on {where}{_suggest(prefix + attr.name, names)}",
                attr.line,
                attr.column,
            )
            return
        allowed = known[attr.name]
        seen: set[str] = set()
        unnamed = 0
        for arg in attr.args:
            if arg.name is None:
                unnamed += 1
                if unnamed > 1 or not allowed or allowed[0] not in _POSITIONAL:
                    self.problem(
                        f"{prefix}{attr.name} on {where} takes no unnamed argument here "
                        f"(`{value_text(arg.value)}`)",
                        arg.line,
                        arg.column,
                    )
                continue
            if arg.name not in allowed:
                self.problem(
                    f"unknown argument `{arg.name}` in {prefix}{attr.name} on {where}"
                    f"{_suggest(arg.name, allowed)}",
                    arg.line,
                    arg.column,
                )
            elif arg.name in seen:
                self.problem(
                    f"argument `{arg.name}` is given twice in {prefix}{attr.name} on {where}",
                    arg.line,
                    arg.column,
                )
            seen.add(arg.name)
            if arg.value is None:
                self.problem(
                    f"argument `{arg.name}` in {prefix}{attr.name} on {where} has no value",
                    arg.line,
                    arg.column,
                )
        if attr.name == "relation" and not block:
            for key in ("onDelete", "onUpdate"):
                a = attr.argument(key)
                if a is None or a.value is None:
                    continue
                v = a.value
                if not isinstance(v, ConstantValue) or v.name not in REFERENTIAL_ACTIONS:
                    self.problem(
                        f"`{key}: {value_text(v)}` on {where} is not a referential action"
                        f"{_suggest(value_text(v), REFERENTIAL_ACTIONS)}: use one of "
                        + ", ".join(REFERENTIAL_ACTIONS),
                        v.line,
                        v.column,
                    )

    def property_line(self, block: _OpenBlock, p: _LineParser, number: int) -> None:
        t = p.peek()
        where = f"{block.keyword} `{block.name}`"
        if t is None:
            return
        if t[0] != "id" or "." in t[1]:
            raise p.fail(f"expected `key = value`, found `{t[1]}`")
        p.i += 1
        if not p.at("="):
            raise p.fail(f"expected `=` after `{t[1]}`")
        p.i += 1
        value = p.expression()
        rest = p.peek()
        if rest is not None and rest[0] != "comment":
            raise p.fail(f"unexpected `{rest[1]}` after the value of `{t[1]}`")
        if block.keyword == "datasource" and t[1] not in DATASOURCE_PROPERTIES:
            self.problem(
                f"unknown property `{t[1]}` in {where}{_suggest(t[1], DATASOURCE_PROPERTIES)}",
                number,
                t[2],
            )
        if any(prop.key == t[1] for prop in block.properties):
            self.problem(f"property `{t[1]}` is set twice in {where}", number, t[2])
        block.properties.append(Property(t[1], value, number, t[2]))

    def enum_value_line(self, block: _OpenBlock, p: _LineParser, number: int, doc: str) -> None:
        t = p.peek()
        if t is None:
            return
        if t[0] != "id" or "." in t[1]:
            raise p.fail(f"`{t[1]}` is not a valid enum value")
        p.i += 1
        attrs = p.attributes(block=False)
        where = f"{block.name}.{t[1]}"
        self.check_trailing_commas(p, number, where)
        for a in attrs:
            self.check_attribute(a, _ENUM_VALUE_ATTRS, where, block=False)
        block.values.append(EnumValue(t[1], tuple(attrs), number, t[2], doc or p.trailing_doc()))

    def field_line(self, block: _OpenBlock, p: _LineParser, number: int, doc: str) -> None:
        t = p.peek()
        if t is None:
            return
        if t[0] != "id" or "." in t[1]:
            raise p.fail(
                f"`{_clip(t[1])}` does not start a field: expected `name Type` or a `@@` attribute"
            )
        name_tok = p.take()
        where = f"{block.name}.{name_tok[1]}"
        if p.at(":"):
            colon = p.take()
            self.problem(
                f"field `{where}`: a field declaration needs no `:` (write `{name_tok[1]} Type`)",
                number,
                colon[2],
            )
        type_tok = p.peek()
        if (
            type_tok is None
            or type_tok[0] == "comment"
            or (type_tok[0] == "punct" and type_tok[1] in ("@", "@@"))
        ):
            raise _SyntaxProblem(f"field `{where}` has no type", name_tok[2])
        unsupported: str | None = None
        legacy_list = False
        if type_tok[0] == "punct" and type_tok[1] == "[":
            p.i += 1
            legacy_list = True
            type_tok = p.peek()
        if type_tok is None or type_tok[0] != "id" or "." in type_tok[1]:
            raise p.fail(f"field `{where}` has no valid type")
        p.i += 1
        type_name = type_tok[1]
        if type_name == "Unsupported":
            p.expect("(", 'after `Unsupported` (write `Unsupported("type")`)')
            s = p.peek()
            if s is None or s[0] != "str":
                raise p.fail(
                    '`Unsupported(...)` takes the database type as a string: `Unsupported("type")`'
                )
            p.i += 1
            unsupported = _unescape(s[1])
            p.expect(")", "to close `Unsupported(`")
        if legacy_list:
            p.expect("]", "to close the list type")
            self.problem(
                f"field `{where}`: write the list type as `{type_name}[]`, not `[{type_name}]`",
                number,
                type_tok[2] - 1,
            )
        is_list = legacy_list
        optional = False
        if p.at("["):
            p.i += 1
            if not p.at("]") or p.toks[p.i][2] != p.toks[p.i - 1][2] + 1:
                raise p.fail("expected `]` right after `[` in the field type (`Type[]`)")
            p.i += 1
            is_list = True
        if p.at("?"):
            p.i += 1
            optional = True
            if is_list and unsupported is None:
                self.problem(
                    f"field `{where}`: optional lists (`{type_name}[]?`) are not supported; "
                    f"use `{type_name}[]`",
                    number,
                    type_tok[2],
                )
                optional = False
        elif p.at("!"):
            bang = p.take()
            self.problem(
                f"field `{where}`: fields are required by default, remove the `!`",
                number,
                bang[2],
            )
        attrs = p.attributes(block=False)
        self.check_trailing_commas(p, number, where)
        known = _TYPE_FIELD_ATTRS if block.keyword == "type" else _MODEL_FIELD_ATTRS
        seen: set[str] = set()
        for a in attrs:
            if a.block:
                self.problem(
                    f"{a.label} is a block attribute: on field `{where}` write @{a.name} "
                    f"(or put {a.label} on a line of its own)",
                    number,
                    a.column,
                )
                continue
            if a.name in seen:
                self.problem(f"@{a.name} is given twice on `{where}`", number, a.column)
            seen.add(a.name)
            self.check_attribute(a, known, where, block=False)
        block.fields.append(
            Field(
                self.path,
                block.name,
                name_tok[1],
                type_name,
                optional,
                is_list,
                unsupported,
                tuple(attrs),
                number,
                name_tok[2],
                type_tok[2],
                doc or p.trailing_doc(),
            )
        )


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_prisma_schema(source: SourceFile) -> SchemaFile:
    """Parse one `.prisma` file. Never raises: problems are `ParseProblem`s on the record."""
    return _FileParser(source).run()
