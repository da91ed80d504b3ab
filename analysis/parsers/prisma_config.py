"""Read a Prisma config file (`prisma.config.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`) as text.

The file is TypeScript or JavaScript and is never executed. A small tokenizer finds the config
object (`defineConfig({...})`, `export default {...}` with or without `satisfies PrismaConfig`,
`export default config` with `const config = {...}`, `module.exports = {...}`) and reads the
settings keepdata needs, each with its line:

- `schema`, `migrations.path`, `migrations.seed`, `views.path`, `typedSql.path`
- `datasource.url`, `datasource.directUrl`, `datasource.shadowDatabaseUrl`

A value is a string literal, `env("X")`, `process.env.X` (with `?? "default"` or
`|| "default"`), `path.join(__dirname, "prisma", ...)` with literal parts, or a `const` of the
file holding a literal; anything else is reported as computed (`kind == "computed"`) with its
text, never guessed.
"""

from __future__ import annotations

import posixpath
import re

from analysis.lazy_re import lazy_compile
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass
from analysis.sources import SourceFile


@dataclass(slots=True, frozen=True)
class ConfigValue:
    """One setting of the config file.

    `kind`: "literal" (`value` holds it; for `path.join(...)` of literals, the joined path
    relative to the config file's folder), "env" (`env` names the variable, `default` the
    fallback of `?? "..."`/`|| "..."` if any) or "computed" (`text` is the expression as
    written).
    """

    kind: str
    text: str
    value: str | None
    env: str | None
    default: str | None
    line: int
    column: int

    @property
    def computed(self) -> bool:
        return self.kind == "computed"


@dataclass(slots=True, frozen=True)
class PrismaConfigFile:
    path: str
    found: bool
    """True when a config object was located in the file."""
    schema: ConfigValue | None
    migrations_path: ConfigValue | None
    seed: ConfigValue | None
    views_path: ConfigValue | None
    typed_sql_path: ConfigValue | None
    url: ConfigValue | None
    direct_url: ConfigValue | None
    shadow_database_url: ConfigValue | None
    engine: ConfigValue | None
    adapter_line: int | None
    """The line of an `adapter:` setting (Prisma 6 driver adapters in the config), or None."""
    datasource_line: int | None
    loads_dotenv: bool
    """The file imports `dotenv/config` or calls `dotenv.config()`/`config()` from dotenv."""
    problems: tuple[ParseProblem, ...] = ()

    @property
    def directory(self) -> str:
        folder = posixpath.dirname(self.path)
        return folder or "."


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------

