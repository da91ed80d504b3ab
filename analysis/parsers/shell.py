"""Shell scripts: every simple command with its words, line and the context it runs in.

`parse_shell(source)` reads a script (entrypoint, wait-for-db, Makefile helper, ...) and
`parse_shell_text(text, path, line, column)` reads a command string found inside another file
(a `package.json` script, a compose `command`, `sh -c "..."`). Both return a `ShellScript`:
every simple command in source order with

- its words (quotes removed), line and column (from character offsets),
- the conditions it runs under (`if`/`elif`/`else` arms, `&&`/`||` guards, `case` arms), each
  with the variables that must be set for the arm to run (opt-in switches such as
  `if [ "$DATABASE_SETUP" = 1 ]`),
- the loop around it (and whether that loop is bounded: a counter compared with a maximum,
  `seq`, a finite `for` list, `timeout`),
- how its failure is handled: `set -e`/`pipefail` in force at that point, the `||` side
  (`|| true`, `|| exit 1`, a fallback command), piped into another command, tested by `if`,
- `exec`, background `&`, command substitution, the enclosing function.

`sh -c "..."`/`bash -c '...'` strings and `sh <<EOF` here-documents are parsed recursively.

Parsing: a recursive-descent parser of bash's grammar reads the script (it knows `case`,
`[[ ]]`, `(( ))`, `$(( ))`, arrays and here-documents, which bashlex cannot read, and it is an
order of magnitude faster, which matters because the analysis re-runs on every save). From a
statement it cannot read on, bashlex (a port of bash's own parser) gets the rest of the
script; `parse_shell(..., prefer_bashlex=True)` makes bashlex read every statement it can (the
tests cross-check both). A KD001 problem is recorded only for a statement that neither can
read (an unterminated quote, an `if` without `fi`); the lines after it are read one by one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from analysis.model import Finding, Location, Severity
from analysis.records import dataclass, quick_init
from analysis.sources import SourceFile

# ---------------------------------------------------------------------------------------------
# Public records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Requirement:
    """A variable that must be set (to `value`, or to anything non-empty when None)."""

    variable: str
    value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            return f"${self.variable} is set"
        return f"${self.variable} = {self.value}"


@quick_init
@dataclass(slots=True, frozen=True)
class Condition:
    """One branch decision a command depends on.

    `kind`: "if" (then-arm), "elif", "else", "and" (right of `&&`), "or" (right of `||`),
    "case" (a `case` arm), "while"/"until" (a loop body). `text` is the test as written
    (`[ "$DATABASE_SETUP" = 1 ]`). Arms of one `if`/`case`/`&&`-`||` list share `group`
    (the offset of that construct) and differ in `arm`. `requires` lists the variables that
    must be set for this arm to run (empty when the arm runs by default); `one_of`: at least
    one of these must hold (`case "$1" in a|b)`); `excludes`: none of these may hold (the
    tests of the arms before it, for `elif`/`else` and later `case` arms).
    """

    kind: str
    text: str
    line: int
    group: int
    arm: int
    requires: tuple[Requirement, ...] = ()
    variables: tuple[str, ...] = ()
    one_of: tuple[Requirement, ...] = ()
    excludes: tuple[Requirement, ...] = ()

    @property
    def label(self) -> str:
        if self.kind in ("if", "elif"):
            return f"{self.kind} {self.text}"
        if self.kind == "else":
            return f"else of if {self.text}"
        if self.kind == "and":
            return f"after {self.text} &&"
        if self.kind == "or":
            return f"when {self.text} fails (||)"
        if self.kind == "case":
            return self.text
        return f"{self.kind} {self.text}"


@dataclass(slots=True, frozen=True)
class ShellLoop:
    """A `while`/`until`/`for` loop. `bounded` when it cannot run forever; `bound` says why."""

    kind: str
    line: int
    end_line: int
    condition: str
    bounded: bool
    bound: str = ""
    probes: tuple[str, ...] = ()
    """Commands in the loop that wait for a service (pg_isready, nc, prisma, ...)."""

    @property
    def is_wait(self) -> bool:
        return bool(self.probes) and self.kind in ("while", "until")


@quick_init
@dataclass(slots=True, frozen=True)
class ShellCommand:
    """A simple command and everything about where and how it runs."""

    words: tuple[str, ...]
    text: str
    location: Location
    end_line: int
    conditions: tuple[Condition, ...] = ()
    loop: ShellLoop | None = None
    function: str = ""
    reached: bool = True
    """False for a command inside a function that nothing in the script calls."""
    errexit: bool = False
    pipefail: bool = False
    piped: bool = False
    """Part of a pipeline and not its last command: its exit status is the pipeline's only
    with `pipefail`."""
    tested: bool = False
    """Its exit status decides an `if`/`while`/`until` (or it is negated with `!`)."""
    and_follows: bool = False
    """Followed by `&&`: a failure skips the rest of that list (and `set -e` does not stop)."""
    on_failure: str = ""
    """"" (nothing on the `||` side), "ignore" (`|| true`, `|| echo ...`), "exit" (`|| exit 1`),
    "fallback" (`|| other-command`)."""
    fallback: str = ""
    status_checked: bool = False
    """The next statement reads `$?`."""
    background: bool = False
    substitution: bool = False
    """Inside `$(...)` or backticks."""
    nested: str = ""
    """"sh -c" or "heredoc" when the command comes from a string another command runs."""
    chain: int = 0
    """Identity of its `&&`/`||` list: commands of one list share it."""
    exec: bool = False
    assignments: tuple[str, ...] = ()
    """`VAR=value` words before the command (its environment), as written."""
    failure_branch: str = ""
    """For the command an `if` tests (`if ! cmd; then ...; fi`, `if cmd; then ...; else ...;
    fi`): what the branch that runs when it fails does: "ignore" (nothing, or only `echo`,
    `printf`, `true`, `sleep`...), "exit" (`exit 1`, `return 1`, `false`, `die`...),
    "exit-zero" (`exit 0`, a bare `exit`), "other" (anything else, or an `elif`); "" when no
    `if` tests it."""
    failure_line: int = 0
    """The line where that branch starts (the `if` itself when there is no such branch)."""

    @property
    def argv(self) -> tuple[str, ...]:
        """The program and its arguments with `exec`, `env`, `gosu`, ... stripped."""
        return effective_argv(self.words)

    @property
    def stops_on_failure(self) -> bool:
        """Would a failure of this command stop the script (or be handled by an explicit check)?"""
        if self.on_failure == "exit":
            return True
        if self.on_failure in ("ignore", "fallback"):
            return False
        if self.tested or self.status_checked:
            return True
        if self.and_follows:
            return False
        if self.piped and not self.pipefail:
            return False
        return self.errexit

    @property
    def line(self) -> int:
        return self.location.line


def relocated(c: ShellCommand, location: Location) -> ShellCommand:
    """`c` at `location` (`dataclasses.replace` costs several times more, for every command of
    a long list)."""
    return ShellCommand(
        c.words,
        c.text,
        location,
        c.end_line,
        c.conditions,
        c.loop,
        c.function,
        c.reached,
        c.errexit,
        c.pipefail,
        c.piped,
        c.tested,
        c.and_follows,
        c.on_failure,
        c.fallback,
        c.status_checked,
        c.background,
        c.substitution,
        c.nested,
        c.chain,
        c.exec,
        c.assignments,
        c.failure_branch,
        c.failure_line,
    )


@dataclass(slots=True, frozen=True)
class ShellAssignment:
    name: str
    value: str
    line: int
    conditions: tuple[Condition, ...] = ()
    default_only: bool = False
    """`: ${X:=v}` / `X=${X:-v}`: sets the variable only when it is unset."""


@dataclass(slots=True, frozen=True)
class ShellScript:
    """A parsed script: commands in source order (functions' commands where they are called)."""

    path: str
    commands: tuple[ShellCommand, ...]
    loops: tuple[ShellLoop, ...] = ()
    assignments: tuple[ShellAssignment, ...] = ()
    functions: tuple[str, ...] = ()
    final: tuple[ShellCommand, ...] = ()
    """The commands that can run last (the app start of an entrypoint)."""
    shebang: str = ""
    traps: tuple[int, ...] = ()
    """Lines of `trap` commands (signal forwarding)."""
    problems: tuple[Finding, ...] = ()
    inline: bool = False
    """A command string inside another file (package.json script, compose command, RUN)."""

    @property
    def label(self) -> str:
        return f"the command string in {self.path}" if self.inline else self.path

    @property
    def ends_with_exec(self) -> bool:
        return bool(self.final) and all(c.exec for c in self.final)

    @property
    def errexit_at_start(self) -> bool:
        return _shebang_errexit(self.shebang)

    def assigned(self, name: str) -> tuple[ShellAssignment, ...]:
        return tuple(a for a in self.assignments if a.name == name)


# ---------------------------------------------------------------------------------------------
# Command words
# ---------------------------------------------------------------------------------------------

_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
_WRAPPERS_WITH_ARG = {
    "gosu": 1,
    "su-exec": 1,
    "s6-setuidgid": 1,
    "chroot": 1,
}
_SIMPLE_WRAPPERS = frozenset({"exec", "command", "builtin", "nohup", "time", "stdbuf", "eval"})


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1] if "/" in word else word


