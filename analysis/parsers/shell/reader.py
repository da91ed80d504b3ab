"""Reading a whole script into statements: bashlex first, the own parser for the rest, line by line after an error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from analysis.parsers.shell.lexer import (
    _ARRAY_PREFIX,
    MAX_NESTING,
    ShellNestingError,
    ShellSyntaxError,
    _find_double_close,
    tokenize,
    unquote,
)
from analysis.parsers.shell.parser import (
    _AndOr,
    _Case,
    _Cmd,
    _empty,
    _Func,
    _Group,
    _If,
    _LoopNode,
    _Parser,
    _Pipeline,
    _Seq,
    _Word,
)
from analysis.parsers.shell.words import _ASSIGN_RE
from analysis.records import dataclass

if TYPE_CHECKING:
    import bashlex.ast

    from analysis.parsers.shell.lexer import _Heredoc, _Tok
    from analysis.parsers.shell.parser import _Node


# ---------------------------------------------------------------------------------------------
# bashlex: the primary reader of each statement
# ---------------------------------------------------------------------------------------------


def _mask_for_bashlex(text: str, toks: list[_Tok]) -> str:
    """Same-length text that bashlex can read: here-documents, `[[ ]]`, `(( ))`, `$(( ))`,
    arrays and `time` blanked or rewritten without moving any character."""
    chars = list(text)

    def blank(a: int, b: int, fill: str = " ") -> None:
        for k in range(a, min(b, len(chars))):
            if chars[k] != "\n":
                chars[k] = fill

    prev: _Tok | None = None
    for t in toks:
        if t.kind == "redir" and t.heredoc is not None:
            h = t.heredoc
            blank(t.start, t.end)
            if h.body_start >= 0:
                for k in range(h.body_start, h.end):
                    if chars[k] != "\n":
                        chars[k] = " "
        elif t.kind == "word" and prev is not None and prev.kind == "redir" and prev.heredoc:
            blank(t.start, t.end)
        elif t.kind == "arith":
            if prev is not None and prev.kind == "word" and prev.text == "for":
                n = t.end - t.start
                repl = ("_ in " + "_" * n)[:n]
                chars[t.start : t.end] = list(repl)
            else:
                blank(t.start, t.end)
                chars[t.start] = ":"
        elif t.kind == "cond":
            chars[t.start] = "["
            chars[t.start + 1] = " "
            chars[t.end - 2] = " "
            chars[t.end - 1] = "]"
            k = t.start + 2
            quote = ""
            while k < t.end - 2:
                ch = chars[k]
                if quote:
                    if ch == quote:
                        quote = ""
                elif ch in "'\"":
                    quote = ch
                elif text.startswith("&&", k):
                    chars[k : k + 2] = ["-", "a"]
                    k += 1
                elif text.startswith("||", k):
                    chars[k : k + 2] = ["-", "o"]
                    k += 1
                elif ch in "<>()|;&":
                    chars[k] = "_"
                k += 1
        elif t.kind == "word":
            if "$((" in t.text:
                k = t.start
                while True:
                    k = text.find("$((", k, t.end)
                    if k < 0:
                        break
                    j = _find_double_close(text, k + 3)
                    if j < 0:
                        break
                    for m in range(k, j):
                        chars[m] = "_"
                    k = j
            if "=(" in t.text and _ARRAY_PREFIX.match(t.text[: t.text.index("=(") + 1]):
                k = t.start + t.text.index("=(") + 1
                for m in range(k, t.end):
                    chars[m] = "_"
            if t.text in ("time", "coproc") and (prev is None or prev.kind in ("nl", "op")):
                blank(t.start, t.end)
            elif t.text == "select" and (prev is None or prev.kind in ("nl", "op")):
                chars[t.start : t.end] = list("for   ")
        prev = t
    return "".join(chars)


def _guard_bashlex(bashlex: ModuleType) -> None:
    """bashlex (0.18) loops forever, allocating without end, on a `${` with no `}` after it
    inside a word its tokenizer does not check (`$'${'`, `'${'#`): its parameter expansion
    then restarts the word from its first character. Make that case a parse error instead
    (for every other word the original runs unchanged)."""
    subst = bashlex.subst
    original = getattr(subst, "_paramexpand", None)
    if original is None or getattr(original, "_keepdata_guard", False):
        return

    def paramexpand(parserobj: object, string: str, sindex: int) -> object:
        if string[sindex + 1 : sindex + 2] == "{" and string.find("}", sindex + 2) < 0:
            raise bashlex.errors.ParsingError("unterminated ${", string, sindex)
        return original(parserobj, string, sindex)

    paramexpand._keepdata_guard = True  # type: ignore[attr-defined]
    subst._paramexpand = paramexpand


def _bashlex_parse(text: str) -> list[Any] | None:
    try:
        import bashlex  # local import: only paid for when a script is parsed
        import bashlex.errors
        import bashlex.subst
    except ImportError:  # pragma: no cover - bashlex is a dependency
        return None
    _guard_bashlex(bashlex)
    if not text.strip():
        return []
    try:
        return list(bashlex.parse(text))
    except Exception:  # bashlex raises many kinds (ParsingError, NotImplementedError, ...)
        return None


def _from_bashlex(node: bashlex.ast.node, offset: int, text: str) -> _Node | None:
    """Convert a bashlex node into the shared tree (positions shifted by `offset`)."""
    kind = getattr(node, "kind", "")
    if kind == "command":
        words: list[_Word] = []
        assigns: list[_Word] = []
        for part in getattr(node, "parts", ()):
            pk = getattr(part, "kind", "")
            if pk in ("word", "assignment"):
                start, end = part.pos
                subs = tuple(_bashlex_subs(part, offset, text))
                w = _Word(
                    unquote(text[start + offset : end + offset]), start + offset, end + offset, subs
                )
                if pk == "assignment" and not words:
                    assigns.append(w)
                else:
                    words.append(w)
        start, end = node.pos
        if not words and not assigns:
            return None
        return _Cmd(tuple(words), tuple(assigns), start + offset, end + offset)
    if kind == "pipeline":
        items: list[_Node] = []
        negated = False
        for part in node.parts:
            pk = getattr(part, "kind", "")
            if pk == "reservedword" and part.word == "!":
                negated = not negated
            elif pk != "pipe":
                conv = _from_bashlex(part, offset, text)
                if conv is not None:
                    items.append(conv)
        start, end = node.pos
        if len(items) == 1 and not negated:
            return items[0]
        return _Pipeline(tuple(items), negated, start + offset, end + offset)
    if kind == "list":
        return _bashlex_list(node.parts, offset, text)
    if kind == "compound":
        parts = list(node.list)
        inner = [p for p in parts if getattr(p, "kind", "") != "reservedword"]
        words_ = [p.word for p in parts if getattr(p, "kind", "") == "reservedword"]
        start, end = node.pos
        if words_ and words_[0] in ("{", "("):
            body = _bashlex_list(inner, offset, text)
            return _Group(body, words_[0] == "(", start + offset, end + offset)
        if len(inner) == 1:
            return _from_bashlex(inner[0], offset, text)
        return _bashlex_list(inner, offset, text)
    if kind == "if":
        arms: list[tuple[_Node | None, _Node]] = []
        cond: _Node | None = None
        mode = ""
        buf: list[Any] = []
        for part in node.parts:
            if getattr(part, "kind", "") == "reservedword" and part.word in (
                "if",
                "then",
                "elif",
                "else",
                "fi",
            ):
                block = _bashlex_list(buf, offset, text)
                if mode in ("if", "elif"):
                    cond = block
                elif mode == "then":
                    arms.append((cond, block))
                elif mode == "else":
                    arms.append((None, block))
                mode = part.word
                buf = []
            else:
                buf.append(part)
        start, end = node.pos
        return _If(tuple(arms), start + offset, end + offset)
    if kind in ("while", "until", "for"):
        parts = list(node.parts)
        rw = [
            (k, p)
            for k, p in enumerate(parts)
            if getattr(p, "kind", "") == "reservedword" and p.word in ("do", "done")
        ]
        if len(rw) < 2:
            return None
        do_i, done_i = rw[0][0], rw[-1][0]
        head = parts[1:do_i]
        body = _bashlex_list(parts[do_i + 1 : done_i], offset, text)
        head_start = parts[1].pos[0] + offset if len(parts) > 1 else parts[0].pos[1] + offset
        head_end = parts[do_i].pos[0] + offset
        cond_node: _Node | None = None
        if kind != "for":
            cond_node = _bashlex_list(head, offset, text)
        start, end = node.pos
        return _LoopNode(kind, cond_node, head_start, head_end, body, start + offset, end + offset)
    if kind == "function":
        fbody = _from_bashlex(node.body, offset, text)
        start, end = node.pos
        return _Func(node.name.word, fbody or _empty(end + offset), start + offset, end + offset)
    return None


def _bashlex_list(parts: list[Any], offset: int, text: str) -> _Seq:
    items: list[_Node] = []
    bgs: list[bool] = []
    cur: list[_Node] = []
    ops: list[str] = []

    def close(bg: bool) -> None:
        nonlocal cur, ops
        if not cur:
            return
        if len(cur) == 1:
            items.append(cur[0])
        else:
            items.append(_AndOr(tuple(cur), tuple(ops[: len(cur) - 1]), cur[0].start, cur[-1].end))
        bgs.append(bg)
        cur, ops = [], []

    for part in parts:
        pk = getattr(part, "kind", "")
        if pk == "operator":
            op = part.op
            if op in ("&&", "||"):
                ops.append(op)
            else:
                close(op == "&")
            continue
        if pk == "list":
            sub = _bashlex_list(part.parts, offset, text)
            if len(cur) == len(ops):
                close(False)
            items.extend(sub.items)
            bgs.extend(sub.background)
            continue
        conv = _from_bashlex(part, offset, text)
        if conv is None:
            continue
        if len(cur) > len(ops):  # two nodes without an operator between (newline lists)
            close(False)
        cur.append(conv)
    close(False)
    if not items:
        return _empty(offset)
    return _Seq(tuple(items), tuple(bgs), items[0].start, items[-1].end)


def _bashlex_seq(parts: list[Any], offset: int, text: str) -> _Seq | None:
    """bashlex's statements converted, or None when they nest deeper than `MAX_NESTING`."""
    try:
        seq = _bashlex_list(parts, offset, text)
    except RecursionError:
        return None
    return seq if _nesting(seq) <= MAX_NESTING else None


