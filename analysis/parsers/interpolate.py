"""Compose-spec variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
`${VAR:?error}`, `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}`, `$$` (a literal `$`)
and nested expressions inside the default/alternative (`${A:-${B:-x}}`).

`interpolate(text, env)` never raises. It returns the value Compose would compute, every variable
the text uses (with whether it had a value, a default or a required marker) and the errors
Compose would stop on (a required variable without a value, an invalid expression).
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.records import dataclass

MAX_DEPTH = 16
"""Nesting deeper than this is not expanded (reported as an invalid expression)."""

OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass(slots=True, frozen=True)
class VariableUse:
    """One `$VAR`/`${VAR...}` in a text.

    `operator` is "" (plain), ":-", "-" (default), ":?", "?" (required) or ":+", "+"
    (alternative). `defined`: the environment has the name (possibly empty). `offset`: index of
    the `$` in the text it was found in (for nested uses: in the argument's text).
    """

    name: str
    operator: str
    defined: bool
    empty: bool
    offset: int
    argument: str = ""

    @property
    def has_default(self) -> bool:
        return self.operator in (":-", "-")

    @property
    def required(self) -> bool:
        return self.operator in (":?", "?")

    @property
    def undefined(self) -> bool:
        """No value, no default and no required marker: Compose substitutes an empty string."""
        return not self.defined and self.operator in ("", ":+", "+")

    @property
    def missing_required(self) -> bool:
        if self.operator == ":?":
            return not self.defined or self.empty
        if self.operator == "?":
            return not self.defined
        return False


@dataclass(slots=True, frozen=True)
class Interpolation:
    value: str
    uses: tuple[VariableUse, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def undefined(self) -> tuple[str, ...]:
        """Names used with no value, default or required marker (KD406 material)."""
        seen: dict[str, None] = {}
        for u in self.uses:
            if u.undefined:
                seen.setdefault(u.name, None)
        return tuple(seen)

    @property
    def changed(self) -> bool:
        return bool(self.uses) or bool(self.errors)


def _is_name_start(ch: str) -> bool:
    return ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_name_char(ch: str) -> bool:
    return _is_name_start(ch) or ("0" <= ch <= "9")


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` that closes a `${` whose body starts at `start`, or -1."""
    depth = 1
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "$" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "$":
                i += 2
                continue
            if nxt == "{":
                depth += 1
                i += 2
                continue
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class _Interpolator:
    __slots__ = ("env", "errors", "uses")

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.uses: list[VariableUse] = []
        self.errors: list[str] = []

    def run(self, text: str, depth: int = 0) -> str:
        if "$" not in text:
            return text
        out: list[str] = []
        i = 0
        n = len(text)
        while i < n:
            j = text.find("$", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            if j + 1 >= n:
                out.append("$")
                break
            nxt = text[j + 1]
            if nxt == "$":
                out.append("$")
                i = j + 2
            elif nxt == "{":
                i = self._braced(text, j, out, depth)
            elif _is_name_start(nxt):
                k = j + 1
                while k < n and _is_name_char(text[k]):
                    k += 1
                name = text[j + 1 : k]
                value = self.env.get(name)
                self.uses.append(VariableUse(name, "", value is not None, not value, j))
                out.append(value or "")
                i = k
            else:
                out.append("$")
                i = j + 1
        return "".join(out)

    def _braced(self, text: str, start: int, out: list[str], depth: int) -> int:
        close = _closing_brace(text, start + 2)
        if close < 0:
            self.errors.append(f"invalid interpolation format: unclosed '${{' in {text!r}")
            out.append(text[start:])
            return len(text)
        body = text[start + 2 : close]
        k = 0
        if k < len(body) and _is_name_start(body[0]):
            k = 1
            while k < len(body) and _is_name_char(body[k]):
                k += 1
        name = body[:k]
        rest = body[k:]
        operator = ""
        argument = ""
        if rest:
            for op in OPERATORS:
                if rest.startswith(op):
                    operator = op
                    argument = rest[len(op) :]
                    break
        if not name or (rest and not operator) or depth >= MAX_DEPTH:
            self.errors.append(f"invalid interpolation format for ${{{body}}}")
            out.append(text[start : close + 1])
            return close + 1
        value = self.env.get(name)
        defined = value is not None
        empty = not value
        self.uses.append(VariableUse(name, operator, defined, empty, start, argument))
        if operator == "":
            out.append(value or "")
        elif operator == ":-":
            out.append(value if not empty and value is not None else self.run(argument, depth + 1))
        elif operator == "-":
            out.append(value if value is not None else self.run(argument, depth + 1))
        elif operator == ":+":
            out.append(self.run(argument, depth + 1) if not empty else "")
        elif operator == "+":
            out.append(self.run(argument, depth + 1) if defined else "")
        else:  # ":?" or "?"
            missing = (empty if operator == ":?" else not defined) or value is None
            if missing:
                message = self.run(argument, depth + 1) if argument else ""
                detail = f": {message}" if message else ""
                self.errors.append(f"required variable {name} is missing a value{detail}")
                out.append("")
            else:
                out.append(value or "")
        return close + 1


def interpolate(text: str, env: Mapping[str, str]) -> Interpolation:
    """Substitute the variables of `text` from `env` as Compose does."""
    if "$" not in text:
        return Interpolation(text)
    it = _Interpolator(env)
    value = it.run(text)
    return Interpolation(value, tuple(it.uses), tuple(it.errors))


def variables(text: str) -> tuple[VariableUse, ...]:
    """The variables `text` uses (top level and in defaults), as if none had a value."""
    if "$" not in text:
        return ()
    return interpolate(text, {}).uses


def has_variable(text: str) -> bool:
    """True when the text holds a `$VAR`/`${...}` (not only `$$` escapes)."""
    if "$" not in text:
        return False
    return bool(variables(text)) or "${" in text.replace("$$", "")
