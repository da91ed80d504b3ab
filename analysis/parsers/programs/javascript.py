"""JavaScript and TypeScript: a tokenizer and the commands a file runs through child_process, execa and wrappers."""

from __future__ import annotations

import re

from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.programs.records import (
    _ARRAY_APIS,
    _STRING_APIS,
    ImportedCall,
    ProgramCommand,
    ProgramFile,
)
from analysis.records import dataclass
from analysis.sources import SourceFile

# ---------------------------------------------------------------------------------------------
# JavaScript / TypeScript
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _JTok:
    kind: str  # ident | string | template | punct | number | regex
    value: str
    line: int


_IDENT_START: re.Pattern[str] = lazy_compile(r"[A-Za-z_$\u00a0-\uffff]")
_IDENT: re.Pattern[str] = lazy_compile(r"[A-Za-z0-9_$\u00a0-\uffff]*")
_REGEX_PRECEDERS = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset(
    {
        "return",
        "typeof",
        "instanceof",
        "in",
        "of",
        "new",
        "delete",
        "void",
        "throw",
        "case",
        "do",
        "else",
        "yield",
        "await",
    }
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def _js_tokens(text: str) -> list[_JTok]:
    toks: list[_JTok] = []
    i = 0
    n = len(text)
    line = 1
    # template nesting: stack of brace depths at which a template literal resumes
    resume: list[int] = []
    depth = 0

    def read_template(i: int, line: int) -> tuple[int, int, str, bool]:
        """From inside a template (after ` or }); returns (index, line, text, ended)."""
        buf: list[str] = []
        while i < n:
            c = text[i]
            if c == "\\" and i + 1 < n:
                nxt = text[i + 1]
                buf.append(_ESCAPES.get(nxt, nxt))
                if nxt == "\n":
                    line += 1
                i += 2
                continue
            if c == "`":
                return i + 1, line, "".join(buf), True
            if c == "$" and i + 1 < n and text[i + 1] == "{":
                return i + 2, line, "".join(buf), False
            if c == "\n":
                line += 1
            buf.append(c)
            i += 1
        return n, line, "".join(buf), True

    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            continue
        if c in " \t\r\f\v\ufeff":
            i += 1
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if c == "#" and i == 0 and text.startswith("#!"):
            j = text.find("\n")
            i = n if j < 0 else j
            continue
        if c in "'\"":
            start_line = line
            buf: list[str] = []
            i += 1
            while i < n and text[i] != c:
                ch = text[i]
                if ch == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    if nxt == "\n":
                        line += 1
                    else:
                        buf.append(_ESCAPES.get(nxt, nxt))
                    i += 2
                    continue
                if ch == "\n":  # unterminated string: stop at the line end
                    break
                buf.append(ch)
                i += 1
            i += 1
            toks.append(_JTok("string", "".join(buf), start_line))
            continue
        if c == "`":
            start_line = line
            i, line, body, ended = read_template(i + 1, line)
            parts = [body]
            if not ended:
                # a template with placeholders: collect its text, `${...}` kept as written
                text_parts = [body]
                while not ended:
                    # scan the expression to its closing brace (nested braces, strings)
                    j = i
                    d = 1
                    while j < n and d:
                        ch = text[j]
                        if ch in "'\"`":
                            q = ch
                            j += 1
                            while j < n and text[j] != q:
                                j += 2 if text[j] == "\\" else 1
                        elif ch == "{":
                            d += 1
                        elif ch == "}":
                            d -= 1
                        j += 1
                    expr = text[i : j - 1]
                    line += text.count("\n", i, j)
                    text_parts.append("${" + expr.strip() + "}")
                    i, line, body, ended = read_template(j, line)
                    text_parts.append(body)
                parts = text_parts
            toks.append(_JTok("template", "".join(parts), start_line))
            continue
        if c == "/":
            prev = toks[-1] if toks else None
            if prev is None or (
                (prev.kind == "punct" and prev.value in _REGEX_PRECEDERS)
                or (prev.kind == "ident" and prev.value in _REGEX_KEYWORDS)
            ):
                j = i + 1
                in_class = False
                while j < n and text[j] != "\n":
                    ch = text[j]
                    if ch == "\\":
                        j += 2
                        continue
                    if ch == "[":
                        in_class = True
                    elif ch == "]":
                        in_class = False
                    elif ch == "/" and not in_class:
                        break
                    j += 1
                j += 1
                while j < n and text[j].isalnum():
                    j += 1
                toks.append(_JTok("regex", text[i:j], line))
                i = j
                continue
        if _IDENT_START.match(c):
            m = _IDENT.match(text, i + 1)
            j = m.end() if m else i + 1
            toks.append(_JTok("ident", text[i:j], line))
            i = j
            continue
        if c.isdigit():
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "._"):
                j += 1
            toks.append(_JTok("number", text[i:j], line))
            i = j
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if resume and resume[-1] == depth:
                resume.pop()
        toks.append(_JTok("punct", c, line))
        i += 1
    return toks


