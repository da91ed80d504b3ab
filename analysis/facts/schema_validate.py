"""What Prisma rejects in a schema as a whole, apart from relations (KD505): datasources,
names, defaults, native types, keys.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.catalog import BY_ID
from analysis.facts.schema_records import (
    ENUM_PROVIDERS,
    LIST_PROVIDERS,
    PROVIDERS,
    RULE,
    Generation,
)
from analysis.model import Finding, Location
from analysis.parsers.prisma_config import PrismaConfigFile
from analysis.parsers.prisma_schema.lines import SCALAR_TYPES
from analysis.parsers.prisma_schema.records import (
    ArrayValue,
    ConfigBlock,
    ConstantValue,
    Enum,
    Field,
    FunctionCall,
    Model,
    NumberValue,
    StringValue,
    field_refs,
    value_text,
)


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib  # only when a name is unknown

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    return f" (did you mean `{close[0]}`?)" if close else ""


def schema_problem(message: str, loc: Location) -> Finding:
    return Finding(RULE, BY_ID[RULE].severity, message, loc)


_DEFAULT_FUNCTION_TYPES = {
    "autoincrement": ("Int", "BigInt"),
    "now": ("DateTime",),
    "uuid": ("String",),
    "cuid": ("String",),
    "nanoid": ("String",),
    "ulid": ("String",),
    "auto": ("String", "Int", "BigInt", "Bytes"),
}


_S, _I, _F, _DT = ("String",), ("Int",), ("Float",), ("DateTime",)
NATIVE_TYPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("VarChar", "Char", "Text", "Uuid", "Citext", "Inet", "TinyText", "MediumText", "LongText"),
        _S,
    ),
    **dict.fromkeys(("NVarChar", "NChar", "NText"), _S),
    "ObjectId": ("String", "Bytes"),
    **dict.fromkeys(("Timestamptz", "Timestamp", "Date", "Time", "Timetz", "DateTime"), _DT),
    **dict.fromkeys(("DateTime2", "SmallDateTime", "DateTimeOffset"), _DT),
    **dict.fromkeys(("Integer", "SmallInt", "MediumInt", "UnsignedInt", "UnsignedSmallInt"), _I),
    "TinyInt": ("Int", "Boolean"),
    **dict.fromkeys(("DoublePrecision", "Real", "Double"), _F),
    **dict.fromkeys(("Decimal", "Money"), ("Decimal",)),
    **dict.fromkeys(("JsonB", "Json"), ("Json",)),
    **dict.fromkeys(("ByteA", "Blob", "TinyBlob", "MediumBlob", "LongBlob"), ("Bytes",)),
    "UnsignedBigInt": ("BigInt",),
}
"""Native types (`@db.X`) and the Prisma types they can annotate (checked against Prisma 7)."""

_MYSQL_TEXT_TYPES = frozenset(
    {"Text", "TinyText", "MediumText", "LongText", "Blob", "TinyBlob", "MediumBlob", "LongBlob"}
)

_LITERAL_TYPES: dict[type, tuple[str, ...]] = {
    StringValue: ("Int", "BigInt", "Float", "Boolean"),
    NumberValue: ("String", "Boolean", "DateTime", "Bytes"),
}
"""Field types a literal default of that kind can never have."""


def _has_required_unique(m: Model) -> bool:
    for criterion in m.unique_sets:
        if all((f := m.field(n)) is not None and f.required for n in criterion):
            return True
    return False


class SchemaValidator:
    """What Prisma rejects in a schema as a whole, apart from relations."""

    def __init__(
        self,
        datasources: list[ConfigBlock],
        models: list[Model],
        enums: Iterable[Enum],
        generators: Iterable[ConfigBlock],
        provider: str | None,
        relation_mode: str,
        generation: Generation,
        generation_reason: str,
        config: PrismaConfigFile | None,
    ) -> None:
        self.datasources = datasources
        self.models = models
        self.enums = list(enums)
        self.generators = list(generators)
        self.provider = provider
        self.mode = relation_mode
        self.generation = generation
        self.reason = generation_reason
        self.config = config
        self.problems: list[Finding] = []

    def problem(self, message: str, path: str, line: int, column: int = 1) -> None:
        self.problems.append(schema_problem(message, Location(path, line, column)))

    def run(self) -> None:
        self.check_datasources()
        self.check_names()
        self.check_models()

    def check_datasources(self) -> None:
        if len(self.datasources) > 1:
            first = self.datasources[0]
            for ds in self.datasources[1:]:
                self.problem(
                    f"a schema can have only one datasource: `{ds.name}` here and `{first.name}` "
                    f"at {first.path}:{first.line}",
                    ds.path,
                    ds.line,
                    ds.column,
                )
        for g in self.generators:
            if g.prop("provider") is None:
                self.problem(f"generator `{g.name}` has no `provider`", g.path, g.line, g.column)
        if not self.datasources:
            return
        ds = self.datasources[0]
        prov = ds.prop("provider")
        if prov is None:
            self.problem(
                f'datasource `{ds.name}` has no `provider` (e.g. `provider = "postgresql"`)',
                ds.path,
                ds.line,
                ds.column,
            )
        elif ds.provider is None:
            self.problem(
                f"the `provider` of datasource `{ds.name}` must be a string literal",
                ds.path,
                prov.line,
                prov.column,
            )
        elif ds.provider not in PROVIDERS:
            self.problem(
                f'unknown datasource provider "{ds.provider}": use one of '
                + ", ".join(sorted(set(PROVIDERS) - {"postgres"})),
                ds.path,
                prov.line,
                prov.column,
            )
        mode = ds.relation_mode_property
        if mode is not None:
            value = ds.relation_mode
            if value not in ("prisma", "foreignKeys"):
                self.problem(
                    f'`{mode.key}` must be "prisma" or "foreignKeys"',
                    ds.path,
                    mode.line,
                    mode.column,
                )
            elif value == "foreignKeys" and self.provider == "mongodb":
                self.problem(
                    'MongoDB supports only relationMode = "prisma"', ds.path, mode.line, mode.column
                )
        new_style = self.generation in (Generation.V7, Generation.V8)
        for key in ("url", "directUrl", "shadowDatabaseUrl"):
            p = ds.prop(key)
            if p is not None and new_style:
                self.problem(
                    f"datasource property `{key}` is no longer accepted in the schema by Prisma "
                    f"{self.generation.value} ({self.reason}): move it to prisma.config.ts "
                    f'(`datasource: {{ {key}: env("...") }}`)',
                    ds.path,
                    p.line,
                    p.column,
                )
        if (
            self.generation == Generation.LEGACY
            and ds.prop("url") is None
            and (self.config is None or self.config.url is None)
        ):
            self.problem(
                f"datasource `{ds.name}` has no `url`: Prisma 4-6 ({self.reason}) needs "
                '`url = env("DATABASE_URL")` in the schema',
                ds.path,
                ds.line,
                ds.column,
            )

    def check_names(self) -> None:
        seen: dict[str, tuple[str, str, int]] = {}
        for kind, name, path, line, column in [
            *((m.kind, m.name, m.path, m.line, m.column) for m in self.models),
            *(("enum", e.name, e.path, e.line, e.column) for e in self.enums),
        ]:
            if name in seen:
                other_kind, other_path, other_line = seen[name]
                self.problem(
                    f"{kind} `{name}` is declared twice: a {other_kind} `{name}` already exists at "
                    f"{other_path}:{other_line}",
                    path,
                    line,
                    column,
                )
            else:
                seen[name] = (kind, path, line)
            if name in SCALAR_TYPES or name == "Unsupported":
                self.problem(
                    f"`{name}` is a built-in type and cannot name a {kind}", path, line, column
                )
        for e in self.enums:
            values: set[str] = set()
            if not e.values:
                self.problem(f"enum `{e.name}` has no values", e.path, e.line, e.column)
            for val in e.values:
                if val.name in values:
                    self.problem(
                        f"value `{val.name}` appears twice in enum `{e.name}`",
                        e.path,
                        val.line,
                        val.column,
                    )
                values.add(val.name)
        schemas = set(self.datasources[0].schemas) if self.datasources else set()
        for e in self.enums:
            if schemas and e.schema_name is None:
                self.problem(
                    f'enum `{e.name}` needs `@@schema("...")`: the datasource lists `schemas`',
                    e.path,
                    e.line,
                    e.column,
                )
            elif e.schema_name is not None and schemas and e.schema_name not in schemas:
                self.problem(
                    f'`@@schema("{e.schema_name}")` on enum `{e.name}` names a schema the '
                    "datasource's `schemas` does not list",
                    e.path,
                    e.line,
                    e.column,
                )
        if self.enums and self.provider is not None and self.provider not in ENUM_PROVIDERS:
            for e in self.enums:
                self.problem(
                    f"enum `{e.name}`: the {self.provider} connector does not support enums",
                    e.path,
                    e.line,
                    e.column,
                )

    def check_default(self, m: Model, f: Field, enum_values: dict[str, set[str]]) -> None:
        attr = f.attribute("default")
        value = f.default
        if attr is None or value is None:
            return
        where = f"`{m.name}.{f.name}`"
        if isinstance(value, FunctionCall):
            allowed = _DEFAULT_FUNCTION_TYPES.get(value.name)
            if allowed is not None and f.type_name not in allowed and f.unsupported is None:
                self.problem(
                    f"`@default({value.name}())` cannot be used on {where} of type {f.type_name}",
                    f.path,
                    attr.line,
                    attr.column,
                )
        elif isinstance(value, ConstantValue) and f.type_name in enum_values and not f.list:
            if value.name not in enum_values[f.type_name]:
                self.problem(
                    f"`@default({value.name})` on {where}: `{value.name}` is not a value of enum "
                    f"`{f.type_name}`",
                    f.path,
                    attr.line,
                    attr.column,
                )
        elif not f.list and f.unsupported is None:
            expected = _LITERAL_TYPES.get(type(value))
            if (
                isinstance(value, ConstantValue)
                and value.name in ("true", "false")
                and f.type_name in ("Int", "BigInt", "Float", "Decimal", "String", "DateTime")
            ) or (expected is not None and f.type_name in expected):
                self.problem(
                    f"`@default({value_text(value)})` does not fit {where} of type {f.type_name}",
                    f.path,
                    attr.line,
                    attr.column,
                )

    def check_mysql_text_keys(self, m: Model) -> None:
        """MySQL cannot index a whole TEXT/BLOB column: unique keys and indexes need `length`."""

        def is_text(f: Field | None) -> bool:
            native = f.native_type if f is not None else None
            return native is not None and native.name.split(".", 1)[-1] in _MYSQL_TEXT_TYPES

        for f in m.fields:
            for key in ("unique", "id"):
                attr = f.attribute(key)
                if attr is not None and is_text(f) and attr.arg("length") is None:
                    self.problem(
                        f"`{m.name}.{f.name}` is a MySQL {f.native_type.name if f.native_type else ''} "
                        f"column and cannot be @{key} without a length: write "
                        f"`@{key}(length: 191)` or use VarChar",
                        f.path,
                        attr.line,
                        attr.column,
                    )
        for attr in m.attributes:
            if attr.name not in ("id", "unique", "index"):
                continue
            value = attr.arg("fields", 0)
            items = value.items if isinstance(value, ArrayValue) else ()
            for item in items:
                if isinstance(item, ConstantValue) and is_text(m.field(item.name)):
                    self.problem(
                        f"{attr.label} on `{m.name}` indexes the MySQL text column "
                        f"`{item.name}` without a length: write `{item.name}(length: 191)`",
                        m.path,
                        attr.line,
                        attr.column,
                    )

    def check_models(self) -> None:
        names = {m.name: m for m in self.models}
        enums = {e.name for e in self.enums}
        ds_name = self.datasources[0].name if self.datasources else None
        schemas = set(self.datasources[0].schemas) if self.datasources else set()
        previews = {p for g in self.generators for p in g.preview_features}
        enum_values = {e.name: {v.name for v in e.values} for e in self.enums}
        for m in self.models:
            if m.kind == "type" and self.provider is not None and self.provider != "mongodb":
                self.problem(
                    f"composite type `{m.name}`: composite types exist only on MongoDB, not on "
                    f"{self.provider}",
                    m.path,
                    m.line,
                    m.column,
                )
            if m.kind == "view" and "views" not in previews:
                self.problem(
                    f'view `{m.name}` needs `previewFeatures = ["views"]` in the generator',
                    m.path,
                    m.line,
                    m.column,
                )
            seen: set[str] = set()
            id_fields = [f for f in m.fields if f.is_id]
            for f in m.fields:
                if f.name in seen:
                    self.problem(
                        f"field `{f.name}` is declared twice in {m.kind} `{m.name}`",
                        f.path,
                        f.line,
                        f.column,
                    )
                seen.add(f.name)
                if f.unsupported is None and f.type_name not in SCALAR_TYPES:
                    target = names.get(f.type_name)
                    if target is None and f.type_name not in enums:
                        self.problem(
                            f"unknown type `{f.type_name}` of field `{m.name}.{f.name}`: no model, "
                            "enum, composite type or built-in type has this name"
                            + _suggest(f.type_name, [*names, *enums, *SCALAR_TYPES]),
                            f.path,
                            f.line,
                            f.type_column,
                        )
                    elif m.kind == "type" and target is not None and target.kind != "type":
                        self.problem(
                            f"composite type field `{m.name}.{f.name}` cannot refer to {target.kind} "
                            f"`{target.name}`",
                            f.path,
                            f.line,
                            f.type_column,
                        )
                if (
                    f.list
                    and self.provider is not None
                    and self.provider not in LIST_PROVIDERS
                    and (f.type_name in SCALAR_TYPES or f.type_name in enums)
                ):
                    self.problem(
                        f"field `{m.name}.{f.name}` cannot be a list: {self.provider} does not "
                        "support lists of scalar values",
                        f.path,
                        f.line,
                        f.type_column,
                    )
                if (
                    f.type_name in names
                    and f.unsupported is None
                    and names[f.type_name].kind != "type"
                ):
                    bad = [a for a in f.attributes if a.name not in ("relation", "ignore")]
                    if bad:
                        self.problem(
                            f"relation field `{m.name}.{f.name}` cannot have {bad[0].label}: only "
                            "@relation and @ignore apply to relation fields (put it on the scalar "
                            "field instead)",
                            f.path,
                            bad[0].line,
                            bad[0].column,
                        )
                self.check_default(m, f, enum_values)
                if f.is_id and f.optional:
                    self.problem(
                        f"`@id` field `{m.name}.{f.name}` must be required (remove the `?`)",
                        f.path,
                        f.line,
                        f.column,
                    )
                if f.is_updated_at and f.type_name != "DateTime":
                    self.problem(
                        f"`@updatedAt` field `{m.name}.{f.name}` must be of type DateTime",
                        f.path,
                        f.line,
                        f.column,
                    )
                native = f.native_type
                if native is not None:
                    prefix = native.name.split(".", 1)[0]
                    if ds_name is None:
                        self.problem(
                            f"native type @{native.name} on `{m.name}.{f.name}` needs a datasource",
                            f.path,
                            native.line,
                            native.column,
                        )
                    elif prefix != ds_name:
                        self.problem(
                            f"native type @{native.name} on `{m.name}.{f.name}` must use the "
                            f"datasource's name: @{ds_name}.{native.name.split('.', 1)[1]}",
                            f.path,
                            native.line,
                            native.column,
                        )
                    elif (
                        (allowed := NATIVE_TYPES.get(native.name.split(".", 1)[1])) is not None
                        and f.type_name not in allowed
                        and f.type_name not in names
                    ):
                        self.problem(
                            f"native type @{native.name} does not fit `{m.name}.{f.name}` of "
                            f"type {f.type_name}: it needs {' or '.join(allowed)}",
                            f.path,
                            native.line,
                            native.column,
                        )
                    elif f.type_name in names:
                        self.problem(
                            f"relation field `{m.name}.{f.name}` cannot have a native type",
                            f.path,
                            native.line,
                            native.column,
                        )
            if m.kind == "model" and not m.is_ignored and not _has_required_unique(m):
                self.problem(
                    f"model `{m.name}` has no unique criterion of required fields: Prisma rejects "
                    "it; mark a field `@id` or `@unique`, add `@@id([...])`/`@@unique([...])`, "
                    "or mark the model `@@ignore`",
                    m.path,
                    m.line,
                    m.column,
                )
            if self.provider == "mongodb":
                for f in id_fields:
                    if f.is_unique:
                        self.problem(
                            f"`{m.name}.{f.name}` is `@id` and `@unique`: on MongoDB the id "
                            "cannot also be marked unique",
                            f.path,
                            f.line,
                            f.column,
                        )
            if (
                self.provider == "mongodb"
                and m.kind == "model"
                and id_fields
                and id_fields[0].db_name != "_id"
            ):
                self.problem(
                    f'MongoDB id field `{m.name}.{id_fields[0].name}` needs `@map("_id")`',
                    m.path,
                    id_fields[0].line,
                    id_fields[0].column,
                )
            if self.provider == "mysql":
                self.check_mysql_text_keys(m)
            if len(id_fields) > 1:
                self.problem(
                    f"{m.kind} `{m.name}` marks several fields `@id` ("
                    + ", ".join(f.name for f in id_fields)
                    + "): use `@@id([...])` for a compound id",
                    m.path,
                    id_fields[1].line,
                    id_fields[1].column,
                )
            block_id = m.block_attribute("id")
            if id_fields and block_id is not None:
                self.problem(
                    f"{m.kind} `{m.name}` has both `@id` and `@@id`: keep one",
                    m.path,
                    block_id.line,
                    block_id.column,
                )
            if m.kind == "type" and id_fields:
                self.problem(
                    f"composite type `{m.name}` cannot have an `@id` field",
                    m.path,
                    id_fields[0].line,
                )
            for attr in m.attributes:
                if attr.name in ("id", "unique", "index", "fulltext", "shardKey"):
                    refs = field_refs(attr.arg("fields", 0))
                    if not refs:
                        self.problem(
                            f"{attr.label} on {m.kind} `{m.name}` names no fields",
                            m.path,
                            attr.line,
                            attr.column,
                        )
                    unknown = [r for r in refs if m.field(r) is None]
                    relational = [
                        r for r in refs if (fl := m.field(r)) is not None and fl.type_name in names
                    ]
                    if unknown:
                        self.problem(
                            f"{attr.label} on {m.kind} `{m.name}` names unknown field(s): "
                            + ", ".join(unknown),
                            m.path,
                            attr.line,
                            attr.column,
                        )
                    if relational:
                        self.problem(
                            f"{attr.label} on {m.kind} `{m.name}` names relation field(s) "
                            + ", ".join(relational)
                            + ": use their scalar fields",
                            m.path,
                            attr.line,
                            attr.column,
                        )
                    if attr.name == "id":
                        opt = [r for r in refs if (fl := m.field(r)) is not None and fl.optional]
                        if opt:
                            self.problem(
                                f"@@id on {m.kind} `{m.name}` uses optional field(s) "
                                + ", ".join(opt)
                                + ": id fields must be required",
                                m.path,
                                attr.line,
                                attr.column,
                            )
            schema_attr = m.block_attribute("schema")
            if m.kind != "type" and schemas:
                if schema_attr is None:
                    self.problem(
                        f'{m.kind} `{m.name}` needs `@@schema("...")`: the datasource lists '
                        "`schemas`",
                        m.path,
                        m.line,
                        m.column,
                    )
                elif m.schema_name is not None and m.schema_name not in schemas:
                    self.problem(
                        f'`@@schema("{m.schema_name}")` on `{m.name}` names a schema the '
                        "datasource's `schemas` does not list",
                        m.path,
                        schema_attr.line,
                        schema_attr.column,
                    )
            elif schema_attr is not None and self.datasources and not schemas:
                self.problem(
                    f"`@@schema` on `{m.name}` needs `schemas = [...]` in the datasource",
                    m.path,
                    schema_attr.line,
                    schema_attr.column,
                )
