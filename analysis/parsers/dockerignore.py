""".dockerignore with Docker's own semantics (moby/patternmatcher), every pattern with its line.

What Docker does, and this module does the same:

- a line whose first character is `#` is a comment (`  # x` is a pattern); blank lines skip;
- surrounding whitespace is trimmed; a leading `!` re-includes (whitespace after it trimmed);
- each pattern is cleaned like Go's `filepath.Clean` and a leading `/` is dropped, so `/foo`,
  `./foo` and `foo/` all mean `foo`;
- `*` and `?` never cross `/`; `**` matches any number of directories (also none); a pattern
  ending in `**` matches everything below its prefix; `\\` escapes the next character;
- a pattern matches a path when it matches the path itself or one of its parent directories,
  so excluding a directory excludes everything under it, and a later `!dir/file` still
  re-includes a file below it (unlike git);
- the last pattern that matches decides.

`effective_dockerignore(dockerfile, context, exists)` names the file a build uses:
`<Dockerfile>.dockerignore` beside the Dockerfile wins over `<context>/.dockerignore`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import field
from enum import Enum

from analysis.model import Location
from analysis.parsers.gitignore import class_items_regex
from analysis.parsers.problems import ParseProblem, ProblemKind
from analysis.records import dataclass
from analysis.sources import SourceFile


class MatchKind(Enum):
    EXACT = "exact"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    REGEX = "regex"


@dataclass(slots=True, frozen=True)
class IgnorePattern:
    """One pattern of an ignore file. `negated` is a `!` pattern (it re-includes)."""

    path: str
    line: int
    text: str
    pattern: str
    negated: bool
    kind: MatchKind = MatchKind.EXACT
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)

    @property
    def shown(self) -> str:
        """The pattern as the file has it (stripped)."""
        return self.text

    def matches_exactly(self, rel: str) -> bool:
        """Whether the pattern matches `rel` itself (not one of its parents)."""
        if self.kind is MatchKind.EXACT:
            return rel == self.pattern
        if self.kind is MatchKind.PREFIX:
            return rel.startswith(self.pattern[:-2])
        if self.kind is MatchKind.SUFFIX:
            suffix = self.pattern[2:]
            if rel.endswith(suffix):
                return True
            return suffix.startswith("/") and rel == suffix[1:]
        return self.regex is not None and self.regex.match(rel) is not None

    def matches(self, rel: str) -> bool:
        """Whether the pattern matches `rel` or one of its parent directories."""
        if self.matches_exactly(rel):
            return True
        parent = posixpath.dirname(rel)
        if not parent or parent == ".":
            return False
        parts = parent.split("/")
        return any(self.matches_exactly("/".join(parts[: i + 1])) for i in range(len(parts)))


@dataclass(slots=True, frozen=True)
class DockerIgnore:
    """A parsed .dockerignore. Paths asked about are relative to the build context."""

    path: str
    patterns: tuple[IgnorePattern, ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    def decide(self, rel: str) -> tuple[bool, IgnorePattern | None]:
        """(excluded, the pattern that decided it) for a context-relative path."""
        rel = clean_rel(rel)
        if rel in (".", ""):
            return (False, None)  # Docker never excludes the context itself
        matched = False
        decider: IgnorePattern | None = None
        for pat in self.patterns:
            # an exclusion only matters while not excluded, a `!` only while excluded
            if pat.negated != matched:
                continue
            if pat.matches(rel):
                matched = not pat.negated
                decider = pat
        return (matched, decider)

    def excluded(self, rel: str) -> bool:
        return self.decide(rel)[0]

    def matching_line(self, rel: str) -> IgnorePattern | None:
        """The pattern that decided whether `rel` is excluded (a `!` one when it re-includes),
        or None when no pattern matches."""
        return self.decide(rel)[1]


def go_clean(path: str) -> str:
    """Go's `path.Clean`: collapse slashes, drop `.`, resolve `..`, no trailing slash."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def clean_rel(rel: str) -> str:
    rel = go_clean(rel.replace("\\", "/"))
    return rel[1:] if rel.startswith("/") and len(rel) > 1 else rel


_REGEX_SPECIAL = frozenset(".+()|{}$^")