def _string_value(tok: _JTok, consts: dict[str, str]) -> str | None:
    if tok.kind in ("string", "template"):
        return tok.value
    if tok.kind == "ident" and tok.value in consts:
        return consts[tok.value]
    return None


def _read_array(
    toks: list[_JTok], i: int, consts: dict[str, str]
) -> tuple[tuple[str, ...], int] | None:
    """`[ "a", "b", ... ]` starting at toks[i] == "["; string items only (others: `${}`)."""
    if i >= len(toks) or toks[i].value != "[":
        return None
    items: list[str] = []
    i += 1
    depth = 0
    cur_ok = True
    cur: str | None = None
    while i < len(toks):
        t = toks[i]
        if t.kind == "punct" and t.value in "[({":
            depth += 1
            cur_ok = False
        elif t.kind == "punct" and t.value in "])}":
            if depth == 0:
                if cur is not None or not cur_ok:
                    items.append(cur if cur is not None and cur_ok else "${...}")
                return tuple(items), i + 1
            depth -= 1
        elif t.kind == "punct" and t.value == "," and depth == 0:
            items.append(cur if cur is not None and cur_ok else "${...}")
            cur, cur_ok = None, True
        elif depth == 0:
            value = _string_value(t, consts)
            if value is not None and cur is None:
                cur = value
            elif t.kind == "punct" and t.value == "." and cur is None:
                cur_ok = False  # spread
            else:
                cur_ok = cur_ok and value is not None and cur is None
        i += 1
    return None


def _js_consts(toks: list[_JTok]) -> dict[str, str]:
    consts: dict[str, str] = {}
    for k in range(len(toks) - 3):
        t = toks[k]
        if t.kind == "ident" and t.value in ("const", "let", "var"):
            name, eq, val = toks[k + 1], toks[k + 2], toks[k + 3]
            if (
                name.kind == "ident"
                and eq.value == "="
                and val.kind in ("string", "template")
                and (
                    k + 4 >= len(toks)
                    or toks[k + 4].value in (";", ",")
                    or toks[k + 4].line > val.line
                )
            ):
                consts[name.value] = val.value
    return consts


def _call_args(toks: list[_JTok], open_idx: int) -> tuple[list[list[_JTok]], int]:
    """The arguments of the call (or parameter list) whose `(` is `toks[open_idx]`, split at
    top-level commas, and the index of its `)`."""
    args: list[list[_JTok]] = []
    cur: list[_JTok] = []
    depth = 0
    i = open_idx + 1
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "punct" and t.value in "([{":
            depth += 1
        elif t.kind == "punct" and t.value in ")]}":
            if depth == 0:
                if cur:
                    args.append(cur)
                return args, i
            depth -= 1
        elif t.kind == "punct" and t.value == "," and depth == 0:
            args.append(cur)
            cur = []
            i += 1
            continue
        cur.append(t)
        i += 1
    return args, i


def _block_end(toks: list[_JTok], start: int) -> int:
    """The end of a function body starting at `start` (a `{...}` block or an expression)."""
    n = len(toks)
    if start < n and toks[start].value == "{":
        depth = 0
        for i in range(start, n):
            v = toks[i].value if toks[i].kind == "punct" else ""
            if v == "{":
                depth += 1
            elif v == "}":
                depth -= 1
                if depth == 0:
                    return i
        return n
    return min(n, start + 60)


