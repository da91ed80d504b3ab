"""The syntax tree (one shape for both readers) and the recursive-descent parser over the tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analysis.lazy_re import lazy_compile
from analysis.parsers.shell.lexer import (
    MAX_NESTING,
    ShellNestingError,
    ShellSyntaxError,
    _find_double_close,
    _skip_backtick,
    _skip_paren,
    _skip_squote,
    split_words,
    tokenize,
    unquote,
)
from analysis.parsers.shell.words import _ASSIGN_RE, _NAME_RE
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.parsers.shell.lexer import _Heredoc, _Tok


# ---------------------------------------------------------------------------------------------
# Syntax tree (one shape for both parsers)
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Word:
    value: str
    start: int
    end: int
    subs: tuple[_Node, ...] = ()


@dataclass(slots=True, frozen=True)
class _Cmd:
    words: tuple[_Word, ...]
    assigns: tuple[_Word, ...]
    start: int
    end: int
    heredocs: tuple[_Heredoc, ...] = ()


@dataclass(slots=True, frozen=True)
class _Pipeline:
    items: tuple[_Node, ...]
    negated: bool
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _AndOr:
    items: tuple[_Node, ...]
    ops: tuple[str, ...]
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _Seq:
    items: tuple[_Node, ...]
    background: tuple[bool, ...]
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _If:
    arms: tuple[tuple[_Node | None, _Node], ...]
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _LoopNode:
    kind: str
    cond: _Node | None
    head_start: int
    head_end: int
    body: _Node
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _Case:
    subject: str
    subject_start: int
    clauses: tuple[tuple[tuple[str, ...], _Node | None, int], ...]
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _Group:
    body: _Node
    subshell: bool
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class _Func:
    name: str
    body: _Node
    start: int
    end: int


_Node = _Cmd | _Pipeline | _AndOr | _Seq | _If | _LoopNode | _Case | _Group | _Func


def _empty(pos: int) -> _Seq:
    return _Seq((), (), pos, pos)


# ---------------------------------------------------------------------------------------------
# Recursive-descent parser over the tokens (fallback for what bashlex cannot read)
# ---------------------------------------------------------------------------------------------

_RESERVED_STOP = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
_COMPOUND_WORDS = frozenset({"if", "while", "until", "for", "select", "case", "{", "function"})


class _Parser:
    def __init__(self, text: str, toks: list[_Tok], offset: int = 0, depth: int = 0) -> None:
        self.s = text
        self.toks = toks
        self.i = 0
        self.offset = offset
        self.depth = depth
        """Nesting of compound commands and substitutions around the current token."""

    # -- helpers ---------------------------------------------------------------------------
    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> _Tok:
        j = min(self.i + k, len(self.toks) - 1)
        return self.toks[j]

    def is_word(self, *values: str) -> bool:
        t = self.toks[self.i]
        return t.kind == "word" and t.text in values

    def is_op(self, *values: str) -> bool:
        t = self.toks[self.i]
        return t.kind == "op" and t.text in values

    def skip_newlines(self) -> None:
        toks, i = self.toks, self.i
        while toks[i].kind == "nl":
            i += 1
        self.i = i

    def skip_separators(self) -> None:
        toks, i = self.toks, self.i
        while True:
            t = toks[i]
            if t.kind == "nl" or (t.kind == "op" and t.text == ";"):
                i += 1
            else:
                break
        self.i = i

    def expect_word(self, value: str, opener: _Tok) -> _Tok:
        self.skip_separators()
        if not self.is_word(value):
            raise ShellSyntaxError(
                opener.start,
                f"`{opener.text}` without a matching `{value}`"
                if self.tok.kind == "eof"
                else f"expected `{value}` for the `{opener.text}`, found `{self.tok.text.strip() or 'end of line'}`",
            )
        t = self.tok
        self.i += 1
        return t

    def pos(self, p: int) -> int:
        return p + self.offset

    # -- grammar ---------------------------------------------------------------------------
    def statements(self) -> Iterator[tuple[_Node, bool]]:
        """Top-level complete commands, one by one (so an error stops only at its statement)."""
        while True:
            self.skip_separators()
            if self.tok.kind == "eof":
                return
            if self.tok.kind == "word" and self.tok.text in _RESERVED_STOP:
                raise ShellSyntaxError(self.tok.start, f"unexpected `{self.tok.text}`")
            if self.is_op(")", ";;", ";&", ";;&"):
                raise ShellSyntaxError(self.tok.start, f"unexpected `{self.tok.text}`")
            node = self.and_or()
            bg = False
            if self.is_op("&"):
                bg = True
                self.i += 1
            elif self.is_op(";"):
                self.i += 1
            elif self.tok.kind not in ("nl", "eof"):
                raise ShellSyntaxError(self.tok.start, f"unexpected `{self.tok.text}`")
            yield node, bg

    def list_until(
        self, stop_words: frozenset[str], stop_ops: frozenset[str] = frozenset()
    ) -> _Seq:
        items: list[_Node] = []
        bgs: list[bool] = []
        start = self.tok.start
        while True:
            self.skip_separators()
            t = self.tok
            if t.kind == "eof":
                break
            if t.kind == "word" and t.text in stop_words:
                break
            if t.kind == "op" and t.text in stop_ops:
                break
            if t.kind == "word" and t.text in _RESERVED_STOP:
                raise ShellSyntaxError(t.start, f"unexpected `{t.text}`")
            if t.kind == "op" and t.text in (")", ";;", ";&", ";;&"):
                raise ShellSyntaxError(t.start, f"unexpected `{t.text}`")
            node = self.and_or()
            items.append(node)
            bg = False
            if self.is_op("&"):
                bg = True
                self.i += 1
            elif self.is_op(";"):
                self.i += 1
            bgs.append(bg)
        end = items[-1].end if items else self.pos(start)
        first = items[0].start if items else self.pos(start)
        return _Seq(tuple(items), tuple(bgs), first, end)

    def and_or(self) -> _Node:
        first = self.pipeline()
        t = self.toks[self.i]
        if t.kind != "op" or t.text not in ("&&", "||"):
            return first
        items = [first]
        ops: list[str] = []
        while self.is_op("&&", "||"):
            ops.append(self.tok.text)
            self.i += 1
            self.skip_newlines()
            items.append(self.pipeline())
        return _AndOr(tuple(items), tuple(ops), first.start, items[-1].end)

    def pipeline(self) -> _Node:
        negated = False
        toks = self.toks
        t = toks[self.i]
        start = t.start
        while t.kind == "word" and t.text == "!":
            negated = not negated
            self.i += 1
            t = toks[self.i]
        if t.kind == "word" and t.text == "time":
            self.i += 1
            while self.tok.kind == "word" and self.tok.text.startswith("-"):
                self.i += 1
        first = self.command()
        t = toks[self.i]
        if t.kind != "op" or t.text not in ("|", "|&"):
            if not negated:
                return first
            return _Pipeline((first,), negated, self.pos(start), first.end)
        items = [first]
        while self.is_op("|", "|&"):
            self.i += 1
            self.skip_newlines()
            items.append(self.command())
        return _Pipeline(tuple(items), negated, self.pos(start), items[-1].end)

    def command(self) -> _Node:
        toks = self.toks
        t = toks[self.i]
        if t.kind == "word":
            kw = t.text
            if kw not in _COMPOUND_WORDS:
                nxt = toks[self.i + 1]  # a word is never the last token (eof is)
                if nxt.kind != "op" or nxt.text != "(":
                    return self.simple()
        elif t.kind != "op" or t.text != "(":
            return self.simple() if t.kind in ("arith", "cond", "redir") else self.compound(t)
        if self.depth >= MAX_NESTING:
            raise ShellNestingError(self.pos(t.start))
        self.depth += 1
        try:
            return self.compound(t)
        finally:
            self.depth -= 1

    def compound(self, t: _Tok) -> _Node:
        node: _Node
        if t.kind == "word":
            kw = t.text
            if kw == "if":
                node = self.if_()
            elif kw in ("while", "until"):
                node = self.while_()
            elif kw in ("for", "select"):
                node = self.for_()
            elif kw == "case":
                node = self.case_()
            elif kw == "{":
                self.i += 1
                body = self.list_until(frozenset({"}"}))
                end = self.expect_word("}", t)
                node = _Group(body, False, self.pos(t.start), self.pos(end.end))
            elif kw == "function":
                node = self.function_()
            elif (
                self.peek().kind == "op"
                and self.peek().text == "("
                and self.peek(2).kind == "op"
                and self.peek(2).text == ")"
                and _NAME_RE.match(kw.replace("-", "_").replace(":", "_").replace(".", "_"))
            ):
                self.i += 3
                self.skip_newlines()
                fbody = self.command()
                node = _Func(kw, fbody, self.pos(t.start), fbody.end)
            else:
                return self.simple()
        elif t.kind == "op" and t.text == "(":
            self.i += 1
            body = self.list_until(frozenset(), frozenset({")"}))
            if not self.is_op(")"):
                raise ShellSyntaxError(t.start, "`(` without a matching `)`")
            end = self.tok
            self.i += 1
            node = _Group(body, True, self.pos(t.start), self.pos(end.end))
        elif t.kind in ("arith", "cond", "redir"):
            return self.simple()
        else:
            raise ShellSyntaxError(t.start, f"unexpected `{t.text.strip() or 'end of line'}`")
        # redirections after a compound command
        heredocs: list[_Heredoc] = []
        while self.tok.kind == "redir":
            r = self.tok
            self.i += 1
            if r.heredoc is not None:
                heredocs.append(r.heredoc)
            if self.tok.kind == "word":
                self.i += 1
        return node

    def simple(self) -> _Node:
        words: list[_Word] = []
        assigns: list[_Word] = []
        heredocs: list[_Heredoc] = []
        toks = self.toks
        off = self.offset
        start = toks[self.i].start
        end = start
        while True:
            t = toks[self.i]
            if t.kind == "word":
                text = t.text
                subs = (
                    tuple(_substitutions(self.s, t.start, t.end, off, self.depth))
                    if "$(" in text or "`" in text
                    else ()
                )
                word = _Word(unquote(text), t.start + off, t.end + off, subs)
                if not words and _ASSIGN_RE.match(text):
                    assigns.append(word)
                else:
                    words.append(word)
                end = t.end
                self.i += 1
                continue
            if t.kind == "redir":
                self.i += 1
                end = t.end
                if t.heredoc is not None:
                    heredocs.append(t.heredoc)
                if self.tok.kind == "word":
                    end = self.tok.end
                    self.i += 1
                continue
            if t.kind == "arith":
                words.append(_Word("((", self.pos(t.start), self.pos(t.start + 2)))
                words.append(
                    _Word(t.text[2:-2].strip(), self.pos(t.start + 2), self.pos(t.end - 2))
                )
                end = t.end
                self.i += 1
                continue
            if t.kind == "cond":
                inner = split_words(t.text[2:-2])
                words.append(_Word("[[", self.pos(t.start), self.pos(t.start + 2)))
                words.extend(_Word(w, self.pos(t.start), self.pos(t.end)) for w in inner)
                words.append(_Word("]]", self.pos(t.end - 2), self.pos(t.end)))
                end = t.end
                self.i += 1
                continue
            break
        if not words and not assigns and not heredocs:
            raise ShellSyntaxError(
                self.tok.start, f"unexpected `{self.tok.text.strip() or 'end of line'}`"
            )
        return _Cmd(tuple(words), tuple(assigns), self.pos(start), self.pos(end), tuple(heredocs))

    def if_(self) -> _If:
        opener = self.tok
        self.i += 1
        arms: list[tuple[_Node | None, _Node]] = []
        cond = self.list_until(frozenset({"then"}))
        self.expect_word("then", opener)
        body = self.list_until(frozenset({"elif", "else", "fi"}))
        arms.append((cond, body))
        while True:
            self.skip_separators()
            if self.is_word("elif"):
                el = self.tok
                self.i += 1
                cond = self.list_until(frozenset({"then"}))
                self.expect_word("then", el)
                body = self.list_until(frozenset({"elif", "else", "fi"}))
                arms.append((cond, body))
                continue
            if self.is_word("else"):
                self.i += 1
                body = self.list_until(frozenset({"fi"}))
                arms.append((None, body))
            break
        end = self.expect_word("fi", opener)
        return _If(tuple(arms), self.pos(opener.start), self.pos(end.end))

    def while_(self) -> _LoopNode:
        opener = self.tok
        self.i += 1
        head_start = self.tok.start
        cond = self.list_until(frozenset({"do"}))
        head_end = self.tok.start
        self.expect_word("do", opener)
        body = self.list_until(frozenset({"done"}))
        end = self.expect_word("done", opener)
        return _LoopNode(
            opener.text,
            cond,
            self.pos(head_start),
            self.pos(head_end),
            body,
            self.pos(opener.start),
            self.pos(end.end),
        )

    def for_(self) -> _LoopNode:
        opener = self.tok
        self.i += 1
        head_start = self.tok.start
        if self.tok.kind == "arith":
            self.i += 1
        else:
            if self.tok.kind != "word":
                raise ShellSyntaxError(opener.start, "`for` without a variable name")
            self.i += 1
            self.skip_newlines()
            if self.is_word("in"):
                self.i += 1
                while self.tok.kind == "word":
                    self.i += 1
        head_end = self.tok.start
        self.skip_separators()
        if self.is_word("{"):
            brace = self.tok
            self.i += 1
            body = self.list_until(frozenset({"}"}))
            end = self.expect_word("}", brace)
        else:
            self.expect_word("do", opener)
            body = self.list_until(frozenset({"done"}))
            end = self.expect_word("done", opener)
        return _LoopNode(
            "for",
            None,
            self.pos(head_start),
            self.pos(head_end),
            body,
            self.pos(opener.start),
            self.pos(end.end),
        )

    def case_(self) -> _Case:
        opener = self.tok
        self.i += 1
        if self.tok.kind != "word":
            raise ShellSyntaxError(opener.start, "`case` without a word")
        subject = self.tok
        self.i += 1
        self.skip_newlines()
        if not self.is_word("in"):
            raise ShellSyntaxError(opener.start, "`case` without `in`")
        self.i += 1
        clauses: list[tuple[tuple[str, ...], _Node | None, int]] = []
        while True:
            self.skip_newlines()
            if self.is_word("esac"):
                end = self.tok
                self.i += 1
                break
            if self.tok.kind == "eof":
                raise ShellSyntaxError(opener.start, "`case` without a matching `esac`")
            clause_start = self.tok.start
            if self.is_op("("):
                self.i += 1
            patterns: list[str] = []
            while self.tok.kind == "word":
                patterns.append(self.tok.text)
                self.i += 1
                if self.is_op("|"):
                    self.i += 1
                    continue
                break
            if not self.is_op(")"):
                raise ShellSyntaxError(
                    self.tok.start, f"expected `)` after the case pattern, found `{self.tok.text}`"
                )
            self.i += 1
            body = self.list_until(frozenset({"esac"}), frozenset({";;", ";&", ";;&"}))
            clauses.append((tuple(patterns), body, self.pos(clause_start)))
            if self.is_op(";;", ";&", ";;&"):
                self.i += 1
        return _Case(
            unquote(subject.text),
            self.pos(subject.start),
            tuple(clauses),
            self.pos(opener.start),
            self.pos(end.end),
        )

    def function_(self) -> _Func:
        opener = self.tok
        self.i += 1
        if self.tok.kind != "word":
            raise ShellSyntaxError(opener.start, "`function` without a name")
        name = self.tok.text
        self.i += 1
        if self.is_op("(") and self.peek().kind == "op" and self.peek().text == ")":
            self.i += 2
        self.skip_newlines()
        body = self.command()
        return _Func(name, body, self.pos(opener.start), body.end)


def _substitutions(s: str, start: int, end: int, offset: int, depth: int = 0) -> Iterator[_Node]:
    """Parse every `$(...)`/backtick inside the word s[start:end] (`depth`: the nesting around
    the word)."""
    if (
        depth == 0
        and s.count("$(", start, end) > MAX_NESTING
        and _paren_depth(s, start, end) > (2 * MAX_NESTING)
    ):
        # each level would re-read the text inside it: refuse before reading it 50 times
        raise ShellNestingError(offset + start)
    i = start
    while i < end:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and not _inside_dquote(s, start, i):
            try:
                i = _skip_squote(s, i + 1)
            except ShellSyntaxError:
                return
            continue
        if c == "$" and s.startswith("$((", i):
            j = _find_double_close(s, i + 3)
            i = j if j > 0 else i + 3
            continue
        if c == "$" and s.startswith("$(", i):
            try:
                j = _skip_paren(s, i + 2)
            except ShellSyntaxError:
                return
            node = _parse_fragment(s[i + 2 : j - 1], offset + i + 2, depth)
            if node is not None:
                yield node
            i = j
            continue
        if c == "`":
            try:
                j = _skip_backtick(s, i + 1)
            except ShellSyntaxError:
                return
            node = _parse_fragment(s[i + 1 : j - 1].replace("\\`", "`"), offset + i + 1, depth)
            if node is not None:
                yield node
            i = j
            continue
        i += 1


_PARENS = lazy_compile(r"[()]")


def _paren_depth(s: str, start: int, end: int) -> int:
    """The deepest nesting of parentheses in s[start:end], quotes ignored (a quick upper
    bound of the nesting of `$(...)`)."""
    depth = deepest = 0
    for m in _PARENS.finditer(s, start, end):
        if m.group() == "(":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _inside_dquote(s: str, start: int, i: int) -> bool:
    return s.count('"', start, i) % 2 == 1


def _parse_fragment(text: str, offset: int, depth: int = 0) -> _Node | None:
    """The commands of a substitution's text (None when unreadable); nesting too deep raises
    `ShellNestingError` at `offset`, so that the statement around it is reported."""
    if depth >= MAX_NESTING:
        raise ShellNestingError(offset)
    try:
        p = _Parser(text, tokenize(text), offset, depth + 1)
        items = list(p.statements())
    except ShellNestingError:
        raise
    except ShellSyntaxError:
        return None
    if not items:
        return None
    return _Seq(
        tuple(n for n, _ in items),
        tuple(b for _, b in items),
        items[0][0].start,
        items[-1][0].end,
    )
