"""Dockerfile words: splitting, quotes, variable expansion, exec form, paths."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping

from analysis.lazy_re import lazy_compile


# -- words, quotes, variables --------------------------------------------------------------
def split_words(text: str, escape: str = "\\") -> list[str]:
    """Split like BuildKit's parseWords: whitespace separates words, quotes and the escape
    character are kept in the words (remove them with `unquote`)."""
    words: list[str] = []
    word: list[str] = []
    in_word = False
    quote = ""
    blank_ok = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'" and i + 1 < n:
                word.append(ch)
                i += 1
                ch = text[i]
            word.append(ch)
            i += 1
            continue
        if ch.isspace():
            if in_word and (word or blank_ok):
                words.append("".join(word))
            word = []
            in_word = False
            blank_ok = False
            i += 1
            continue
        in_word = True
        if ch in "'\"":
            quote = ch
            blank_ok = True
        elif ch == escape:
            if i + 1 >= n:
                i += 1
                continue
            word.append(ch)
            i += 1
            ch = text[i]
        word.append(ch)
        i += 1
    if in_word and (word or blank_ok):
        words.append("".join(word))
    return words


_VAR = lazy_compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?])(?P<word>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def expand(
    text: str, env: Mapping[str, str | None], escape: str = "\\", keep_unknown: bool = False
) -> str:
    """Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` with `env` (unset: empty,
    or, with `keep_unknown`, the reference as written when `env` has no value for it)."""
    if "$" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        start = m.start()
        if start > 0 and text[start - 1] == escape:
            return m.group(0)
        name = m["braced"] or m["plain"]
        value = env.get(name)
        op = m["op"]
        if keep_unknown and value is None and (op is None or not op.endswith("-")):
            return m.group(0)
        if op is None:
            return value or ""
        word = m["word"] or ""
        unset = value is None or (op.startswith(":") and value == "")
        if op.endswith("-"):
            return expand(word, env, escape, keep_unknown) if unset else (value or "")
        if op.endswith("+"):
            return "" if unset else expand(word, env, escape, keep_unknown)
        return value or ""

    return _VAR.sub(sub, text)


def unquote(word: str, escape: str = "\\", env: Mapping[str, str | None] | None = None) -> str:
    """Remove quotes and escapes from a word; with `env`, expand variables outside '...'."""
    out: list[str] = []
    seg: list[str] = []
    i = 0
    n = len(word)

    def flush(expandable: bool) -> None:
        if seg:
            s = "".join(seg)
            out.append(expand(s, env, escape) if (env is not None and expandable) else s)
            seg.clear()

    while i < n:
        ch = word[i]
        if ch == "'":
            flush(True)
            j = word.find("'", i + 1)
            j = n if j < 0 else j
            out.append(word[i + 1 : j])
            i = j + 1
            continue
        if ch == '"':
            flush(True)
            i += 1
            while i < n and word[i] != '"':
                if word[i] == escape and i + 1 < n and word[i + 1] in ('"', escape, "$"):
                    if word[i + 1] == "$":
                        seg.append(escape)
                    seg.append(word[i + 1])
                    i += 2
                    continue
                seg.append(word[i])
                i += 1
            flush(True)
            i += 1
            continue
        if ch == escape and i + 1 < n:
            if word[i + 1] == "$":
                seg.append(escape)
            seg.append(word[i + 1])
            i += 2
            continue
        seg.append(ch)
        i += 1
    flush(True)
    result = "".join(out)
    if escape + "$" in result:
        result = result.replace(escape + "$", "$")
    return result


def _shell_test(text: str) -> bool:
    """`[ -n "$X" ] && ...`: a shell form that starts with the `[` test command (a word of
    its own, closed by a `]` word, no commas as in an array), not a broken exec form."""
    words = text.split()
    return (
        len(words) > 1
        and words[0] == "["
        and "]" in words
        and not any(w.endswith(",") for w in words[: words.index("]")])
    )


def _exec_form(text: str) -> tuple[str, ...] | None:
    """The JSON array of strings `text` holds, or None."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _abs_path(path: str, workdir: str) -> str:
    if not path:
        return workdir
    joined = path if path.startswith("/") else posixpath.join(workdir or "/", path)
    norm = posixpath.normpath(joined)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    return norm