_WRAPPER_HEADS = (
    _SIMPLE_WRAPPERS
    | frozenset(_WRAPPERS_WITH_ARG)
    | frozenset(
        {"env", "cross-env", "cross-env-shell", "tini", "dumb-init", "catatonit", "nice", "ionice"}
        | {"timeout", "sudo", "runuser", "setpriv", "chpst", "dotenv", "env-cmd"}
    )
)
"""The words `_effective_argv` strips at the start of a command."""


CACHED_WORDS_CHARS = 512
"""Memoized functions of a command's words remember only commands this short (8,192 of them
at most): their caches stay bounded in bytes, not only in entries."""


def small_words(words: tuple[str, ...]) -> bool:
    total = 0
    for w in words:
        total += len(w)
        if total > CACHED_WORDS_CHARS:
            return False
    return True


def effective_argv(words: tuple[str, ...]) -> tuple[str, ...]:
    """`exec gosu node env NODE_ENV=production npx prisma ...` -> `('npx', 'prisma', ...)`."""
    if not words or _basename(words[0]) not in _WRAPPER_HEADS:
        return words  # nothing to strip (most commands): no cache entry either
    return _effective_argv_cached(words) if small_words(words) else _effective_argv(words)


@lru_cache(maxsize=8192)
def _effective_argv_cached(words: tuple[str, ...]) -> tuple[str, ...]:
    return _effective_argv(words)


def _effective_argv(words: tuple[str, ...]) -> tuple[str, ...]:
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        base = _basename(w)
        if base in _SIMPLE_WRAPPERS:
            i += 1
            if base == "exec":
                while i < n and words[i].startswith("-"):
                    i += 2 if words[i] == "-a" else 1
            continue
        if base in _WRAPPERS_WITH_ARG:
            i += 1 + _WRAPPERS_WITH_ARG[base]
            continue
        if base in ("env", "cross-env", "cross-env-shell"):
            i += 1
            while i < n and (words[i].startswith("-") or _ASSIGN_RE.match(words[i])):
                i += 2 if words[i] in ("-u", "-C", "-S") else 1
            continue
        if base in ("tini", "dumb-init", "catatonit"):
            i += 1
            while i < n and words[i].startswith("-"):
                stop = words[i] == "--"
                i += 1
                if stop:
                    break
            continue
        if base in ("nice", "ionice"):
            i += 1
            while i < n and words[i].startswith("-"):
                i += 2 if words[i] in ("-n", "-c") else 1
            continue
        if base in ("timeout", "sudo", "runuser", "setpriv", "chpst", "dotenv", "env-cmd"):
            i += 1
            takes_value = {
                "timeout": ("-s", "-k", "--signal", "--kill-after"),
                "sudo": ("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"),
                "runuser": ("-u", "-g", "-G"),
                "chpst": ("-u", "-U", "-e", "-/", "-n", "-l", "-L"),
                "dotenv": ("-e", "-c", "-v"),
                "env-cmd": ("-f", "-e", "-r", "--file", "--environments"),
            }.get(base, ())
            while i < n and words[i].startswith("-"):
                if words[i] == "--":
                    i += 1
                    break
                optional = base == "dotenv" and words[i] == "-c"  # `-c [env]`
                if optional and (i + 1 >= n or words[i + 1].startswith("-")):
                    i += 1
                    continue
                i += 2 if words[i] in takes_value else 1
            if base == "timeout" and i < n:
                i += 1  # the duration
            continue
        break
    return words[i:]


