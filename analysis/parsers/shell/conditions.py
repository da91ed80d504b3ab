"""What a command's conditions require (variables set, files present) and whether a loop is bounded."""

from __future__ import annotations

import re

from analysis.lazy_re import lazy_compile
from analysis.parsers.shell.records import Requirement
from analysis.parsers.shell.words import _VAR_RE, _basename

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
_INCREMENT_RE = lazy_compile(
    r"(?:\b([A-Za-z_]\w*)\s*=\s*\$\(\(\s*\$?\{?\1\}?\s*[+-]\s*\d+\s*\)\)"
    r"|\(\(\s*([A-Za-z_]\w*)\s*(?:\+\+|--|[+-]=\s*\d+)\s*\)\)"
    r"|\(\(\s*(?:\+\+|--)([A-Za-z_]\w*)\s*\)\)"
    r"|\blet\s+[\"']?([A-Za-z_]\w*)\s*(?:\+\+|--|[+-]=)"
    r"|\b([A-Za-z_]\w*)=\$\(expr\s+\$\{?\5\}?\s*[+-])"
    r"|:\s*\$\(\(\s*([A-Za-z_]\w*)\s*(?:\+=|-=|\+\+)"
)
_COMPARE_RE = lazy_compile(
    r"(?:-(?:lt|le|gt|ge|eq|ne)\b|\(\([^)]*(?:<|>|==|!=)[^)]*\)\)|\[\[[^\]]*\s(?:<|>)\s)"
)
_SECONDS_RE = lazy_compile(r"\$\{?SECONDS\b|date\s+\+%s|\$EPOCHSECONDS")


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
