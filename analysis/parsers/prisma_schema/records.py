"""The records of a parsed `.prisma` file (models, fields, attributes, enums, config blocks) and helpers over values."""

from __future__ import annotations

import json
from typing import Union

from analysis.model import Location
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass

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