def _param_names(args: list[list[_JTok]]) -> list[str]:
    return [a[0].value if a and a[0].kind == "ident" else "" for a in args]


_Wrapper = tuple[str, int, int | None, str]
"""(the API it reaches, the parameter that becomes the command, the parameter that becomes
the argument array, the command's text with `\x00` where that parameter goes)."""
_PARAM = "\x00"
_PLACEHOLDER = re.compile(r"\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")


def _function_at(toks: list[_JTok], k: int) -> tuple[str, list[str], int]:
    """(name, parameter names, index of the body) of a function declared at toks[k]:
    `function f(a) {`, `const f = (a) =>`, `const f = async a =>`, `export const f = ...`;
    ("", [], -1) when none starts there."""
    n = len(toks)
    t = toks[k]
    if t.value == "function" and k + 2 < n and toks[k + 1].kind == "ident":
        if toks[k + 2].value == "(":
            args, close = _call_args(toks, k + 2)
            return toks[k + 1].value, _param_names(args), close + 1
    elif t.value in ("const", "let", "var") and k + 4 < n and toks[k + 1].kind == "ident":
        if toks[k + 2].value != "=":
            return "", [], -1
        j = k + 3
        if toks[j].value == "async":
            j += 1
        if j < n and toks[j].value == "(":
            args, close = _call_args(toks, j)
            # `(a: string): Promise<void> =>`: skip a return type to the arrow
            m = close + 1
            while m + 1 < n and m < close + 12 and toks[m].value != "=":
                m += 1
            if m + 1 < n and toks[m].value == "=" and toks[m + 1].value == ">":
                return toks[k + 1].value, _param_names(args), m + 2
        elif (
            j + 2 < n
            and toks[j].kind == "ident"
            and toks[j + 1].value == "="
            and toks[j + 2].value == ">"
        ):
            return toks[k + 1].value, [toks[j].value], j + 3
    return "", [], -1


def _js_wrappers(toks: list[_JTok]) -> dict[str, _Wrapper]:
    """Functions that pass a parameter on as the command of execSync/spawn/... or of another
    such function, as is or inside a template:
    `function run(cmd) { execSync(cmd, ...) }` -> {"run": ("execSync", 0, None, "\x00")};
    `const prisma = (c) => run(`${c} --schema x`)` -> {"prisma": ("execSync", 0, None,
    "\x00 --schema x")}."""
    out: dict[str, _Wrapper] = {}
    n = len(toks)
    functions: list[tuple[str, list[str], int, int]] = []
    for k, t in enumerate(toks):
        if t.kind != "ident" or t.value not in ("function", "const", "let", "var"):
            continue
        name, params, body = _function_at(toks, k)
        if name and any(params) and body >= 0:
            functions.append((name, params, body, _block_end(toks, body)))
    for _round in range(3):  # a wrapper of a wrapper declared further down
        changed = False
        for name, params, body, end in functions:
            if name in out:
                continue
            for m in range(body, min(end, n - 1)):
                api = toks[m]
                if api.kind != "ident" or toks[m + 1].value != "(":
                    continue
                inner = out.get(api.value)
                if inner is None and api.value not in _STRING_APIS | _ARRAY_APIS:
                    continue
                if m and toks[m - 1].value == "." and inner is not None:
                    continue
                cargs, _ = _call_args(toks, m + 1)
                target = inner[1] if inner is not None else 0
                if target >= len(cargs) or len(cargs[target]) != 1:
                    continue
                tok = cargs[target][0]
                if tok.kind == "ident" and tok.value in params:
                    first, template = params.index(tok.value), _PARAM
                elif tok.kind == "template":
                    used = [p for p in params if p and "${" + p + "}" in tok.value]
                    if len(used) != 1:
                        continue
                    first = params.index(used[0])
                    template = tok.value.replace("${" + used[0] + "}", _PARAM, 1)
                else:
                    continue
                if inner is not None:
                    out[name] = (inner[0], first, None, inner[3].replace(_PARAM, template, 1))
                else:
                    second: int | None = None
                    if (
                        api.value in _ARRAY_APIS
                        and len(cargs) > 1
                        and len(cargs[1]) == 1
                        and cargs[1][0].value in params
                    ):
                        second = params.index(cargs[1][0].value)
                    out[name] = (api.value, first, second, template)
                changed = True
                break
        if not changed:
            break
    return out


