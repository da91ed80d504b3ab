"""Parsing one `.prisma` file: blocks, block comments, and the problems Prisma would report in the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.prisma_schema.lines import (
    _BLOCK_OPEN,
    _ENUM_BLOCK_ATTRS,
    _ENUM_VALUE_ATTRS,
    _MODEL_BLOCK_ATTRS,
    _MODEL_FIELD_ATTRS,
    _POSITIONAL,
    _PRISMA8,
    _SINGLE_BLOCK_ATTRS,
    _TYPE_ALIAS,
    _TYPE_FIELD_ATTRS,
    BLOCK_KEYWORDS,
    DATASOURCE_PROPERTIES,
    REFERENTIAL_ACTIONS,
    _lex,
    _LineParser,
    _SyntaxProblem,
    _unescape,
)
from analysis.parsers.prisma_schema.records import (
    ConfigBlock,
    ConstantValue,
    Enum,
    EnumValue,
    Field,
    Model,
    Property,
    SchemaFile,
    value_text,
)
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.parsers.prisma_schema.records import Attribute


# ---------------------------------------------------------------------------------------------
# The file parser
# ---------------------------------------------------------------------------------------------


def _suggest(name: str, known: tuple[str, ...] | list[str]) -> str:
    import difflib  # only when a name is unknown

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


_COMMENT_SCAN = lazy_compile(r'"(?:[^"\\\n]|\\.)*"?|//[^\n]*|/\*')


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
