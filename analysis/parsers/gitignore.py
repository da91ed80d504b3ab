""".gitignore files with git's semantics, every pattern with its line.

What git does (gitignore(5), dir.c, wildmatch.c), and this module does the same:

- `#` at the start of a line is a comment, `\\#` a literal `#`; blank lines separate nothing;
  trailing spaces are dropped unless escaped with `\\`;
- `!` negates (re-includes), `\\!` is a literal `!`;
- a trailing `/` makes the pattern match directories only;
- a pattern with a `/` at its start or in its middle is anchored to the folder of its
  .gitignore; otherwise it matches a name at any depth below that folder;
- `*`, `?` and `[...]` never match `/`; `**/` at the start matches in every directory, `/**` at
  the end everything inside, `/**/` zero or more directories; other `**` act like `*`;
- inside one file the last matching line decides; a deeper .gitignore overrides a higher one;
  `.git/info/exclude` has the lowest precedence;
- a file below an excluded directory stays excluded: git never looks inside it, so a `!` cannot
  re-include it (nor does a .gitignore inside that directory count).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import field

from analysis.context import Context
from analysis.model import Location
from analysis.parsers.problems import ParseProblem
from analysis.records import dataclass
from analysis.sources import FileKind, SourceFile


@dataclass(slots=True, frozen=True)
class GitignorePattern:
    """One pattern. `base` is the folder of its file ("" for the root, and for info/exclude)."""

    path: str
    base: str
    line: int
    text: str
    pattern: str
    negated: bool
    dir_only: bool
    anchored: bool
    regex: re.Pattern[str] = field(compare=False, repr=False)

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)

    def matches(self, rel: str, is_dir: bool = False) -> bool:
        """Whether this pattern matches the root-relative path `rel` itself."""
        if self.dir_only and not is_dir:
            return False
        if self.base:
            if not rel.startswith(self.base + "/"):
                return False
            rel = rel[len(self.base) + 1 :]
        target = rel if self.anchored else rel.rsplit("/", 1)[-1]
        return self.regex.match(target) is not None


@dataclass(slots=True, frozen=True)
class GitignoreFile:
    path: str
    base: str
    patterns: tuple[GitignorePattern, ...] = ()
    problems: tuple[ParseProblem, ...] = ()


def wildmatch_regex(pattern: str) -> re.Pattern[str]:
    """git's wildmatch with WM_PATHNAME, as a regular expression over a whole path."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            stars = j - i
            whole = (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/")
            if stars >= 2 and whole:
                if j == n:
                    out.append(".*")
                    i = j
                else:
                    out.append("(?:.*/)?")
                    i = j + 1
                continue
            out.append("[^/]*")
            i = j
            continue
        if ch == "?":
            out.append("[^/]")
            i += 1
            continue
        if ch == "[":
            cls = _char_class(pattern, i)
            if cls is not None:
                regex, i = cls
                out.append(regex)
                continue
            out.append(re.escape(ch))
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "lower": "a-z",
    "upper": "A-Z",
    "space": r" \t\n\r\f\v",
    "xdigit": "0-9a-fA-F",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "blank": r" \t",
}


def class_items_regex(items: list[str | tuple[str, str]]) -> str:
    """A regex class body from single characters and (low, high) ranges, every character
    escaped (no accidental set operations); reversed ranges match nothing and are dropped."""
    out: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            lo, hi = item
            if lo <= hi:
                out.append(f"{re.escape(lo)}-{re.escape(hi)}")
        else:
            out.append(item if item.startswith("\\") and len(item) > 2 else re.escape(item))
    return "".join(out)


def _char_class(pattern: str, start: int) -> tuple[str, int] | None:
    """`[...]` at `start` as a regex class (and the index after it), or None if unterminated."""
    i = start + 1
    n = len(pattern)
    negate = False
    if i < n and pattern[i] in "!^":
        negate = True
        i += 1
    items: list[str | tuple[str, str]] = []
    extra: list[str] = []
    first = True
    while i < n:
        c = pattern[i]
        if c == "]" and not first:
            body = class_items_regex(items) + "".join(extra)
            if not body:
                return ("[^/]" if negate else "(?!)", i + 1)
            return ("[" + ("^/" if negate else "") + body + "]", i + 1)
        first = False
        if c == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            if end > 0 and pattern[i + 2 : end] in _POSIX_CLASSES:
                extra.append(_POSIX_CLASSES[pattern[i + 2 : end]])
                i = end + 2
                continue
        if c == "\\" and i + 1 < n:
            c = pattern[i + 1]
            i += 1
        # a range: the previous item is a single character and a character follows the `-`
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
                hi = pattern[i + 2]
                step = 3
            lo = items.pop()
            assert isinstance(lo, str)
            items.append((lo, hi))
            i += step
            continue
        items.append(c)
        i += 1
    return None


