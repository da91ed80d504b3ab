"""Arguments and conditions along a chain: positional and environment expansion, whether a
branch runs for the arguments a script receives, and the `db push` fallback patterns."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace

from analysis.facts.startup.records import PrismaStep
from analysis.facts.startup.where import _At
from analysis.lazy_re import lazy_compile
from analysis.model import Location
from analysis.parsers.prisma_cli import (
    prisma_invocation,
    spellings,
)
from analysis.parsers.shell.records import Condition, Requirement, ShellCommand, ShellScript

_MIGRATION_WORD = lazy_compile(r"migrat", re.IGNORECASE)


_POSITIONAL = lazy_compile(r"^\$\{?([0-9])\}?$")


_ENV_REF = lazy_compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def _expand_env(word: str, env: dict[str, tuple[str | None, Location, str]]) -> str:
    """`word` with its `$NAME`/`${NAME}` replaced by the values the path's environment gives
    (a Dockerfile ENV, compose `environment:`); unchanged when one of them has no known value."""
    if "$" not in word:
        return word
    names = [m.group("braced") or m.group("plain") for m in _ENV_REF.finditer(word)]
    values = {n: env[n][0] if n in env else None for n in names}
    if not names or any(v is None or "$" in v for v in values.values()):
        return word
    expanded = _ENV_REF.sub(lambda m: values[m.group("braced") or m.group("plain")] or "", word)
    # only a path that starts with a variable: a URL or a flag value stays as written
    return expanded if word.startswith("$") and expanded.startswith(("/", "./")) else word


def _expand_positional(words: tuple[str, ...], args: tuple[str, ...] | None) -> tuple[str, ...]:
    if args is None or not any("$" in w for w in words):
        return words
    out: list[str] = []
    for w in words:
        if w in ("$@", "$*", "${@}", "${*}"):
            out.extend(args)
            continue
        m = _POSITIONAL.match(w)
        if m:
            n = int(m.group(1))
            if n == 0:
                out.append(w)
            elif n <= len(args):
                out.append(args[n - 1])
            continue
        out.append(w)
    return tuple(out)


_PLAIN_WORD = lazy_compile(r"[\w@%+=:,./${}-]+")


def _shell_join(words: tuple[str, ...]) -> str:
    """Words as shell text (a variable reference stays expandable)."""
    return " ".join(w if _PLAIN_WORD.fullmatch(w) else shlex.quote(w) for w in words)


def _known(args: tuple[str, ...]) -> tuple[str, ...] | None:
    """Arguments whose values are known (None when one is an unexpanded `$@`)."""
    if any(a in ("$@", "$*", "${@}", "${*}") for a in args):
        return None
    return tuple(args)


def _matches(req: Requirement, value: str) -> bool:
    return value != "" if req.value is None else value == req.value


def _blocked(
    cmd: ShellCommand,
    script: ShellScript,
    args: tuple[str, ...],
    verdicts: dict[int, bool | None],
) -> bool:
    """Whether one of `cmd`'s own conditions rules it out for `args` (`_decide` is False):
    `verdicts` keeps each condition's verdict by identity, as the commands of one list share
    their conditions."""
    for cond in cmd.conditions:
        if id(cond) in verdicts:
            verdict = verdicts[id(cond)]
        else:
            verdict = verdicts[id(cond)] = _decide(((cond, script),), args)
        if verdict is False:
            return True
    return False


def _decide(
    conditions: tuple[tuple[Condition, ShellScript], ...], args: tuple[str, ...] | None
) -> bool | None:
    """Whether the positional-argument tests (`$1 = migrate`, `case "$1" in`) let a command run,
    given the arguments the script receives: False (never on this path), True, None (unknown)."""
    if args is None:
        return None
    decided: bool | None = None
    for cond, _script in conditions:
        for req in cond.requires:
            if req.variable.isdigit():
                n = int(req.variable)
                value = args[n - 1] if 0 < n <= len(args) else ""
                if not _matches(req, value):
                    return False
                decided = True
        pos_one_of = [r for r in cond.one_of if r.variable.isdigit()]
        if pos_one_of:
            n = int(pos_one_of[0].variable)
            value = args[n - 1] if 0 < n <= len(args) else ""
            if not any(_matches(r, value) for r in pos_one_of):
                return False
            decided = True
        for req in cond.excludes:
            if req.variable.isdigit():
                n = int(req.variable)
                value = args[n - 1] if 0 < n <= len(args) else ""
                if _matches(req, value):
                    return False
    return decided


def _about_migrations(cond: Condition, script: ShellScript) -> bool:
    if _MIGRATION_WORD.search(cond.text):
        return True
    for var in cond.variables:
        if _MIGRATION_WORD.search(var):
            return True
        for a in script.assignments:
            if a.name == var and any(_MIGRATION_WORD.search(c.text) for c in a.conditions):
                return True
            if a.name == var and _MIGRATION_WORD.search(a.value):
                return True
    return False


_DB_PUSH = lazy_compile(
    r"\b(?:" + "|".join(s.replace(" ", r"\s+") for s in spellings("db push")) + r")\b"
)
"""`db push` as any Prisma generation writes it (`db update`)."""


def _with_fallback(step: PrismaStep, at: _At) -> PrismaStep:
    """Mark the seed pattern (`if migrations exist: migrate deploy else db push`) and
    `migrate deploy || db push`."""
    if not at.levels:
        return step
    cmd, script = at.levels[-1]
    about = ""
    for cond in cmd.conditions:
        if cond.kind in ("if", "elif", "else") and _about_migrations(cond, script):
            negative = cond.kind == "else" or "! " in cond.text or "-z" in cond.text
            if re.search(r"=\s*\"?false|!=\s*\"?true|-eq\s+0", cond.text):
                negative = not negative
            about = "missing" if negative else "exist"
    if about:
        step = replace(step, about_migrations=about)
    if step.command != "db push":
        return step
    for other in script.commands:
        if other is cmd:
            continue
        inv = prisma_invocation(other.words)
        if inv is None or inv.command != "migrate deploy":
            continue
        # same `if`, another arm, the test is about the migrations folder
        for mine in cmd.conditions:
            for theirs in other.conditions:
                if (
                    mine.group == theirs.group
                    and mine.arm != theirs.arm
                    and mine.kind in ("if", "elif", "else")
                    and (_about_migrations(mine, script) or _about_migrations(theirs, script))
                ):
                    return replace(step, fallback_for=other.location, fallback_kind="no-migrations")
        # `migrate deploy || db push`
        if (
            other.chain == cmd.chain
            and other.on_failure == "fallback"
            and _DB_PUSH.search(other.fallback + " " + cmd.text)
        ):
            return replace(step, fallback_for=other.location, fallback_kind="on-failure")
        if (
            other.on_failure == "fallback"
            and _DB_PUSH.search(other.fallback)
            and other.line <= cmd.line
        ):
            return replace(step, fallback_for=other.location, fallback_kind="on-failure")
    return step