_TOKEN = lazy_compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<tpl>`(?:[^`\\]|\\.)*`)
    | (?P<num>\d[\d_]*(?:\.\d+)?)
    | (?P<id>[A-Za-z_$][A-Za-z0-9_$]*)
    | (?P<op>\?\?|\|\||\.\.\.|=>|[{}()\[\],:;.=<>?!+\-*/&|])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(slots=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        out.append(_Tok(kind, m.group(kind), m.start()))
    return out


def _unquote(tok: _Tok) -> str:
    body = tok.text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _literal(tok: _Tok) -> str | None:
    if tok.kind == "str":
        return _unquote(tok)
    if tok.kind == "tpl" and "${" not in tok.text:
        return _unquote(tok)
    return None


# ---------------------------------------------------------------------------------------------
# Reading the object
# ---------------------------------------------------------------------------------------------

_OPEN = {"{": "}", "(": ")", "[": "]"}


class _Reader:
    def __init__(self, source: SourceFile) -> None:
        self.text = source.text
        self.toks = _tokens(source.text)
        self.line_starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self.line_starts.append(i + 1)
        self.consts: dict[str, int] = {}
        self.dirname = posixpath.dirname(source.path)
        self._index_consts()

    def position(self, pos: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, pos - self.line_starts[lo] + 1

    def _index_consts(self) -> None:
        toks = self.toks
        for i, t in enumerate(toks[:-2]):
            if t.kind == "id" and t.text in ("const", "let", "var") and toks[i + 1].kind == "id":
                j = i + 2
                # skip a type annotation `: PrismaConfig`
                if j < len(toks) and toks[j].text == ":":
                    j += 1
                    while j < len(toks) and toks[j].text not in ("=", ";"):
                        j += 1
                if j < len(toks) and toks[j].text == "=":
                    self.consts.setdefault(toks[i + 1].text, j + 1)

    def skip_group(self, i: int) -> int:
        """Index after the bracket group that opens at `i`."""
        depth = 0
        n = len(self.toks)
        while i < n:
            t = self.toks[i].text
            if self.toks[i].kind == "op":
                if t in _OPEN:
                    depth += 1
                elif t in ("}", ")", "]"):
                    depth -= 1
                    if depth == 0:
                        return i + 1
            i += 1
        return n

    def expression_end(self, i: int) -> int:
        """Index of the `,` or closing bracket that ends the expression starting at `i`."""
        n = len(self.toks)
        while i < n:
            t = self.toks[i]
            if t.kind == "op" and t.text in _OPEN:
                i = self.skip_group(i)
                continue
            if t.kind == "op" and t.text in (",", "}", ")", "]", ";"):
                return i
            i += 1
        return n

    def find_config_object(self) -> int | None:
        """Index of the `{` that opens the config object, or None."""
        toks = self.toks
        n = len(toks)
        for i, t in enumerate(toks):
            if t.kind == "id" and t.text == "defineConfig":
                j = i + 1
                if j < n and toks[j].text == "<":
                    while j < n and toks[j].text != "(":
                        j += 1
                if j < n and toks[j].text == "(" and j + 1 < n:
                    target = self.object_at(j + 1)
                    if target is not None:
                        return target
        for i, t in enumerate(toks):
            if (
                t.kind == "id"
                and t.text == "export"
                and i + 1 < n
                and toks[i + 1].text == "default"
            ):
                target = self.object_at(i + 2)
                if target is not None:
                    return target
            if (
                t.kind == "id"
                and t.text == "module"
                and i + 3 < n
                and toks[i + 1].text == "."
                and toks[i + 2].text == "exports"
                and toks[i + 3].text == "="
            ):
                target = self.object_at(i + 4)
                if target is not None:
                    return target
        return None

    def object_at(self, i: int, depth: int = 0) -> int | None:
        """Follow `{`, `(...)`, a const name or `defineConfig(...)` to an object literal."""
        toks = self.toks
        if i >= len(toks) or depth > 5:
            return None
        t = toks[i]
        if t.text == "{":
            return i
        if t.text == "(":
            return self.object_at(i + 1, depth + 1)
        if t.kind == "id" and t.text in self.consts:
            return self.object_at(self.consts[t.text], depth + 1)
        if t.kind == "id" and t.text == "defineConfig" and i + 1 < len(toks):
            j = i + 1
            while j < len(toks) and toks[j].text != "(":
                j += 1
            return self.object_at(j + 1, depth + 1)
        return None

    def read_object(self, i: int) -> dict[str, tuple[int, int]]:
        """{key: (first token index of the value, end index)} of the object opening at `i`."""
        toks = self.toks
        out: dict[str, tuple[int, int]] = {}
        end = self.skip_group(i) - 1
        j = i + 1
        while j < end:
            t = toks[j]
            if t.text == ",":
                j += 1
                continue
            if t.text == "...":
                j = self.expression_end(j + 1)
                continue
            key: str | None = None
            if t.kind == "id" or t.kind == "num":
                key = t.text
            elif t.kind == "str":
                key = _unquote(t)
            elif t.text == "[":
                j = self.skip_group(j)
                j = self.expression_end(j)
                continue
            if key is None:
                j += 1
                continue
            j += 1
            if j < end and toks[j].text == ":":
                start = j + 1
                stop = self.expression_end(start)
                out[key] = (start, stop)
                j = stop
            elif j < end and toks[j].text == "(":
                j = self.skip_group(j)  # a method: `seed() {...}`
                if j < end and toks[j].text == "{":
                    j = self.skip_group(j)
            else:
                out[key] = (j - 1, j)  # shorthand `{ schema }`
        return out

    # -- values ----------------------------------------------------------------------------
    def value(self, start: int, stop: int, depth: int = 0) -> ConfigValue:
        toks = self.toks
        first = toks[start] if start < len(toks) else None
        if first is None:
            return ConfigValue("computed", "", None, None, None, 1, 1)
        line, column = self.position(first.pos)
        end_pos = (
            toks[stop - 1].pos + len(toks[stop - 1].text)
            if stop - 1 < len(toks)
            else len(self.text)
        )
        text = " ".join(self.text[first.pos : end_pos].split())
        span = toks[start:stop]
        # strip `as const`, `satisfies X`, `!`
        while len(span) >= 2 and span[-2].text in ("as", "satisfies"):
            span = span[:-2]
        while span and span[-1].text == "!":
            span = span[:-1]

        def lit(value: str) -> ConfigValue:
            return ConfigValue("literal", text, value, None, None, line, column)

        if len(span) == 1:
            one = span[0]
            literal = _literal(one)
            if literal is not None:
                return lit(literal)
            if one.kind == "id" and one.text in self.consts and depth < 5:
                s = self.consts[one.text]
                v = self.value(s, self.expression_end(s), depth + 1)
                if v.kind != "computed":
                    return ConfigValue(v.kind, text, v.value, v.env, v.default, line, column)
        env = self.env_reference(span)
        if env is not None:
            name, used = env
            rest = span[used:]
            default: str | None = None
            if len(rest) == 2 and rest[0].text in ("??", "||"):
                default = _literal(rest[1])
                if default is None:
                    return ConfigValue("computed", text, None, name, None, line, column)
            elif rest:
                return ConfigValue("computed", text, None, name, None, line, column)
            return ConfigValue("env", text, None, name, default, line, column)
        joined = self.path_join(span)
        if joined is not None:
            return lit(joined)
        return ConfigValue("computed", text, None, None, None, line, column)

    def env_reference(self, span: list[_Tok]) -> tuple[str, int] | None:
        """(`X`, tokens used) for `env("X")`, `env<..>("X")`, `process.env.X`, `process.env["X"]`."""
        if not span:
            return None
        texts = [t.text for t in span]
        if texts[0] == "env":
            j = 1
            if j < len(span) and texts[j] == "<":
                while j < len(span) and texts[j] != ">":
                    j += 1
                j += 1
            if j + 2 < len(span) and texts[j] == "(" and texts[j + 2] == ")":
                name = _literal(span[j + 1])
                if name is not None:
                    return name, j + 3
            return None
        if texts[:3] == ["process", ".", "env"] and len(span) >= 5:
            if texts[3] == "." and span[4].kind == "id":
                return span[4].text, 5
            if texts[3] == "[" and len(span) >= 6 and texts[5] == "]":
                name = _literal(span[4])
                if name is not None:
                    return name, 6
        return None

    def path_join(self, span: list[_Tok]) -> str | None:
        """`path.join(__dirname, "prisma", "x")` (or `resolve`, `join`) of literal parts."""
        texts = [t.text for t in span]
        if len(texts) >= 3 and texts[:3] in (["path", ".", "join"], ["path", ".", "resolve"]):
            args = span[3:]
        elif texts[:1] in (["join"], ["resolve"]):
            args = span[1:]
        else:
            return None
        if len(args) < 2 or args[0].text != "(" or args[-1].text != ")":
            return None
        parts: list[str] = []
        current: list[_Tok] = []
        for t in [*args[1:-1], _Tok("op", ",", 0)]:
            if t.text == ",":
                if not current:
                    continue
                ctexts = [c.text for c in current]
                if ctexts in (["__dirname"], ["import", ".", "meta", ".", "dirname"]):
                    parts.append(".")
                elif len(current) == 1 and _literal(current[0]) is not None:
                    parts.append(_literal(current[0]) or "")
                else:
                    return None
                current = []
            else:
                current.append(t)
        if not parts:
            return None
        joined = posixpath.normpath(posixpath.join(*parts))
        return joined


def parse_prisma_config(source: SourceFile) -> PrismaConfigFile:
    """Read a `prisma.config.*` file as text. Never raises and never runs the file."""
    r = _Reader(source)
    loads_dotenv = bool(
        re.search(
            r"""['"]dotenv/config['"]|\bdotenv\s*\.\s*config\s*\(|\bloadEnv\s*\(""", source.text
        )
    ) or bool(
        re.search(r"""import\s*\{[^}]*\bconfig\b[^}]*\}\s*from\s*['"]dotenv['"]""", source.text)
    )
    start = r.find_config_object()
    if start is None:
        return PrismaConfigFile(
            source.path, False, None, None, None, None, None, None, None, None, None, None, None,
            loads_dotenv,
        )  # fmt: skip
    top = r.read_object(start)

    def get(obj: dict[str, tuple[int, int]], key: str) -> ConfigValue | None:
        if key not in obj:
            return None
        s, e = obj[key]
        return r.value(s, e)

    def sub(
        obj: dict[str, tuple[int, int]], key: str
    ) -> tuple[dict[str, tuple[int, int]], int | None]:
        if key not in obj:
            return {}, None
        s, _ = obj[key]
        target = r.object_at(s)
        line = r.position(r.toks[s].pos)[0] if s < len(r.toks) else None
        return (r.read_object(target) if target is not None else {}), line

    migrations, _ = sub(top, "migrations")
    if not migrations:
        migrations, _ = sub(top, "migrate")
    datasource, ds_line = sub(top, "datasource")
    views, _ = sub(top, "views")
    typed_sql, _ = sub(top, "typedSql")
    adapter_line = r.position(r.toks[top["adapter"][0]].pos)[0] if "adapter" in top else None
    return PrismaConfigFile(
        source.path,
        True,
        get(top, "schema"),
        get(migrations, "path"),
        get(migrations, "seed"),
        get(views, "path"),
        get(typed_sql, "path"),
        get(datasource, "url"),
        get(datasource, "directUrl"),
        get(datasource, "shadowDatabaseUrl"),
        get(top, "engine"),
        adapter_line,
        ds_line,
        loads_dotenv,
    )