def _nesting(root: _Node) -> int:
    """How deeply compound commands and substitutions nest in `root` (iteratively)."""
    deepest = 0
    stack: list[tuple[_Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, _Cmd):
            stack.extend((sub, depth + 1) for w in (*node.assigns, *node.words) for sub in w.subs)
        elif isinstance(node, (_Seq, _AndOr, _Pipeline)):
            stack.extend((item, depth) for item in node.items)
        elif isinstance(node, _If):
            for cond, body in node.arms:
                stack.append((body, depth + 1))
                if cond is not None:
                    stack.append((cond, depth + 1))
        elif isinstance(node, _LoopNode):
            stack.append((node.body, depth + 1))
            if node.cond is not None:
                stack.append((node.cond, depth + 1))
        elif isinstance(node, _Case):
            stack.extend((body, depth + 1) for _p, body, _s in node.clauses if body is not None)
        elif isinstance(node, (_Group, _Func)):
            stack.append((node.body, depth + 1))
    return deepest


def _bashlex_subs(word: bashlex.ast.node, offset: int, text: str) -> Iterator[_Node]:
    stack = list(getattr(word, "parts", ()) or ())
    while stack:
        part = stack.pop(0)
        pk = getattr(part, "kind", "")
        if pk in ("commandsubstitution", "processsubstitution"):
            conv = _from_bashlex(part.command, offset, text)
            if conv is not None:
                yield conv
        else:
            stack.extend(getattr(part, "parts", ()) or ())


# ---------------------------------------------------------------------------------------------
# Reading a whole script into statements
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Read:
    statements: list[tuple[_Node, bool]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    heredocs: list[_Heredoc] = field(default_factory=list)


def _read_script(text: str, use_bashlex: bool = True, prefer_bashlex: bool = False) -> _Read:
    """The script's top-level statements.

    The recursive-descent parser reads the script (it knows `case`, `[[ ]]`, arithmetic,
    arrays and here-documents, and is an order of magnitude faster than bashlex). From a
    statement it cannot read on, bashlex gets the rest of the script; when bashlex cannot
    read it either, the statement is reported and the lines after it are read one by one.
    `prefer_bashlex` makes bashlex read every statement it can (used to cross-check).
    """
    out = _Read()
    try:
        toks = tokenize(text)
    except ShellSyntaxError as exc:
        out.problems.append((exc.pos, exc.message))
        return _read_lines_after(text, 0, exc.pos, out)
    out.heredocs = [t.heredoc for t in toks if t.heredoc is not None]
    parser = _Parser(text, toks)
    try:
        for node, bg in parser.statements():
            out.statements.append((node, bg))
    except ShellSyntaxError as exc:
        last_end = out.statements[-1][0].end if out.statements else 0
        if use_bashlex and not isinstance(exc, ShellNestingError):
            masked = _mask_for_bashlex(text, toks)
            parsed = _bashlex_parse(masked[last_end:])
            seq = _bashlex_seq(parsed, last_end, text) if parsed is not None else None
            if seq is not None:
                out.statements.extend(zip(seq.items, seq.background, strict=True))
                return out
        out.problems.append((exc.pos, exc.message))
        return _read_lines_after(text, last_end, exc.pos, out)
    if prefer_bashlex:
        masked = _mask_for_bashlex(text, toks)
        replaced: list[tuple[_Node, bool]] = []
        for node, bg in out.statements:
            parsed = _bashlex_parse(masked[node.start : node.end])
            if parsed:
                seq = _bashlex_seq(parsed, node.start, text)
                if seq is not None and len(seq.items) == 1:
                    replaced.append((seq.items[0], bg))
                    continue
            replaced.append((node, bg))
        out.statements = replaced
    return out


def _read_lines_after(text: str, start: int, error_pos: int, out: _Read) -> _Read:
    """After an unreadable statement: read the remaining lines one at a time, flat."""
    line_start = text.rfind("\n", 0, max(start, 0)) + 1 if start else 0
    bad_line_start = text.rfind("\n", 0, error_pos) + 1
    pos = line_start
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        line = text[pos:end]
        if pos == bad_line_start and _unterminated_here(line):
            pos = end + 1
            continue
        for node in _flat_line(line, pos):
            out.statements.append((node, False))
        pos = end + 1
    return out


def _unterminated_here(line: str) -> bool:
    try:
        tokenize(line)
    except ShellSyntaxError:
        return True
    return False


_FLOW_WORDS = frozenset(
    {"if", "then", "elif", "else", "fi", "do", "done", "while", "until", "esac", "{", "}", "!"}
)


def _flat_line(line: str, offset: int) -> Iterator[_Node]:
    """Simple commands of one line, without structure (reserved words dropped)."""
    try:
        toks = tokenize(line)
    except ShellSyntaxError:
        return
    cur: list[_Tok] = []
    for t in [*toks]:
        if t.kind in ("op", "nl", "eof"):
            node = _flat_cmd(cur, line, offset)
            if node is not None:
                yield node
            cur = []
            continue
        if t.kind == "word" and not cur and (t.text in _FLOW_WORDS or t.text.endswith(")")):
            continue
        cur.append(t)


def _flat_cmd(toks: list[_Tok], text: str, offset: int) -> _Node | None:
    words = [t for t in toks if t.kind == "word"]
    if not words:
        return None
    ws = tuple(_Word(unquote(t.text), t.start + offset, t.end + offset) for t in words)
    assigns = tuple(w for w in ws if _ASSIGN_RE.match(w.value))
    first = next((k for k, w in enumerate(ws) if not _ASSIGN_RE.match(w.value)), len(ws))
    return _Cmd(ws[first:], assigns[:first], ws[0].start, ws[-1].end)