def _plain_placeholders(text: str) -> str:
    """`${a ? `--x ${b}` : ""}` -> `${EXPR}` (a shell reads it as one word); `${name}` stays."""
    return _PLACEHOLDER.sub(
        # an expression (`${a ? ` --schema x` : ""}`) adds words of its own: kept apart
        lambda m: m.group(0) if re.fullmatch(r"[A-Za-z_$][\w$]*", m.group(1)) else " ${EXPR}",
        text,
    )


def wrapper_command(
    wrapper: _Wrapper,
    values: tuple[str | tuple[str, ...] | None, ...],
    location: Location,
    name: str,
) -> ProgramCommand | None:
    """The command a call of a wrapper function starts, given the call's argument values
    (a string, an array of strings, or None when unknown)."""
    api, first, second, template = wrapper
    if first >= len(values) or not isinstance(values[first], str):
        return None
    value = _plain_placeholders(template.replace(_PARAM, str(values[first]), 1))
    label = f"{name} -> {api}"
    if api in _ARRAY_APIS:
        rest = values[second] if second is not None and second < len(values) else ()
        return ProgramCommand(
            label, location, argv=(value, *(rest if isinstance(rest, tuple) else ()))
        )
    return ProgramCommand(label, location, command=value)


def _arg_values(
    toks: list[_JTok], k: int, consts: dict[str, str]
) -> tuple[str | tuple[str, ...] | None, ...]:
    """The values of the arguments of the call whose name is toks[k]."""
    args, _ = _call_args(toks, k + 1)
    out: list[str | tuple[str, ...] | None] = []
    for a in args:
        if len(a) == 1:
            out.append(_string_value(a[0], consts))
        elif a and a[0].value == "[":
            arr = _read_array([*a, _JTok("punct", "]", a[0].line)], 0, consts)
            out.append(arr[0] if arr else None)
        else:
            out.append(None)
    return tuple(out)


def _wrapper_command(
    toks: list[_JTok],
    k: int,
    wrapper: _Wrapper,
    consts: dict[str, str],
    path: str,
    name: str,
) -> ProgramCommand | None:
    """The command a call of a wrapper function (`run("npx prisma db push")`) starts."""
    values = _arg_values(toks, k, consts)
    first = wrapper[1]
    if first >= len(values):
        return None
    line = _call_args(toks, k + 1)[0][first][0].line
    return wrapper_command(wrapper, values, Location(path, line), name)


def _js_imports(toks: list[_JTok]) -> dict[str, tuple[str, str]]:
    """Names imported from relative modules: local name -> (module, exported name).
    `import { a, b as c } from "./x"`, `import d from "./x"`, `const { a } = require("./x")`."""
    out: dict[str, tuple[str, str]] = {}
    n = len(toks)
    for k, t in enumerate(toks):
        if t.kind != "ident":
            continue
        if t.value == "import":
            j = k + 1
            names: list[tuple[str, str]] = []
            while j < n and toks[j].value != "from" and j < k + 200:
                tj = toks[j]
                if tj.value == "{":
                    j += 1
                    while j < n and toks[j].value != "}":
                        if toks[j].kind == "ident" and toks[j].value not in ("as", "type"):
                            local = toks[j].value
                            exported = local
                            if j + 2 < n and toks[j + 1].value == "as":
                                local = toks[j + 2].value
                                j += 2
                            names.append((local, exported))
                        j += 1
                elif tj.kind == "ident" and tj.value not in ("type", "as"):
                    names.append((tj.value, "default"))
                elif tj.kind == "string" or tj.value == ";":
                    break
                j += 1
            if j + 1 < n and toks[j].value == "from" and toks[j + 1].kind == "string":
                module = toks[j + 1].value
                if module.startswith("."):
                    for local, exported in names:
                        out[local] = (module, exported)
        elif t.value in ("const", "let", "var") and k + 1 < n and toks[k + 1].value == "{":
            names2: list[tuple[str, str]] = []
            j = k + 2
            while j < n and toks[j].value != "}" and j < k + 100:
                if toks[j].kind == "ident":
                    local = exported = toks[j].value
                    if j + 2 < n and toks[j + 1].value == ":" and toks[j + 2].kind == "ident":
                        local = toks[j + 2].value
                        j += 2
                    names2.append((local, exported))
                j += 1
            close = j
            if (
                close + 5 < n
                and toks[close + 1].value == "="
                and toks[close + 2].value == "require"
                and toks[close + 4].kind == "string"
                and toks[close + 4].value.startswith(".")
            ):
                for local, exported in names2:
                    out[local] = (toks[close + 4].value, exported)
    return out