def _strip_trailing_spaces(line: str) -> str:
    end = len(line)
    while end > 0 and line[end - 1] == " ":
        # count the backslashes before this space: an odd number escapes it
        k = end - 1
        slashes = 0
        while k > 0 and line[k - 1] == "\\":
            slashes += 1
            k -= 1
        if slashes % 2 == 1:
            break
        end -= 1
    return line[:end]


def parse_gitignore_text(text: str, path: str, base: str) -> GitignoreFile:
    patterns: list[GitignorePattern] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = _strip_trailing_spaces(raw.rstrip("\r"))
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        body = line[1:] if negated else line
        dir_only = body.endswith("/")
        if dir_only:
            body = body.rstrip("/")
        if not body:
            continue
        anchored = "/" in body
        if body.startswith("/"):
            body = body[1:]
        if not body:
            continue
        try:
            regex = wildmatch_regex(body)
        except re.error:
            continue
        patterns.append(
            GitignorePattern(path, base, number, line, body, negated, dir_only, anchored, regex)
        )
    return GitignoreFile(path, base, tuple(patterns))


def parse_gitignore(source: SourceFile) -> GitignoreFile:
    """Parse a .gitignore; its patterns apply to the folder it is in."""
    base = posixpath.dirname(source.path)
    return parse_gitignore_text(source.text, source.path, "" if base == "." else base)


def parse_git_exclude(source: SourceFile) -> GitignoreFile:
    """Parse `.git/info/exclude`: patterns relative to the root."""
    return parse_gitignore_text(source.text, source.path, "")


class GitignoreMatcher:
    """All of a project's ignore files. `ignored(path)` answers as `git check-ignore` would."""

    __slots__ = ("_by_base", "_cache", "exclude", "files")

    def __init__(self, files: tuple[GitignoreFile, ...], exclude: GitignoreFile | None = None):
        self.files = files
        self.exclude = exclude
        self._by_base: dict[str, list[GitignoreFile]] = {}
        for f in files:
            self._by_base.setdefault(f.base, []).append(f)
        self._cache: dict[tuple[str, bool], GitignorePattern | None] = {}

    @property
    def patterns(self) -> tuple[GitignorePattern, ...]:
        out: list[GitignorePattern] = []
        if self.exclude is not None:
            out.extend(self.exclude.patterns)
        for f in self.files:
            out.extend(f.patterns)
        return tuple(out)

    def _last_match(self, rel: str, is_dir: bool) -> GitignorePattern | None:
        """The pattern that decides `rel` at its own level (a negated one when re-included)."""
        bases = [""]
        parts = rel.split("/")
        bases.extend("/".join(parts[:i]) for i in range(1, len(parts)))
        found: GitignorePattern | None = None
        if self.exclude is not None:
            for pat in self.exclude.patterns:
                if pat.matches(rel, is_dir):
                    found = pat
        for base in bases:
            for f in self._by_base.get(base, ()):
                for pat in f.patterns:
                    if pat.matches(rel, is_dir):
                        found = pat
        return found

    def decide(self, rel: str, is_dir: bool = False) -> GitignorePattern | None:
        """The pattern that decides `rel`: an ignoring pattern of `rel` or of a parent directory
        (which git never enters), else the last matching one (possibly a `!` re-include)."""
        key = (rel, is_dir)
        if key in self._cache:
            return self._cache[key]
        norm = posixpath.normpath(rel.replace("\\", "/")).lstrip("/")
        result: GitignorePattern | None = None
        parts = norm.split("/")
        for i in range(1, len(parts)):
            parent = self._last_match("/".join(parts[:i]), True)
            if parent is not None and not parent.negated:
                result = parent
                break
        else:
            result = self._last_match(norm, is_dir) if norm not in ("", ".") else None
        self._cache[key] = result
        return result

    def ignored(self, rel: str, is_dir: bool = False) -> GitignorePattern | None:
        """The pattern that makes git ignore `rel` (root-relative), or None when git keeps it."""
        pat = self.decide(rel, is_dir)
        return pat if pat is not None and not pat.negated else None


def gitignore_matcher(ctx: Context) -> GitignoreMatcher:
    """Fact: the project's .gitignore files (and .git/info/exclude) as one matcher."""
    files: list[GitignoreFile] = []
    for rel in ctx.files(FileKind.GITIGNORE):
        parsed = ctx.parse(rel, parse_gitignore)
        if parsed is not None:
            files.append(parsed)
    files.sort(key=lambda f: (f.base.count("/") + (1 if f.base else 0), f.base))
    exclude = None
    if ctx.exists(".git/info/exclude") and not ctx.is_dir(".git/info/exclude"):
        exclude = ctx.parse(".git/info/exclude", parse_git_exclude)
    return GitignoreMatcher(tuple(files), exclude)