def shell_script_argument(argv: tuple[str, ...]) -> tuple[str, bool] | None:
    """For `sh -c 'script'` / `bash -ec "..."` / `su app -c "..."`: (script text, errexit)."""
    if not argv:
        return None
    base = _basename(argv[0])
    if base == "busybox" and len(argv) > 1:
        argv = argv[1:]
        base = _basename(argv[0])
    if base not in _SHELLS and base != "su":
        return None
    errexit = False
    for i in range(1, len(argv)):
        w = argv[i]
        if w == "-o" and i + 1 < len(argv) and argv[i + 1] == "errexit":
            errexit = True
        if w.startswith("-") and not w.startswith("--") and "c" in w[1:]:
            if "e" in w[1:]:
                errexit = True
            if i + 1 < len(argv):
                return argv[i + 1], errexit
            return None
        if w in ("--command",) and i + 1 < len(argv):
            return argv[i + 1], errexit
        if w.startswith("-") and "e" in w[1:] and base != "su":
            errexit = True
    return None


def shell_script_file(argv: tuple[str, ...]) -> tuple[str, tuple[str, ...], bool] | None:
    """For `sh ./scripts/x.sh arg` / `bash -e x.sh`: (script path, its arguments, errexit)."""
    if not argv:
        return None
    base = _basename(argv[0])
    if base not in _SHELLS or base == "busybox":
        return None
    errexit = False
    i = 1
    while i < len(argv):
        w = argv[i]
        if w in ("-o", "+o"):
            if w == "-o" and i + 1 < len(argv) and argv[i + 1] == "errexit":
                errexit = True
            i += 2
            continue
        if w.startswith("-") or w.startswith("+"):
            if "c" in w[1:]:
                return None
            if w.startswith("-") and "e" in w[1:]:
                errexit = True
            i += 1
            continue
        return w, argv[i + 1 :], errexit
    return None


_ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NEWLINE = re.compile("\n")
_VAR_RE = re.compile(r"\$\{?(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])")
_DEFAULT_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?([-=])([^}]*)\}")


def _shebang_errexit(shebang: str) -> bool:
    parts = shebang.split()
    for p in parts[1:]:
        if p.startswith("-") and not p.startswith("--") and "e" in p[1:]:
            return True
        if p == "errexit":
            return True
    return False


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
(`$(...)`, backquotes) nested deeper than this are not parsed: the statement is reported (KD001,
naming this limit) and its lines are read one by one. Real scripts nest a few levels; the limit
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
call is reported (KD001, naming this limit)."""

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
_ARRAY_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$")


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


_WORD_PLAIN = re.compile(r"[^ \t\n;&|()<>\\'\"`$]+")
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


_PARENS = re.compile(r"[()]")


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


def _guard_bashlex(bashlex: Any) -> None:
    """bashlex (0.18) loops forever, allocating without end, on a `${` with no `}` after it
    inside a word its tokenizer does not check (`$'${'`, `'${'#`): its parameter expansion
    then restarts the word from its first character. Make that case a parse error instead
    (for every other word the original runs unchanged)."""
    subst = bashlex.subst
    original = getattr(subst, "_paramexpand", None)
    if original is None or getattr(original, "_keepdata_guard", False):
        return

    def paramexpand(parserobj: Any, string: str, sindex: int) -> Any:
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


def _from_bashlex(node: Any, offset: int, text: str) -> _Node | None:
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


def _bashlex_subs(word: Any, offset: int, text: str) -> Iterator[_Node]:
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


# ---------------------------------------------------------------------------------------------
# Conditions: which variables an arm needs
# ---------------------------------------------------------------------------------------------


def _literal(word: str) -> str | None:
    """The word's value when it is a literal (no expansion)."""
    if "$" in word or "`" in word:
        return None
    return word


def _var_ref(word: str) -> tuple[str, str | None] | None:
    """`$X`, `${X}` -> ("X", None); `${X:-d}` -> ("X", "d"); anything else -> None."""
    m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*|[0-9])", word) or re.fullmatch(
        r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9])\}", word
    )
    if m:
        return m.group(1), None
    m = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?[-=]([^}]*)\}", word)
    if m:
        return m.group(1), m.group(2)
    return None


_TestResult = tuple[tuple[Requirement, ...] | None, tuple[Requirement, ...] | None]
"""(requirements when the test is true, requirements when false); None: "runs by default"."""


def _test_requirements(words: tuple[str, ...]) -> _TestResult:
    """What a `[ ... ]`/`test ...`/`[[ ... ]]` expression needs to be true or false."""
    if not words:
        return None, None
    if words[0] in ("[", "[[", "test"):
        inner = list(words[1:])
        if inner and inner[-1] in ("]", "]]"):
            inner.pop()
    else:
        return None, None
    return _expr_requirements(inner)


def _expr_requirements(inner: list[str]) -> _TestResult:
    # split on -o / || (any) then -a / && (all)
    separators: tuple[tuple[str, str], ...] = (("-o", "||"), ("-a", "&&"))
    for sep in separators:
        idx = [k for k, w in enumerate(inner) if w in sep]
        if idx:
            parts: list[list[str]] = []
            prev = 0
            for k in idx:
                parts.append(inner[prev:k])
                prev = k + 1
            parts.append(inner[prev:])
            results = [_expr_requirements(p) for p in parts]
            if sep[0] == "-a":
                trues = [r[0] for r in results]
                true_req = tuple(x for t in trues if t for x in t) or None
                return true_req, None
            trues = [r[0] for r in results]
            if all(t for t in trues):
                return tuple(x for t in trues if t for x in t), None
            return None, None
    negate = False
    while inner and inner[0] == "!":
        negate = not negate
        inner = inner[1:]
    res = _primary_requirements(inner)
    return (res[1], res[0]) if negate else res


def _primary_requirements(w: list[str]) -> _TestResult:
    if len(w) == 1:
        ref = _var_ref(w[0])
        if ref and ref[1] in (None, ""):
            return (Requirement(ref[0]),), None
        return None, None
    if len(w) == 2 and w[0] in ("-n", "-z"):
        ref = _var_ref(w[1])
        if not ref or ref[1]:
            return None, None
        req = (Requirement(ref[0]),)
        return (req, None) if w[0] == "-n" else (None, req)
    if len(w) == 3:
        left, op, right = w
        ref = _var_ref(left)
        lit = _literal(right)
        if ref is None:
            ref = _var_ref(right)
            lit = _literal(left)
        if ref is None or lit is None:
            return None, None
        name, default = ref
        if op in ("=", "==", "!="):
            if lit == "":
                req = (Requirement(name),)
                return (None, req) if op != "!=" else (req, None)
            if default is not None and default == lit:
                return None, None
            req = (Requirement(name, lit),)
            return (req, None) if op != "!=" else (None, req)
        if op in ("-eq", "-ne") and lit.lstrip("-").isdigit():
            if default is not None:
                return None, None
            return (Requirement(name, lit if op == "-eq" else None),), None
    return None, None


