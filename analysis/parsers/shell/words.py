"""Command words: the program a command line really runs, behind wrappers and shells."""

from __future__ import annotations

from functools import lru_cache

from analysis.lazy_re import lazy_compile

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


_ASSIGN_RE = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_NAME_RE = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NEWLINE = lazy_compile("\n")
_VAR_RE = lazy_compile(r"\$\{?(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])")
_DEFAULT_RE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?([-=])([^}]*)\}")


def _shebang_errexit(shebang: str) -> bool:
    parts = shebang.split()
    for p in parts[1:]:
        if p.startswith("-") and not p.startswith("--") and "e" in p[1:]:
            return True
        if p == "errexit":
            return True
    return False
