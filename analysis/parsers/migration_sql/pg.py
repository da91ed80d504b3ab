"""PostgreSQL files via libpg_query (pglast): splitting into statements, comments between them."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from analysis.lazy_re import lazy_compile
from analysis.parsers.migration_sql.pg_reader import _PG_HANDLERS, _PgStatementReader
from analysis.parsers.migration_sql.records import Action, K, Statement
from analysis.parsers.migration_sql.text import (
    _headers,
    _newlines,
    _problem,
    _skip_comments,
    _skip_to_code,
)
from analysis.parsers.problems import ParseProblem


def _pg_split(text: str) -> Iterator[tuple[int, int]]:
    """Statement ranges of PostgreSQL text, split on `;` outside strings, quoted names,
    dollar quotes and comments (used only when the whole file does not parse)."""
    i, start, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "'" or ch == '"':
            close = text.find(ch, i + 1)
            while close != -1 and text.startswith(ch * 2, close):
                close = text.find(ch, close + 2)
            i = n if close == -1 else close + 1
            continue
        if ch == "$":
            m = _DOLLAR.match(text, i)
            if m:
                close = text.find(m.group(0), m.end())
                i = n if close == -1 else close + len(m.group(0))
                continue
        if text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl == -1 else nl
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        if ch == ";":
            yield start, i
            start = i + 1
        i += 1
    if start < n:
        yield start, n


_DOLLAR = lazy_compile(r"\$[A-Za-z_]*\$")
_SKIPPABLE = frozenset(" \t\r\n\f\v-/")


def _parse_pg(path: str, text: str) -> tuple[list[Statement], list[ParseProblem]]:
    from analysis.parsers.migration_sql.pg_native import pg_parser  # not needed for other dialects

    pgparser = pg_parser()

    statements: list[Statement] = []
    problems: list[ParseProblem] = []
    newlines = _newlines(text, "\n")
    prev_end = 0
    functions: dict[str, list[Action]] = {}

    def add(
        begin: int,
        end: int,
        gap_start: int,
        kind_name: str,
        body: dict[str, Any],
        reader: _PgStatementReader | None,
        error: str | None,
        base_offset: int,
    ) -> None:
        gap = text[gap_start:begin]
        comments, headers = _GAP_CACHE.get(gap) or _gap_comments_cached(gap)
        body_text = text[begin:end].rstrip().rstrip(";").rstrip()
        line = bisect.bisect_left(newlines, begin) + 1
        col = begin - (text.rfind("\n", 0, begin) + 1) + 1
        if error is not None or reader is None:
            kind, actions = K.INVALID, [Action(K.INVALID, line, detail=error or "")]
        else:
            reader.start(begin, len(body_text), line, base_offset)
            handler = _PG_HANDLERS.get(kind_name)
            try:
                if handler is None:
                    kind, actions = K.OTHER, [Action(K.OTHER, line, detail=kind_name)]
                else:
                    kind, actions = handler(reader, body)
            except Exception as exc:  # an AST shape we did not foresee: keep the statement
                kind, actions = K.OTHER, [Action(K.OTHER, line, detail=f"{kind_name}: {exc}")]
            if kind_name == "CreateFunctionStmt" and len(actions) > 1:
                # a function's statements count where the migration calls it
                name = actions[0].name or ""
                functions[name.lower()] = [
                    replace(a, detail=a.detail.split("|", 1)[-1]) for a in actions[1:]
                ]
                actions = actions[:1]
            elif functions and kind_name in ("SelectStmt", "CallStmt", "DoStmt"):
                low = body_text.lower()
                for fname, body_actions in functions.items():
                    if re.search(rf"\b{re.escape(fname)}\s*\(", low):
                        actions = [*actions, *body_actions]
        statements.append(
            Statement(
                len(statements),
                kind,
                line,
                col,
                line + body_text.count("\n"),
                tuple(actions),
                headers,
                comments,
                body_text,
                error,
            )
        )

    def read_piece(piece: str, offset: int) -> None:
        nonlocal prev_end
        data = piece.encode("utf-8")
        ascii_only = len(data) == len(piece)

        def cpos(byte_pos: int) -> int:
            if ascii_only:
                return offset + byte_pos
            return offset + len(data[:byte_pos].decode("utf-8", "replace"))

        parsed = json.loads(pgparser.parse_sql_json(piece))
        reader = _PgStatementReader(text, newlines, data, offset, ascii_only)
        for raw in parsed.get("stmts") or ():
            loc = int(raw.get("stmt_location", 0))
            length = int(raw.get("stmt_len", 0)) or (len(data) - loc)
            if ascii_only:
                a, b = offset + loc, offset + loc + length
            else:
                a, b = cpos(loc), cpos(loc + length)
            begin = a if a < b and text[a] not in _SKIPPABLE else _skip_to_code(text, a, b)
            node = raw.get("stmt") or {}
            kind_name, body = next(iter(node.items())) if node else ("Empty", {})
            base = (begin - offset) if ascii_only else len(text[offset:begin].encode("utf-8"))
            add(begin, b, prev_end, kind_name, body, reader, None, base)
            prev_end = b

    try:
        read_piece(text, 0)
        return statements, problems
    except pgparser.ParseError:
        statements.clear()
        prev_end = 0
    # Some statement is invalid: split the text and parse each piece alone.
    for a, b in _pg_split(text):
        begin, _ = _skip_comments(text, a, b)
        if begin >= b:
            continue
        try:
            read_piece(text[a:b], a)
        except pgparser.ParseError as exc:
            msg = str(exc.args[0]) if exc.args else str(exc)
            at = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            if at is None:  # "at end of input": the error is where the statement stops
                err = a + len(text[a:b].rstrip())
            else:
                piece_bytes = text[a:b].encode("utf-8")
                err = a + len(piece_bytes[:at].decode("utf-8", "replace"))
            err_line = text.count("\n", 0, err) + 1
            err_col = err - (text.rfind("\n", 0, err) + 1) + 1
            add(begin, b, prev_end, "", {}, None, msg, 0)
            problems.append(_problem(path, err_line, err_col, msg))
        prev_end = b
    return statements, problems


_GAP_CACHE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_GAP_CACHED_CHARS = 256
"""Only gaps this short are remembered (Prisma's repeated ones are), so the cache holds at
most about 4,096 x 256 characters whatever the migrations hold."""


def _gap_comments_cached(gap: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The comments between two statements and the Prisma headers among them. Prisma writes
    the same few gaps (`;\n\n-- AddForeignKey\n`) over and over: they are remembered."""
    hit = _GAP_CACHE.get(gap)
    if hit is None:
        comments = _gap_comments(gap) if ("-" in gap or "/" in gap) else []
        hit = (tuple(comments), _headers(comments))
        if len(gap) <= _GAP_CACHED_CHARS:  # bounded in bytes: 4,096 short gaps
            if len(_GAP_CACHE) >= 4096:
                _GAP_CACHE.clear()
            _GAP_CACHE[gap] = hit
    return hit


_GAP_COMMENT = lazy_compile(r"--([^\n]*)|/\*(.*?)(?:\*/|\Z)", re.S)


def _gap_comments(gap: str) -> list[str]:
    """The comments in the text between two statements, in order."""
    return [(m.group(1) or m.group(2) or "").strip() for m in _GAP_COMMENT.finditer(gap)]
