"""The shell tokenizer (shared by the fallback parser and the masking for bashlex), quoting and word splitting."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from analysis.lazy_re import lazy_compile
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.parsers.shell.records import Condition


# ---------------------------------------------------------------------------------------------
# Tokenizer (shared by the fallback parser and the masking that prepares text for bashlex)
# ---------------------------------------------------------------------------------------------


class ShellSyntaxError(Exception):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


MAX_NESTING = 50
"""Compound commands (`if`, loops, `case`, `{ }`, `( )`, functions) and command substitutions
(`$(...)`, backquotes) nested deeper than this are not parsed: the statement is reported (a parse
problem naming this limit) and its lines are read one by one. Real scripts nest a few levels; the limit
keeps parsing and the analysis's walks far from Python's recursion limit."""

MAX_CONDITIONS = 64
"""At most this many conditions are kept per command: the outermost half and the nearest half.
A command at the end of a 10,000-command `&&` list would otherwise carry 10,000 conditions (and
the list 50 million), which made long lists quadratic in time and memory."""

MAX_INLINED = 10_000
"""At most this many commands are walked inside calls of the script's own functions (all calls
of one script and the command strings it runs together). A function is walked at each call, so
`f0() { f1; f1; }`, `f1() { f2; f2; }`, ... would otherwise expand to 2**n commands; past the
limit a call is listed as a command but not followed into its function, and the first such
call is reported (a parse problem naming this limit)."""

MAX_EXCLUDES = 64
"""At most this many requirements of earlier arms are kept in an `elif`/`else`/`case` arm's
`excludes` (and an `else` arm's `requires`): the first ones, for the same reason."""


class ShellNestingError(ShellSyntaxError):
    """Nesting deeper than `MAX_NESTING`: reported, never handed to bashlex."""

    def __init__(self, pos: int) -> None:
        super().__init__(
            pos,
            f"nesting deeper than {MAX_NESTING} levels (`if`, loops, `case`, groups, `$(...)`;"
            " keepdata's limit)",
        )


def bounded_conditions(conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """`conditions`, or its first and last `MAX_CONDITIONS // 2` when it is longer."""
    if len(conditions) <= MAX_CONDITIONS:
        return conditions
    half = MAX_CONDITIONS // 2
    return conditions[:half] + conditions[-half:]


@dataclass(slots=True)
class _Heredoc:
    op_start: int
    delimiter: str
    strip_tabs: bool
    quoted: bool
    body_start: int = -1
    body_end: int = -1
    end: int = -1  # end of the terminator line


@dataclass(slots=True)
class _Tok:
    kind: str  # word | op | redir | nl | arith | cond | eof
    text: str
    start: int
    end: int
    heredoc: _Heredoc | None = None


_OPS = sorted(
    (
        ";;&",
        "&>>",
        "<<-",
        "<<<",
        ";;",
        ";&",
        "&&",
        "||",
        "|&",
        ">>",
        ">|",
        "<>",
        "<&",
        ">&",
        "&>",
        "<<",
        ";",
        "|",
        "&",
        "(",
        ")",
        "<",
        ">",
    ),
    key=len,
    reverse=True,
)
_REDIRS = frozenset({"&>>", "<<-", "<<<", ">>", ">|", "<>", "<&", ">&", "&>", "<<", "<", ">"})
_META = frozenset(" \t\n;&|()<>")
_ARRAY_PREFIX = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$")


def _skip_squote(s: str, i: int) -> int:
    """`i` after the opening quote; returns the index after the closing one."""
    j = s.find("'", i)
    if j < 0:
        raise ShellSyntaxError(i - 1, "unterminated single quote")
    return j + 1


def _skip_ansi(s: str, i: int) -> int:
    """`i` after `$'`; returns the index after the closing `'`."""
    return _skip_escaped(s, i, "'", None, "unterminated $'...' quote")


def _skip_backtick(s: str, i: int) -> int:
    """`i` after an opening backquote; returns the index after the closing one."""
    return _skip_escaped(s, i, "`", i - 1, "unterminated backquote")


def _skip_escaped(s: str, i: int, close: str, error_at: int | None, unterminated: str) -> int:
    """Skip a quoted body in which a backslash escapes the next character; the index after
    `close`. An unterminated body is reported at `error_at` (None: where the text ends)."""
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == close:
            return i + 1
        i += 1
    raise ShellSyntaxError(i if error_at is None else error_at, unterminated)


def _skip_dquote(s: str, i: int) -> int:
    start = i - 1
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c == "$" and i + 1 < n and s[i + 1] == "(":
            i = _skip_paren(s, i + 2)
            continue
        if c == "$" and i + 1 < n and s[i + 1] == "{":
            i = _skip_brace(s, i + 2)
            continue
        if c == "`":
            i = _skip_backtick(s, i + 1)
            continue
        i += 1
    raise ShellSyntaxError(start, "unterminated double quote")


def _skip_paren(s: str, i: int) -> int:
    """`i` after an opening `(`; returns the index after its matching `)`."""
    return _skip_nested(s, i, "(", ")", "unterminated $( or ( : no matching )")


def _skip_brace(s: str, i: int) -> int:
    """`i` after the `{` of `${`; returns the index after its matching `}`."""
    return _skip_nested(s, i, "{", "}", "unterminated ${: no matching }")


_NESTED_PLAIN = {
    "(": re.compile(r"[^\\'\"`#()]+"),
    "{": re.compile(r"[^\\'\"${}]+"),
}


def _skip_nested(s: str, i: int, opener: str, closer: str, unterminated: str) -> int:
    """`i` after an opening `(` (a subshell or `$(`: backquotes and comments count inside) or
    the `{` of `${` (a `$(` counts inside); returns the index after the matching closer."""
    start = i - 1
    depth = 1
    n = len(s)
    command = opener == "("
    plain = _NESTED_PLAIN[opener].match
    while i < n:
        m = plain(s, i)
        if m is not None:
            i = m.end()
            if i >= n:
                break
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            i = _skip_squote(s, i + 1)
            continue
        if c == '"':
            i = _skip_dquote(s, i + 1)
            continue
        if command:
            if c == "`":
                i = _skip_backtick(s, i + 1)
                continue
            if c == "#" and (i == 0 or s[i - 1] in " \t\n;"):
                j = s.find("\n", i)
                i = n if j < 0 else j
                continue
        elif c == "$" and i + 1 < n and s[i + 1] == "(":
            i = _skip_paren(s, i + 2)
            continue
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ShellSyntaxError(start, unterminated)


_WORD_PLAIN = lazy_compile(r"[^ \t\n;&|()<>\\'\"`$]+")
"""Characters that end a word or start a quote or expansion: everything else is plain."""


def _scan_word(s: str, i: int) -> int:
    """Scan one word from `i`; returns its end."""
    n = len(s)
    start = i
    plain = _WORD_PLAIN.match
    while i < n:
        m = plain(s, i)
        if m is not None:
            i = m.end()
            if i >= n:
                break
        c = s[i]
        if c in _META:
            if c == "(" and _ARRAY_PREFIX.match(s[start:i]):
                i = _skip_paren(s, i + 1)
                continue
            if c in "<>" and i + 1 < n and s[i + 1] == "(" and i == start:
                i = _skip_paren(s, i + 2)
                continue
            break
        if c == "\\":
            i += 2
            continue
        if c == "'":
            i = _skip_squote(s, i + 1)
            continue
        if c == '"':
            i = _skip_dquote(s, i + 1)
            continue
        if c == "`":
            i = _skip_backtick(s, i + 1)
            continue
        if c == "$" and i + 1 < n:
            nxt = s[i + 1]
            if nxt == "(":
                i = _skip_paren(s, i + 2)
                continue
            if nxt == "{":
                i = _skip_brace(s, i + 2)
                continue
            if nxt == "'":
                i = _skip_ansi(s, i + 2)
                continue
        i += 1
    return min(i, n)


def _find_double_close(s: str, i: int) -> int:
    """For `((`: `i` after it; the index after the matching `))`, or -1."""
    depth = 0
    n = len(s)
    while i < n - 1:
        c = s[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i + 2 if s[i + 1] == ")" else -1
            depth -= 1
        elif c == "\n" and depth == 0 and s[i - 1] != "\\":
            pass
        elif c in "'\"":
            try:
                i = _skip_squote(s, i + 1) if c == "'" else _skip_dquote(s, i + 1)
            except ShellSyntaxError:
                return -1
            continue
        i += 1
    return -1


def _find_cond_close(s: str, i: int) -> int:
    """For `[[`: `i` after it; the index after the closing `]]` word, or -1."""
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\n":
            return -1
        if c == "\\":
            i += 2
            continue
        if c in "'\"":
            try:
                i = _skip_squote(s, i + 1) if c == "'" else _skip_dquote(s, i + 1)
            except ShellSyntaxError:
                return -1
            continue
        if c == "$" and i + 1 < n and s[i + 1] == "(":
            try:
                i = _skip_paren(s, i + 2)
            except ShellSyntaxError:
                return -1
            continue
        if (
            c == "]"
            and s.startswith("]]", i)
            and s[i - 1] in " \t"
            and (i + 2 >= n or s[i + 2] in _META)
        ):
            return i + 2
        i += 1
    return -1


def tokenize(s: str) -> list[_Tok]:
    """Shell tokens with offsets. Raises ShellSyntaxError for unterminated quotes."""
    toks: list[_Tok] = []
    pending: list[_Heredoc] = []
    want_delim: _Heredoc | None = None
    i = 0
    n = len(s)
    word_start = _WORD_START
    scan = _scan_word
    while i < n:
        c = s[i]
        if c in word_start:
            # the common case first: a word that starts with a plain character
            j = scan(s, i)
            if j == i:  # defensive: never loop forever
                j = i + 1
            raw = s[i:j]
            toks.append(_Tok("word", raw, i, j))
            if want_delim is not None:
                want_delim.delimiter = unquote(raw)
                want_delim.quoted = any(q in raw for q in "'\"\\")
                pending.append(want_delim)
                want_delim = None
            i = j
            continue
        if c in " \t":
            i += 1
            continue
        if c == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if c == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "\n":
            toks.append(_Tok("nl", "\n", i, i + 1))
            i += 1
            if pending:
                i = _read_heredocs(s, i, pending)
                pending = []
            continue
        if c == "(" and s.startswith("((", i) and _at_command_start(toks):
            j = _find_double_close(s, i + 2)
            if j > 0:
                toks.append(_Tok("arith", s[i:j], i, j))
                i = j
                continue
        if c == "[" and s.startswith("[[", i) and i + 2 < n and s[i + 2] in " \t":
            j = _find_cond_close(s, i + 2)
            if j > 0:
                toks.append(_Tok("cond", s[i:j], i, j))
                i = j
                continue
        if c in "<>" and i + 1 < n and s[i + 1] == "(":
            j = _scan_word(s, i)
            toks.append(_Tok("word", s[i:j], i, j))
            i = j
            continue
        if c in ";&|()<>":
            for op in _OPS:
                if s.startswith(op, i):
                    break
            if op in _REDIRS:
                # an IO number right before the operator belongs to it
                if (
                    toks
                    and toks[-1].kind == "word"
                    and toks[-1].end == i
                    and toks[-1].text.isdigit()
                ):
                    prev = toks.pop()
                    tok = _Tok("redir", prev.text + op, prev.start, i + len(op))
                else:
                    tok = _Tok("redir", op, i, i + len(op))
                if op in ("<<", "<<-"):
                    tok.heredoc = _Heredoc(tok.start, "", op == "<<-", False)
                    want_delim = tok.heredoc
                toks.append(tok)
            else:
                toks.append(_Tok("op", op, i, i + len(op)))
            i += len(op)
            continue
        j = _scan_word(s, i)
        if j == i:  # defensive: never loop forever
            j = i + 1
        raw = s[i:j]
        toks.append(_Tok("word", raw, i, j))
        if want_delim is not None:
            want_delim.delimiter = unquote(raw)
            want_delim.quoted = any(q in raw for q in "'\"\\")
            pending.append(want_delim)
            want_delim = None
        i = j
    toks.append(_Tok("eof", "", n, n))
    return toks


_WORD_START = frozenset(chr(k) for k in range(1, 0x80)) - frozenset(" \t\n\\#([<>;&|)")
"""ASCII characters that start a word with nothing else to decide first (no blank, line
continuation, comment, newline, `((`, `[[`, `<(`, operator or redirection)."""


def _at_command_start(toks: list[_Tok]) -> bool:
    if not toks:
        return True
    last = toks[-1]
    if last.kind in ("nl",):
        return True
    if last.kind == "op":
        return last.text != ")"
    return last.kind == "word" and last.text in (
        "then",
        "do",
        "else",
        "elif",
        "if",
        "while",
        "until",
        "!",
        "{",
        "for",
        "time",
    )


def _read_heredocs(s: str, i: int, pending: list[_Heredoc]) -> int:
    n = len(s)
    for h in pending:
        h.body_start = i
        while i < n:
            j = s.find("\n", i)
            line_end = n if j < 0 else j
            line = s[i:line_end]
            check = line.lstrip("\t") if h.strip_tabs else line
            if check == h.delimiter:
                h.body_end = i
                h.end = min(line_end + 1, n)
                i = h.end
                break
            i = line_end + 1
        else:
            h.body_end = n
            h.end = n
            i = n
    return i


_DQ_ESCAPES = frozenset('"\\$`\n')


def unquote(raw: str) -> str:
    """Quote removal: `"a b"` -> `a b`, `'x'` -> `x`, `\\x` -> `x`; expansions stay as written."""
    if "'" not in raw and '"' not in raw and "\\" not in raw:
        return raw  # expansions stay as written: nothing to remove
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == "\\":
            if i + 1 < n and raw[i + 1] != "\n":
                out.append(raw[i + 1])
            i += 2
            continue
        if c == "'":
            j = raw.find("'", i + 1)
            j = n if j < 0 else j
            out.append(raw[i + 1 : j])
            i = j + 1
            continue
        if c == "$" and i + 1 < n and raw[i + 1] == "'":
            try:
                j = _skip_ansi(raw, i + 2)
            except ShellSyntaxError:
                j = n + 1
            out.append(
                raw[i + 2 : j - 1].replace("\\n", "\n").replace("\\t", "\t").replace("\\'", "'")
            )
            i = j
            continue
        if c == '"':
            i += 1
            while i < n and raw[i] != '"':
                ch = raw[i]
                if ch == "\\" and i + 1 < n and raw[i + 1] in _DQ_ESCAPES:
                    if raw[i + 1] != "\n":
                        out.append(raw[i + 1])
                    i += 2
                    continue
                if ch == "$" and i + 1 < n and raw[i + 1] in "({":
                    try:
                        j = (
                            _skip_paren(raw, i + 2)
                            if raw[i + 1] == "("
                            else _skip_brace(raw, i + 2)
                        )
                    except ShellSyntaxError:
                        j = n
                    out.append(raw[i:j])
                    i = j
                    continue
                if ch == "`":
                    try:
                        j = _skip_backtick(raw, i + 1)
                    except ShellSyntaxError:
                        j = n
                    out.append(raw[i:j])
                    i = j
                    continue
                out.append(ch)
                i += 1
            i += 1
            continue
        if c == "$" and i + 1 < n and raw[i + 1] in "({":
            try:
                j = _skip_paren(raw, i + 2) if raw[i + 1] == "(" else _skip_brace(raw, i + 2)
            except ShellSyntaxError:
                j = n
            out.append(raw[i:j])
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def split_words(text: str) -> tuple[str, ...]:
    """Split a command line into quote-removed words (no operators): for `[[ ]]` and flags."""
    words: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] in " \t\n":
            i += 1
            continue
        j = i
        while j < n and text[j] not in " \t\n":
            c = text[j]
            try:
                if c == "'":
                    j = _skip_squote(text, j + 1)
                    continue
                if c == '"':
                    j = _skip_dquote(text, j + 1)
                    continue
                if c == "$" and j + 1 < n and text[j + 1] == "(":
                    j = _skip_paren(text, j + 2)
                    continue
            except ShellSyntaxError:
                j = n
                break
            j += 2 if c == "\\" else 1
        words.append(unquote(text[i:j]))
        i = j
    return tuple(words)