def _variables(text: str) -> tuple[str, ...]:
    if "$" not in text:
        return ()
    seen: dict[str, None] = {}
    for m in _VAR_RE.finditer(text):
        seen.setdefault(m.group(2), None)
    return tuple(seen)


# ---------------------------------------------------------------------------------------------
# Loops: bounded or not
# ---------------------------------------------------------------------------------------------

_PROBES = (
    "pg_isready",
    "nc",
    "ncat",
    "netcat",
    "psql",
    "mysqladmin",
    "mysql",
    "mongosh",
    "mongo",
    "redis-cli",
    "curl",
    "wget",
    "wait-for-it",
    "wait-for-it.sh",
    "wait-for",
    "dockerize",
    "wait-on",
    "wait-port",
    "prisma",
    "node",
    "bun",
    "python",
    "python3",
    "npx",
    "pnpm",
    "yarn",
    "npm",
    "timeout",
)
_INCREMENT_RE = re.compile(
    r"(?:\b([A-Za-z_]\w*)\s*=\s*\$\(\(\s*\$?\{?\1\}?\s*[+-]\s*\d+\s*\)\)"
    r"|\(\(\s*([A-Za-z_]\w*)\s*(?:\+\+|--|[+-]=\s*\d+)\s*\)\)"
    r"|\(\(\s*(?:\+\+|--)([A-Za-z_]\w*)\s*\)\)"
    r"|\blet\s+[\"']?([A-Za-z_]\w*)\s*(?:\+\+|--|[+-]=)"
    r"|\b([A-Za-z_]\w*)=\$\(expr\s+\$\{?\5\}?\s*[+-])"
    r"|:\s*\$\(\(\s*([A-Za-z_]\w*)\s*(?:\+=|-=|\+\+)"
)
_COMPARE_RE = re.compile(
    r"(?:-(?:lt|le|gt|ge|eq|ne)\b|\(\([^)]*(?:<|>|==|!=)[^)]*\)\)|\[\[[^\]]*\s(?:<|>)\s)"
)
_SECONDS_RE = re.compile(r"\$\{?SECONDS\b|date\s+\+%s|\$EPOCHSECONDS")


def _loop_bound(kind: str, head: str, body: str) -> tuple[bool, str]:
    whole = head + "\n" + body
    if kind == "for":
        if re.search(r"\bseq\b|\{\d+\.\.\d+\}|\(\(", head):
            return True, "a counted for loop"
        return True, "a for loop over a finite list"
    counters = {next(g for g in m.groups() if g) for m in _INCREMENT_RE.finditer(whole)}
    compared = [c for c in counters if re.search(rf"\$\{{?{c}\b|\b{c}\b\s*(?:<|>|==|!=)", whole)]
    if compared and _COMPARE_RE.search(whole):
        if _COMPARE_RE.search(head) and any(re.search(rf"\b{c}\b", head) for c in compared):
            return True, f"counter ${compared[0]} compared with a maximum in the loop condition"
        if re.search(r"\b(exit|break|return)\b", body):
            return True, f"counter ${compared[0]} compared with a maximum, then exit/break"
    if (
        _SECONDS_RE.search(whole)
        and _COMPARE_RE.search(whole)
        and (re.search(r"\b(exit|break|return)\b", body) or _COMPARE_RE.search(head))
    ):
        return True, "elapsed time compared with a limit"
    return False, ""