def _parse_js(source: SourceFile) -> ProgramFile:
    toks = _js_tokens(source.text)
    consts = _js_consts(toks)
    wrappers = _js_wrappers(toks)
    imports = _js_imports(toks)
    imported: list[ImportedCall] = []
    out: list[ProgramCommand] = []
    path = source.path
    n = len(toks)
    for k, t in enumerate(toks):
        if t.kind != "ident":
            continue
        name = t.value
        nxt = toks[k + 1] if k + 1 < n else None
        if nxt is None:
            continue
        if name in imports and nxt.value == "(" and (k == 0 or toks[k - 1].value != "."):
            values = _arg_values(toks, k, consts)
            if any(isinstance(v, str) for v in values):
                module, exported = imports[name]
                imported.append(ImportedCall(module, exported, values, Location(path, t.line)))
            continue
        if name in wrappers and nxt.value == "(":
            prev = toks[k - 1] if k else None
            if prev is None or (prev.value not in (".", "function") and prev.kind != "ident"):
                cmd = _wrapper_command(toks, k, wrappers[name], consts, path, name)
                if cmd is not None:
                    out.append(cmd)
                continue
        # zx / Bun shell: $`...`
        if name == "$" and nxt.kind == "template":
            out.append(ProgramCommand("$", Location(path, nxt.line), command=nxt.value))
            continue
        if nxt.value != "(":
            continue
        prev = toks[k - 1] if k else None
        owner = toks[k - 2].value if prev is not None and prev.value == "." and k >= 2 else ""
        if (
            prev is not None
            and prev.value == "."
            and owner
            not in (
                "child_process",
                "cp",
                "childProcess",
                "proc",
                "Bun",
                "execa",
                "os",
                "shell",
                "zx",
            )
        ):
            continue
        if prev is not None and prev.kind == "ident" and prev.value in ("function", "async"):
            continue
        arg = toks[k + 2] if k + 2 < n else None
        if arg is None:
            continue
        if owner == "Bun" and name in ("spawn", "spawnSync"):
            arr = _read_array(toks, k + 2, consts)
            if arr:
                out.append(ProgramCommand(f"Bun.{name}", Location(path, arg.line), argv=arr[0]))
            continue
        if name in _STRING_APIS and name != "$":
            value = _string_value(arg, consts)
            if value is not None:
                out.append(ProgramCommand(name, Location(path, arg.line), command=value))
            continue
        if name in _ARRAY_APIS:
            program = _string_value(arg, consts)
            if program is None:
                arr = _read_array(toks, k + 2, consts)
                if arr and name.startswith("execa") is False and arr[0]:
                    out.append(ProgramCommand(name, Location(path, arg.line), argv=arr[0]))
                continue
            args: tuple[str, ...] = ()
            j = k + 3
            if j < n and toks[j].value == ",":
                arr = _read_array(toks, j + 1, consts)
                if arr:
                    args = arr[0]
            if " " in program and not args and name in ("execa", "execaSync"):
                out.append(ProgramCommand(name, Location(path, arg.line), command=program))
            else:
                out.append(ProgramCommand(name, Location(path, arg.line), argv=(program, *args)))
    return ProgramFile(path, "javascript", tuple(out), (), tuple(wrappers.items()), tuple(imported))