def compile_pattern(pattern: str) -> tuple[MatchKind, re.Pattern[str] | None]:
    """Translate a cleaned pattern the way patternmatcher's `compile` does."""
    out = ["^"]
    kind = MatchKind.EXACT
    i = 0
    n = len(pattern)
    first = True
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                if i >= n:
                    if kind is MatchKind.EXACT:
                        kind = MatchKind.PREFIX
                    else:
                        out.append(".*")
                        kind = MatchKind.REGEX
                else:
                    out.append("(?:.*/)?")
                    kind = MatchKind.REGEX
                if first:
                    kind = MatchKind.SUFFIX
            else:
                out.append("[^/]*")
                kind = MatchKind.REGEX
        elif ch == "?":
            out.append("[^/]")
            kind = MatchKind.REGEX
        elif ch in _REGEX_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append(re.escape(pattern[i]))
                i += 1
                kind = MatchKind.REGEX
            else:
                out.append("\\\\")
        elif ch == "[":
            regex, i = _char_class(pattern, i)
            out.append(regex)
            kind = MatchKind.REGEX
        elif ch == "]":
            out.append("\\]")
            kind = MatchKind.REGEX
        else:
            out.append(re.escape(ch))
        first = False
    if kind is not MatchKind.REGEX:
        return kind, None
    out.append("$")
    return kind, re.compile("".join(out), re.DOTALL)


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    """The class that starts after the `[` at `i - 1` (Go regexp syntax: `^` negates, `\\`
    escapes, `a-z` ranges), as a Python regex and the index after its `]`."""
    n = len(pattern)
    negate = i < n and pattern[i] == "^"
    if negate:
        i += 1
    items: list[str | tuple[str, str]] = []
    first = True
    while i < n and (pattern[i] != "]" or first):
        first = False
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            i += 1
            c = pattern[i]
        if (
            c == "-"
            and items
            and isinstance(items[-1], str)
            and i + 1 < n
            and pattern[i + 1] != "]"
        ):
            hi = pattern[i + 1]
            step = 2
            if hi == "\\" and i + 2 < n:
                hi, step = pattern[i + 2], 3
            lo = items.pop()
            assert isinstance(lo, str)
            if lo > hi:
                raise re.error(f"invalid range {lo}-{hi}")
            items.append((lo, hi))
            i += step
            continue
        items.append(c)
        i += 1
    body = class_items_regex(items)
    if not body:
        return ("[^/]" if negate else "(?!)", i + 1)
    return ("[" + ("^" if negate else "") + body + "]", i + 1)


def _bad_class(pattern: str) -> str | None:
    """Go's filepath.Match syntax check for character classes: unterminated `[`."""
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                return "an empty character class"
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                return "an unterminated character class `[`"
            i = j + 1
            continue
        i += 1
    return None


def parse_dockerignore(source: SourceFile) -> DockerIgnore:
    """Parse a .dockerignore. Never raises: a pattern Docker rejects is a parse problem (Docker
    then fails the build) and is left out."""
    patterns: list[IgnorePattern] = []
    problems: list[ParseProblem] = []
    for number, raw in enumerate(source.text.split("\n"), start=1):
        if raw.startswith("#"):
            continue
        text = raw.strip()
        if not text:
            continue
        negated = text.startswith("!")
        body = text[1:].strip() if negated else text
        if negated and not body:
            problems.append(
                ParseProblem(
                    ProblemKind.INVALID,
                    f"illegal exclusion pattern {text!r} in {source.path}: Docker rejects the file",
                    Location(source.path, number),
                )
            )
            continue
        pattern = go_clean(body)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
        why = _bad_class(pattern)
        kind, regex = MatchKind.EXACT, None
        if why is None:
            try:
                kind, regex = compile_pattern(pattern)
            except re.error as exc:
                why = f"a bad pattern ({exc})"
        if why is not None:
            problems.append(
                ParseProblem(
                    ProblemKind.INVALID,
                    f"pattern {text!r} in {source.path} has {why}: Docker rejects the file",
                    Location(source.path, number),
                )
            )
            continue
        patterns.append(IgnorePattern(source.path, number, text, pattern, negated, kind, regex))
    return DockerIgnore(source.path, tuple(patterns), tuple(problems))


def dockerignore_candidates(dockerfile: str, context: str) -> tuple[str, str]:
    """The two files BuildKit looks at, in order: `<Dockerfile>.dockerignore` beside the
    Dockerfile, then `<context>/.dockerignore`. Paths are root-relative."""
    ctx_file = ".dockerignore" if context in ("", ".") else f"{context}/.dockerignore"
    return (f"{dockerfile}.dockerignore", ctx_file)


def effective_dockerignore(
    dockerfile: str, context: str, exists: Callable[[str], bool]
) -> str | None:
    """The ignore file a build of `dockerfile` with `context` uses, or None when there is none."""
    for candidate in dockerignore_candidates(dockerfile, context):
        if exists(candidate):
            return candidate
    return None