def _probes_in(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for word in re.findall(r"[A-Za-z0-9_./-]+", text):
        base = _basename(word)
        if base in _PROBES and base not in found:
            found.append(base)
    if "/dev/tcp/" in text and "/dev/tcp" not in found:
        found.append("/dev/tcp")
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# From the tree to records
# ---------------------------------------------------------------------------------------------


class _Ctx(NamedTuple):
    """Where a command sits (a NamedTuple: `_replace` is much cheaper than
    dataclasses.replace, and the walker copies it for every node)."""

    conditions: tuple[Condition, ...] = ()
    loop: ShellLoop | None = None
    function: str = ""
    tested: bool = False
    substitution: bool = False
    nested: str = ""
    background: bool = False
    piped: bool = False
    and_follows: bool = False
    on_failure: str = ""
    fallback: str = ""
    status_checked: bool = False
    chain: int = 0
    reached: bool = True
    timeout_bound: bool = False
    failure_branch: str = ""
    failure_line: int = 0


_IGNORE_WORDS = frozenset({"true", ":", "echo", "printf", "log", "warn", "info", "logger", "cat"})
_EXIT_WORDS = frozenset({"exit", "return", "false", "kill", "abort", "die", "fail", "fatal"})


class _Positions:
    """Character offsets -> (line, column) of the file the text came from."""

    def __init__(self, text: str, base_line: int = 1, base_column: int = 1) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.base_line = base_line
        self.base_column = base_column

    def line_col(self, pos: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.starts, max(pos, 0)) - 1
        col = pos - self.starts[idx] + 1
        if idx == 0:
            col += self.base_column - 1
        return self.base_line + idx, col


class _Capped:
    """Requirements collected arm by arm, at most `MAX_EXCLUDES` (the first ones); `items` is
    rebuilt only when it changes, so a long `elif` chain or `case` costs linear time."""

    __slots__ = ("_list", "items")

    def __init__(self) -> None:
        self._list: list[Requirement] = []
        self.items: tuple[Requirement, ...] = ()

    def extend(self, reqs: tuple[Requirement, ...]) -> None:
        room = MAX_EXCLUDES - len(self._list)
        if reqs and room > 0:
            self._list.extend(reqs[:room])
            self.items = tuple(self._list)


class _Walker:
    def __init__(
        self,
        path: str,
        text: str,
        positions: _Positions,
        heredocs: list[_Heredoc],
        errexit: bool = False,
        depth: int = 0,
        fixed_line: bool = False,
    ) -> None:
        self.path = path
        self.text = text
        self.pos = positions
        self.heredocs = heredocs
        self.errexit = errexit
        self.pipefail = False
        self.depth = depth
        self.fixed_line = fixed_line
        self.commands: list[ShellCommand] = []
        self.loops: list[ShellLoop] = []
        self.assignments: list[ShellAssignment] = []
        self.functions: dict[str, _Func] = {}
        self.called: set[str] = set()
        self.calling: list[str] = []
        self.traps: list[int] = []
        self.problems: list[tuple[int, int, str]] = []
        self.inlined = [0]
        """Commands walked inside function calls (shared with nested walkers)."""
        self.inline_capped: list[tuple[int, int, str]] = []
        """(line, column, why) of the first call not followed into its function, past
        `MAX_INLINED` or `MAX_NESTING` (shared with nested walkers)."""

    # -- helpers ---------------------------------------------------------------------------
    def line(self, pos: int) -> int:
        return self.pos.line_col(pos)[0]

    def src(self, start: int, end: int, limit: int = 120) -> str:
        raw = self.text[start:end]
        if "\n" not in raw and "  " not in raw and "\t" not in raw:
            one = raw.strip()
            if one.endswith(";"):
                one = one[:-1].rstrip()
            return one if len(one) <= limit else one[: limit - 1] + "…"
        one = " ".join(part.strip() for part in raw.replace("\\\n", " ").splitlines())
        one = re.sub(r"\s+", " ", one).strip()
        if one.endswith(";"):
            one = one[:-1].rstrip()
        return one if len(one) <= limit else one[: limit - 1] + "…"

    # -- walk ------------------------------------------------------------------------------
    def walk_statements(self, statements: list[tuple[_Node, bool]], ctx: _Ctx) -> None:
        text = self.text
        last = len(statements) - 1
        for k, (node, bg) in enumerate(statements):
            if k < last:
                nxt = statements[k + 1][0]
                checked = text.find("$?", nxt.start, nxt.end) >= 0
            else:
                # the last statement's status is the enclosing compound's (`if ...; then
                # migrate; fi; status=$?` reads the migration's status)
                checked = ctx.status_checked
            background = ctx.background or bg
            if background == ctx.background and checked == ctx.status_checked:
                self.walk(node, ctx)
            else:
                self.walk(node, ctx._replace(background=background, status_checked=checked))

    def walk(self, node: _Node, ctx: _Ctx) -> None:
        if isinstance(node, _Cmd):
            self.command(node, ctx)
        elif isinstance(node, _Seq):
            self.walk_statements(list(zip(node.items, node.background, strict=True)), ctx)
        elif isinstance(node, _AndOr):
            self.and_or(node, ctx)
        elif isinstance(node, _Pipeline):
            inner = ctx._replace(tested=True) if node.negated and not ctx.tested else ctx
            for k, item in enumerate(node.items):
                last = k == len(node.items) - 1
                self.walk(item, inner if last else inner._replace(piped=True))
        elif isinstance(node, _If):
            self.if_(node, ctx)
        elif isinstance(node, _LoopNode):
            self.loop(node, ctx)
        elif isinstance(node, _Case):
            self.case(node, ctx)
        elif isinstance(node, _Group):
            if node.subshell:
                saved = (self.errexit, self.pipefail)
                self.walk(node.body, ctx)
                self.errexit, self.pipefail = saved
            else:
                self.walk(node.body, ctx)
        elif isinstance(node, _Func):
            self.functions[node.name] = node

    def and_or(self, node: _AndOr, ctx: _Ctx) -> None:
        """Each item runs under the conditions of the items before it (bounded: the outermost
        and the nearest ones, `bounded_conditions`), in time linear in the list's length."""
        ops = node.ops
        n_ops = len(ops)
        # the first `||` at or after each operator: it takes over when the item fails
        next_or = [n_ops] * (n_ops + 1)
        for j in range(n_ops - 1, -1, -1):
            next_or[j] = j if ops[j] == "||" else next_or[j + 1]
        handlers: dict[int, tuple[str, str]] = {}
        # the context of an item with no `||` after it, but for its conditions (built
        # positionally below: `_replace` for every item of a long list costs)
        plain = ctx._replace(
            chain=node.start + 1, status_checked=False, and_follows=True, on_failure=""
        )[1:]
        base = ctx.conditions
        own: list[Condition] = []
        conditions = base
        group = node.start
        for k, item in enumerate(node.items):
            if k < n_ops:
                j = next_or[k]
                if j < n_ops:
                    handled = handlers.get(j)
                    if handled is None:
                        handler = node.items[j + 1]
                        handled = handlers[j] = (
                            self.classify_handler(handler),
                            self.src(handler.start, handler.end),
                        )
                    sub = ctx._replace(
                        chain=group + 1,
                        conditions=conditions,
                        status_checked=False,
                        on_failure=handled[0],
                        fallback=handled[1],
                        and_follows=ops[k] == "&&",
                    )
                else:
                    sub = _Ctx(conditions, *plain)
            else:
                sub = ctx._replace(chain=group + 1, conditions=conditions)
            self.walk(item, sub)
            if k < n_ops:
                op = ops[k]
                text = self.src(item.start, item.end)
                reqs = self.item_requirements(item)
                requires = reqs[0] if op == "&&" else reqs[1]
                own.append(
                    Condition(
                        "and" if op == "&&" else "or",
                        text,
                        self.line(item.start),
                        group,
                        k,
                        requires or (),
                        _variables(text),
                    )
                )
                if len(base) + len(own) <= MAX_CONDITIONS:
                    conditions = (*base, *own)
                else:  # the outermost and the nearest conditions, never the whole list
                    half = MAX_CONDITIONS // 2
                    conditions = bounded_conditions(
                        (*base, *own[:half], *own[max(half, len(own) - half) :])
                    )

    def classify_handler(self, handler: _Node) -> str:
        words = self.first_words(handler)
        if not words:
            return "fallback"
        head = _basename(words[0])
        if head in _EXIT_WORDS:
            return "exit"
        text = self.text[handler.start : handler.end]
        if re.search(r"\b(exit|return)\b", text):
            return "exit"
        if head in _IGNORE_WORDS:
            return "ignore"
        return "fallback"

    def first_words(self, node: _Node) -> tuple[str, ...]:
        if isinstance(node, _Cmd):
            return tuple(w.value for w in node.words)
        if isinstance(node, (_Seq, _AndOr, _Pipeline)):
            return self.first_words(node.items[0]) if node.items else ()
        if isinstance(node, _Group):
            return self.first_words(node.body)
        return ()

    def item_requirements(self, node: _Node) -> _TestResult:
        if isinstance(node, _Cmd):
            if not node.words or node.words[0].value not in ("[", "[[", "test"):
                return None, None  # not a test (what `_test_requirements` says, sooner)
            return _test_requirements(tuple(w.value for w in node.words))
        if isinstance(node, _Pipeline) and len(node.items) == 1:
            t, f = self.item_requirements(node.items[0])
            return (f, t) if node.negated else (t, f)
        if isinstance(node, _Seq) and node.items:
            return self.item_requirements(node.items[-1])
        if isinstance(node, _AndOr):
            results = [self.item_requirements(i) for i in node.items]
            if all(op == "&&" for op in node.ops):
                return tuple(x for r in results if r[0] for x in r[0]) or None, None
            if all(op == "||" for op in node.ops) and all(r[0] for r in results):
                return tuple(x for r in results if r[0] for x in r[0]), None
        return None, None

    def if_(self, node: _If, ctx: _Ctx) -> None:
        group = node.start
        # requirements of the arms before (the first MAX_EXCLUDES: an `elif` chain of n arms
        # must not cost n * n)
        previous_false = _Capped()
        previous_true = _Capped()
        cond_texts: list[str] = []
        for k, (cond, body) in enumerate(node.arms):
            if cond is not None:
                tested = ctx._replace(tested=True, status_checked=False)
                if k == 0:
                    branch, line = self.failure_branch(node)
                    if branch:
                        tested = tested._replace(failure_branch=branch, failure_line=line)
                elif ctx.failure_branch:
                    tested = tested._replace(failure_branch="", failure_line=0)
                self.walk(cond, tested)
                text = self.src(cond.start, cond.end)
                if len(cond_texts) < MAX_EXCLUDES:
                    cond_texts.append(text)
                true_req, false_req = self.item_requirements(cond)
                condition = Condition(
                    "if" if k == 0 else "elif",
                    text,
                    self.line(cond.start),
                    group,
                    k,
                    previous_false.items + (true_req or ()),
                    _variables(text),
                    excludes=previous_true.items,
                )
                previous_false.extend(false_req or ())
                if true_req and len(true_req) == 1:
                    previous_true.extend(true_req)
            else:
                text = " / ".join(cond_texts)
                condition = Condition(
                    "else",
                    text,
                    self.line(body.start) if body.end > body.start else self.line(node.start),
                    group,
                    k,
                    previous_false.items,
                    _variables(text),
                    excludes=previous_true.items,
                )
            self.walk(
                body, ctx._replace(conditions=bounded_conditions((*ctx.conditions, condition)))
            )

    def failure_branch(self, node: _If) -> tuple[str, int]:
        """What runs when the command the first `if` arm tests fails (see
        `ShellCommand.failure_branch`), and the line where that branch starts; ("", 0) when
        the test is not one command (`[ -d x ]`, `a && b`)."""
        cond = node.arms[0][0]
        while isinstance(cond, _Seq) and len(cond.items) == 1:
            cond = cond.items[0]
        negated = False
        if isinstance(cond, _Pipeline):
            if len(cond.items) != 1:
                return "", 0
            negated = cond.negated
            cond = cond.items[0]
        if not isinstance(cond, _Cmd) or not cond.words:
            return "", 0
        if cond.words[0].value in ("[", "[[", "test", "true", "false", ":"):
            return "", 0
        if negated:
            body = node.arms[0][1]
        elif len(node.arms) > 1:
            other, body = node.arms[1]
            if other is not None:
                return "other", self.line(other.start)  # an `elif`: it decides
        else:
            return "ignore", self.line(node.start)  # nothing runs on failure
        cmds = list(self.simple_commands(body))
        if not cmds:
            return "ignore", self.line(node.start)
        kind = "ignore"
        for c in cmds:
            words = [w.value for w in c.words]
            head = _basename(words[0]) if words else ""
            if not words:
                kind = "other"  # an assignment: a later check may read it
            elif head in ("exit", "return"):
                code = words[1] if len(words) > 1 else ""
                return ("exit-zero" if code in ("", "0") else "exit"), self.line(body.start)
            elif head in _EXIT_WORDS:
                return "exit", self.line(body.start)
            elif head not in _IGNORE_WORDS and head not in ("sleep", "logger", ">&2"):
                kind = "other"
        return kind, self.line(cmds[0].start)

    def simple_commands(self, node: _Node) -> Iterator[_Cmd]:
        """The simple commands of a branch, in order (not into functions)."""
        if isinstance(node, _Cmd):
            yield node
        elif isinstance(node, (_Seq, _AndOr, _Pipeline)):
            for item in node.items:
                yield from self.simple_commands(item)
        elif isinstance(node, _Group):
            yield from self.simple_commands(node.body)
        elif isinstance(node, _If):
            for cond, body in node.arms:
                if cond is not None:
                    yield from self.simple_commands(cond)
                yield from self.simple_commands(body)
        elif isinstance(node, _LoopNode):
            yield from self.simple_commands(node.body)
        elif isinstance(node, _Case):
            for clause in node.clauses:
                if clause[1] is not None:
                    yield from self.simple_commands(clause[1])

    def loop(self, node: _LoopNode, ctx: _Ctx) -> None:
        head = self.text[node.head_start : node.head_end]
        body_text = self.text[node.body.start : node.body.end]
        bounded, why = _loop_bound(node.kind, head, body_text)
        if not bounded and ctx.timeout_bound:
            bounded, why = True, "run under `timeout`"
        info = ShellLoop(
            node.kind,
            self.line(node.start),
            self.line(node.end),
            self.src(node.head_start, node.head_end),
            bounded,
            why,
            _probes_in(head + "\n" + body_text),
        )
        self.loops.append(info)
        if node.cond is not None:
            self.walk(node.cond, ctx._replace(tested=True, loop=info, status_checked=False))
        cond = Condition(
            node.kind, info.condition, info.line, node.start, 0, (), _variables(info.condition)
        )
        conditions = bounded_conditions((*ctx.conditions, cond))
        self.walk(node.body, ctx._replace(loop=info, conditions=conditions))

    def case(self, node: _Case, ctx: _Ctx) -> None:
        ref = _var_ref(node.subject)
        previous = _Capped()
        for k, (patterns, body, start) in enumerate(node.clauses):
            pat = "|".join(patterns)
            requires: tuple[Requirement, ...] = ()
            literal = [p for p in patterns if not any(ch in p for ch in "*?[")]
            if ref is not None and literal and len(literal) == len(patterns):
                requires = tuple(Requirement(ref[0], unquote(p)) for p in literal)
            cond = Condition(
                "case",
                f"case {node.subject} in {pat})",
                self.line(start),
                node.start,
                k,
                requires if len(requires) == 1 else (),
                _variables(node.subject),
                one_of=requires if len(requires) > 1 else (),
                excludes=previous.items,
            )
            previous.extend(requires)
            if body is not None:
                self.walk(
                    body, ctx._replace(conditions=bounded_conditions((*ctx.conditions, cond)))
                )

    # -- simple commands -------------------------------------------------------------------
    def command(self, node: _Cmd, ctx: _Ctx) -> None:
        words = tuple([w.value for w in node.words])
        for w in (*node.assigns, *node.words) if node.assigns else node.words:
            for sub in w.subs:
                self.walk(
                    sub,
                    ctx._replace(
                        substitution=True,
                        tested=False,
                        piped=False,
                        and_follows=False,
                        on_failure="",
                        status_checked=False,
                    ),
                )
        for a in node.assigns:
            name, _, value = a.value.partition("=")
            name = name.rstrip("+")
            if not words:
                default_only = bool(re.fullmatch(rf"\$\{{{name}:?-[^}}]*\}}", value))
                self.assignments.append(
                    ShellAssignment(name, value, self.line(a.start), ctx.conditions, default_only)
                )
        if not words:
            return
        head = _basename(words[0])
        if head == ":" or head == "export" or head in ("local", "declare", "readonly", "typeset"):
            for arg in words[1:]:
                for m in _DEFAULT_RE.finditer(arg):
                    if m.group(2) == "=":
                        self.assignments.append(
                            ShellAssignment(
                                m.group(1), m.group(3), self.line(node.start), ctx.conditions, True
                            )
                        )
                if head != ":" and "=" in arg and _ASSIGN_RE.match(arg):
                    name, _, value = arg.partition("=")
                    default_only = bool(re.fullmatch(rf"\$\{{{name}:?-[^}}]*\}}", value))
                    self.assignments.append(
                        ShellAssignment(
                            name, value, self.line(node.start), ctx.conditions, default_only
                        )
                    )
        if head == "set":
            self.set_options(words[1:])
        if head == "trap":
            self.traps.append(self.line(node.start))
        # a call of a function defined in this script: walk its body here
        if head in self.functions and head not in self.calling and self.depth < 8:
            if self.inlined[0] < MAX_INLINED and len(self.calling) < MAX_NESTING:
                self.called.add(head)
                self.calling.append(head)
                self.emit(node, words, ctx)
                self.walk(self.functions[head].body, ctx._replace(function=head))
                self.calling.pop()
                return
            if not self.inline_capped:
                line, col = self.pos.line_col(node.start)
                why = (
                    f"expand to more than {MAX_INLINED} commands"
                    if self.inlined[0] >= MAX_INLINED
                    else f"are nested deeper than {MAX_NESTING} levels"
                )
                self.inline_capped.append((line, col, why))
            self.emit(node, words, ctx)
            return
        self.emit(node, words, ctx)
        argv = effective_argv(words)
        nested = shell_script_argument(argv)
        if nested is not None and self.depth < 4:
            self.nested_script(node, nested[0], nested[1], ctx, "sh -c", words)
        elif (
            argv
            and self.depth < 4
            and _basename(argv[0]) in _SHELLS
            and shell_script_file(argv) is None
        ):
            for h in self.heredocs_of(node):
                body = self.text[h.body_start : h.body_end]
                self.nested_script(node, body, False, ctx, "heredoc", words, h.body_start)

    def heredocs_of(self, node: _Cmd) -> list[_Heredoc]:
        if node.heredocs:
            return list(node.heredocs)
        line_end = self.text.find("\n", node.start)
        line_end = len(self.text) if line_end < 0 else line_end
        return [h for h in self.heredocs if node.start <= h.op_start < line_end]

    def emit(self, node: _Cmd, words: tuple[str, ...], ctx: _Ctx) -> None:
        if self.calling:
            self.inlined[0] += 1
        line, col = self.pos.line_col(node.words[0].start if node.words else node.start)
        last = max(node.end - 1, node.start)
        end_line = line if self.text.find("\n", node.start, last) < 0 else self.line(last)
        assigns = tuple(a.value for a in node.assigns)
        is_exec = bool(words) and words[0] == "exec" and len(words) > 1
        self.commands.append(
            ShellCommand(
                words=words,
                text=self.src(node.start, node.end, 200),
                location=Location(self.path, line, col, end_line if end_line != line else None),
                end_line=end_line,
                conditions=ctx.conditions,
                loop=ctx.loop,
                function=ctx.function,
                reached=ctx.reached,
                errexit=self.errexit,
                pipefail=self.pipefail,
                piped=ctx.piped,
                tested=ctx.tested,
                and_follows=ctx.and_follows,
                on_failure=ctx.on_failure,
                fallback=ctx.fallback,
                status_checked=ctx.status_checked,
                background=ctx.background,
                substitution=ctx.substitution,
                nested=ctx.nested,
                chain=ctx.chain or node.start + 1,
                exec=is_exec,
                assignments=assigns,
                failure_branch=ctx.failure_branch,
                failure_line=ctx.failure_line,
            )
        )

    def set_options(self, args: tuple[str, ...]) -> None:
        k = 0
        while k < len(args):
            a = args[k]
            if a in ("-o", "+o") and k + 1 < len(args):
                on = a == "-o"
                if args[k + 1] == "errexit":
                    self.errexit = on
                elif args[k + 1] == "pipefail":
                    self.pipefail = on
                k += 2
                continue
            if len(a) > 1 and a[0] in "-+" and a[1:].isalpha():
                on = a[0] == "-"
                if "e" in a[1:]:
                    self.errexit = on
                if a.endswith("o") and k + 1 < len(args) and args[k + 1] == "pipefail":
                    self.pipefail = on
                    k += 2
                    continue
            k += 1

    def nested_script(
        self,
        node: _Cmd,
        script: str,
        errexit: bool,
        ctx: _Ctx,
        kind: str,
        words: tuple[str, ...],
        body_start: int | None = None,
    ) -> None:
        if body_start is not None:
            base_line, base_col = self.pos.line_col(body_start)
        else:
            idx = next((k for k, w in enumerate(node.words) if w.value == script), None)
            anchor = node.words[idx].start + 1 if idx is not None else node.start
            base_line, base_col = self.pos.line_col(anchor)
        timeout = ctx.timeout_bound or any(_basename(w) == "timeout" for w in words[:3])
        read = _read_script(script)
        positions = _Positions(script, base_line, base_col)
        inner = _Walker(
            self.path, script, positions, read.heredocs, errexit, self.depth + 1, self.fixed_line
        )
        inner.functions = dict(self.functions)
        inner.called = set(self.functions)  # the outer script lists its own functions
        inner.inlined = self.inlined
        inner.inline_capped = self.inline_capped
        inner_ctx = ctx._replace(nested=kind, timeout_bound=timeout, chain=0)
        inner.walk_statements(read.statements, inner_ctx)
        inner.finish()
        self.commands.extend(inner.commands)
        self.loops.extend(inner.loops)
        self.assignments.extend(inner.assignments)
        self.traps.extend(inner.traps)

    def finish(self) -> None:
        """Commands of functions that nothing calls are still listed (reached=False)."""
        for name, fn in list(self.functions.items()):
            if name not in self.called:
                self.called.add(name)
                self.walk(fn.body, _Ctx(function=name, reached=False))


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def _problem(path: str, positions: _Positions, pos: int, message: str) -> Finding:
    line, col = positions.line_col(pos)
    return Finding(
        "KD001",
        Severity.HIGH,
        f"{path}:{line}: shell syntax the analysis cannot read: {message}; "
        "the lines after it were read one by one",
        Location(path, line, col),
    )


def _analyze(
    path: str,
    text: str,
    base_line: int = 1,
    base_column: int = 1,
    errexit: bool = False,
    prefer_bashlex: bool = False,
) -> ShellScript:
    shebang = text.split("\n", 1)[0] if text.startswith("#!") else ""
    read = _read_script(text, prefer_bashlex=prefer_bashlex)
    positions = _Positions(text, base_line, base_column)
    walker = _Walker(path, text, positions, read.heredocs, errexit or _shebang_errexit(shebang))
    walker.walk_statements(read.statements, _Ctx())
    walker.finish()
    by_start: dict[int, list[ShellCommand]] = {}
    for c in walker.commands:
        if not c.substitution and not c.nested and c.reached:
            line_pos = c.location
            by_start.setdefault(_pos_key(line_pos), []).append(c)
    final: list[ShellCommand] = []
    top = [n for n, bg in read.statements if not bg and not isinstance(n, _Func)]
    if top:
        last = top[-1]
        for cmd_node in _final_nodes(last, walker.functions):
            line, col = positions.line_col(
                cmd_node.words[0].start if cmd_node.words else cmd_node.start
            )
            hits = by_start.get(_pos_key(Location(path, line, col)), [])
            if hits:
                final.append(hits[-1])
    problems = tuple(_problem(path, positions, pos, msg) for pos, msg in read.problems)
    if walker.inline_capped:
        line, col, why = walker.inline_capped[0]
        problems += (
            Finding(
                "KD001",
                Severity.HIGH,
                f"{path}:{line}: calls of the script's functions {why} (keepdata's limit): "
                "from this call on, such calls are not followed into their functions",
                Location(path, line, col),
            ),
        )
    return ShellScript(
        path=path,
        commands=tuple(walker.commands),
        loops=tuple(walker.loops),
        assignments=tuple(walker.assignments),
        functions=tuple(walker.functions),
        final=tuple(final),
        shebang=shebang,
        traps=tuple(walker.traps),
        problems=problems,
    )


def _pos_key(loc: Location) -> int:
    return loc.line * 100_000 + loc.column


def _final_nodes(
    node: _Node, functions: dict[str, _Func] | None = None, depth: int = 0
) -> list[_Cmd]:
    """The simple commands that can run last in `node` (through calls of script functions)."""
    fns = functions or {}
    if depth > 8:
        return []
    if isinstance(node, _Cmd):
        if node.words and node.words[0].value in fns:
            inner = _final_nodes(fns[node.words[0].value].body, fns, depth + 1)
            if inner:
                return inner
        return [node] if node.words else []
    if isinstance(node, (_Seq, _AndOr, _Pipeline)):
        return _final_nodes(node.items[-1], fns, depth + 1) if node.items else []
    if isinstance(node, _If):
        return [c for _cond, body in node.arms for c in _final_nodes(body, fns, depth + 1)]
    if isinstance(node, _Case):
        return [
            c
            for _p, body, _s in node.clauses
            if body is not None
            for c in _final_nodes(body, fns, depth + 1)
        ]
    if isinstance(node, _Group):
        return _final_nodes(node.body, fns, depth + 1)
    return []


def parse_shell(source: SourceFile, prefer_bashlex: bool = False) -> ShellScript:
    """Parse a shell script file (never raises; unreadable statements become KD001 problems)."""
    return _analyze(source.path, source.text, prefer_bashlex=prefer_bashlex)


def moved_to(script: ShellScript, path: str) -> ShellScript:
    """`script` (a parsed file) as the parse of a file with the same text at `path`: every
    location and problem names `path` instead."""
    old = script.path
    if old == path:
        return script
    moved: dict[int, ShellCommand] = {}
    commands = []
    for c in script.commands:
        loc = c.location
        n = relocated(c, Location(path, loc.line, loc.column, loc.end_line))
        moved[id(c)] = n
        commands.append(n)
    problems = tuple(
        replace(
            p,
            location=replace(p.location, path=path),
            message=path + p.message[len(old) :] if p.message.startswith(old + ":") else p.message,
        )
        if p.location.path == old
        else p
        for p in script.problems
    )
    return replace(
        script,
        path=path,
        commands=tuple(commands),
        final=tuple(moved.get(id(c), c) for c in script.final),
        problems=problems,
    )


def parse_shell_text(
    text: str,
    path: str,
    line: int = 1,
    column: int = 1,
    errexit: bool = False,
) -> ShellScript:
    """Parse a command string found in another file (`package.json` script, compose `command`,
    Dockerfile `RUN`): lines and columns are placed at (`line`, `column`) of `path`."""
    return replace(_analyze(path, text, line, column, errexit), inline=True)
