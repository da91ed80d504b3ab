"""The project's keepdata configuration: `keepdata.toml` or `.keepdata.toml` at the root.

```toml
ignore = ["KD106"]                  # rules whose findings are suppressed everywhere
exclude = ["docs/**"]               # globs (root-relative) that discovery skips
fail-on = "medium"                  # lowest severity that makes `keepdata check` fail
valuable-models = ["Ledger"]        # extra model names KD502 treats as valuable
require-reasons = true              # an inline keepdata-ignore without a reason is not honoured

[severity]                          # per-rule severity overrides
KD403 = "high"

[per-file-ignores]                  # rules suppressed in the files a glob matches
"examples/**" = ["KD101", "KD401"]

[migrations]
baseline = "20240101000000_init"    # migrations at or before this name are history

[contexts]                          # the context of the files a glob matches (first wins)
"docker/dev/**" = "development"     # production, development or test
```

Rules may be named by id (`KD106`) or by name (`db-bind-mount`). Anything wrong in the file
(TOML syntax, an unknown key, a wrong type, an unknown rule or severity) raises `ConfigError`
naming the file and line; the CLI reports it and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from analysis.catalog import BY_ID, RULES
from analysis.lazy_re import lazy_compile
from analysis.model import Severity
from analysis.records import dataclass

if TYPE_CHECKING:
    import tomllib

CONFIG_NAMES = ("keepdata.toml", ".keepdata.toml")
FAIL_LEVELS = ("critical", "high", "medium", "low", "info", "never")
TOP_KEYS = (
    "ignore",
    "severity",
    "exclude",
    "fail-on",
    "valuable-models",
    "per-file-ignores",
    "migrations",
    "require-reasons",
    "contexts",
)
MIGRATIONS_KEYS = ("baseline",)
CONTEXTS = ("production", "development", "test")

_BY_NAME = {r.name: r.id for r in RULES}


class ConfigError(Exception):
    """A configuration file that keepdata cannot use: `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(slots=True, frozen=True)
class RuleEntry:
    """A rule named in the config file, with the line that names it."""

    rule: str
    line: int


@dataclass(slots=True, frozen=True)
class SeverityOverride:
    rule: str
    severity: Severity
    line: int


@dataclass(slots=True, frozen=True)
class PathIgnore:
    """`[per-file-ignores]`: `pattern` (a root-relative glob) and the rules it silences."""

    pattern: str
    rules: tuple[RuleEntry, ...]


@dataclass(slots=True, frozen=True)
class ContextOverride:
    """`[contexts]`: the files `pattern` (a root-relative glob) matches are in `context`."""

    pattern: str
    context: str
    line: int


@dataclass(slots=True, frozen=True)
class Config:
    """What one configuration file says. `path` is how findings and errors name the file:
    root-relative when the file lies under the analyzed root, else as given."""

    path: str
    ignore: tuple[RuleEntry, ...] = ()
    severity: tuple[SeverityOverride, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    valuable_models: tuple[str, ...] = ()
    per_file_ignores: tuple[PathIgnore, ...] = ()
    baseline: str | None = None
    baseline_line: int = 0
    require_reasons: bool = False
    """An inline `keepdata-ignore` without a reason is not honoured (and is reported)."""
    contexts: tuple[ContextOverride, ...] = ()

    def severity_for(self, rule: str) -> Severity | None:
        for o in self.severity:
            if o.rule == rule:
                return o.severity
        return None


EMPTY = Config(path="")


# -- finding the file ----------------------------------------------------------------------
def find_config(root: Path) -> Path | None:
    """The config file at `root`: `keepdata.toml`, else `.keepdata.toml`, else None."""
    found = [root / name for name in CONFIG_NAMES if (root / name).is_file()]
    if len(found) > 1:
        raise ConfigError(
            str(found[1]),
            None,
            f"both {CONFIG_NAMES[0]} and {CONFIG_NAMES[1]} exist in {root}; keep one",
        )
    return found[0] if found else None


def load_config(root: Path, override: str | Path | None = None) -> Config:
    """Read the root's config (or `override`, the `--config FILE`); EMPTY when there is none."""
    if override is not None:
        path = Path(override)
        if not path.is_file():
            raise ConfigError(str(path), None, "config file not found")
    else:
        found = find_config(root)
        if found is None:
            return EMPTY
        path = found
    display = _display_path(root, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, "not valid UTF-8") from None
    return parse_config(text, display, error_path=str(path))


def _display_path(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


# -- parsing -------------------------------------------------------------------------------
def parse_config(text: str, path: str, error_path: str | None = None) -> Config:
    """Parse and validate a config file's text. `path` names it in findings (root-relative),
    `error_path` in errors (as the user would type it; defaults to `path`)."""
    epath = error_path or path
    text = text.replace("\r\n", "\n")
    import tomllib  # only a project with a keepdata.toml pays for it (~3 ms)

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = _decode_error(exc, text)
        raise ConfigError(epath, line, f"invalid TOML: {message}") from None
    except RecursionError:
        raise ConfigError(
            epath, None, "nested too deeply to read (past Python's recursion limit)"
        ) from None
    lines = _KeyLines(text)

    def fail(key: tuple[str, ...], message: str, needle: str | None = None) -> ConfigError:
        return ConfigError(epath, lines.line(key, needle), message)

    for top in doc:
        if top not in TOP_KEYS:
            raise fail((top,), f"unknown key {top!r}{_did_you_mean(top, TOP_KEYS)}")

    ignore = _rule_list(doc, "ignore", lines, fail)
    exclude = _string_list(doc, "exclude", fail)
    valuable = _string_list(doc, "valuable-models", fail)

    fail_on: str | None = None
    if "fail-on" in doc:
        value = doc["fail-on"]
        if not isinstance(value, str):
            raise fail(("fail-on",), f"fail-on must be a string, not {_type_name(value)}")
        if value.strip().lower() not in FAIL_LEVELS:
            raise fail(
                ("fail-on",),
                f"unknown severity {value!r} in fail-on (one of: {', '.join(FAIL_LEVELS)})",
            )
        fail_on = value.strip().lower()

    require_reasons = doc.get("require-reasons", False)
    if not isinstance(require_reasons, bool):
        raise fail(
            ("require-reasons",),
            f"require-reasons must be true or false, not {_type_name(require_reasons)}",
        )

    overrides: list[SeverityOverride] = []
    table = doc.get("severity", {})
    if not isinstance(table, dict):
        raise fail(("severity",), f"severity must be a table, not {_type_name(table)}")
    for raw, value in table.items():
        key = ("severity", raw)
        rule = rule_id_of(raw)
        if rule is None:
            raise fail(key, f"unknown rule {raw!r} in severity{rule_hint(raw)}", raw)
        if not isinstance(value, str):
            raise fail(key, f"severity of {raw} must be a string, not {_type_name(value)}", raw)
        try:
            sev = Severity.parse(value)
        except ValueError:
            levels = ", ".join(s.label for s in sorted(Severity, reverse=True))
            raise fail(
                key, f"unknown severity {value!r} for {raw} (one of: {levels})", raw
            ) from None
        overrides.append(SeverityOverride(rule, sev, lines.line(key, raw)))

    per_file: list[PathIgnore] = []
    table = doc.get("per-file-ignores", {})
    if not isinstance(table, dict):
        raise fail(
            ("per-file-ignores",), f"per-file-ignores must be a table, not {_type_name(table)}"
        )
    for pattern, value in table.items():
        key = ("per-file-ignores", pattern)
        if not isinstance(value, list):
            raise fail(
                key,
                f"per-file-ignores {pattern!r} must be a list of rules, not {_type_name(value)}",
                pattern,
            )
        entries = []
        for item in value:
            if not isinstance(item, str):
                raise fail(
                    key, f"per-file-ignores {pattern!r} lists {_type_name(item)}, not a rule"
                )
            rule = rule_id_of(item)
            if rule is None:
                raise fail(
                    key,
                    f"unknown rule {item!r} in per-file-ignores{rule_hint(item)}",
                    item,
                )
            entries.append(RuleEntry(rule, lines.line(key, item)))
        per_file.append(PathIgnore(pattern.strip().removeprefix("./"), tuple(entries)))

    baseline: str | None = None
    baseline_line = 0
    table = doc.get("migrations", {})
    if not isinstance(table, dict):
        raise fail(("migrations",), f"migrations must be a table, not {_type_name(table)}")
    for key_name, value in table.items():
        key = ("migrations", key_name)
        if key_name not in MIGRATIONS_KEYS:
            raise fail(
                key,
                f"unknown key {key_name!r} in [migrations]"
                f"{_did_you_mean(key_name, MIGRATIONS_KEYS)}",
                key_name,
            )
        if not isinstance(value, str) or not value.strip():
            raise fail(key, "migrations.baseline must be a migration folder name", key_name)
        baseline = value.strip().rstrip("/").rsplit("/", 1)[-1]
        baseline_line = lines.line(key, key_name)

    contexts: list[ContextOverride] = []
    table = doc.get("contexts", {})
    if not isinstance(table, dict):
        raise fail(("contexts",), f"contexts must be a table, not {_type_name(table)}")
    for pattern, value in table.items():
        key = ("contexts", pattern)
        if not pattern.strip():
            raise fail(key, "contexts: an empty glob matches nothing", pattern)
        if not isinstance(value, str):
            raise fail(
                key,
                f"contexts {pattern!r} must be a string ({', '.join(CONTEXTS)}), "
                f"not {_type_name(value)}",
                pattern,
            )
        if value.strip().lower() not in CONTEXTS:
            raise fail(
                key,
                f"unknown context {value!r} for {pattern!r}"
                f"{_did_you_mean(value.strip().lower(), CONTEXTS)}",
                pattern,
            )
        contexts.append(
            ContextOverride(
                pattern.strip().removeprefix("./"),
                value.strip().lower(),
                lines.line(key, pattern),
            )
        )

    return Config(
        path=path,
        contexts=tuple(contexts),
        ignore=ignore,
        severity=tuple(overrides),
        exclude=exclude,
        fail_on=fail_on,
        valuable_models=valuable,
        per_file_ignores=tuple(per_file),
        baseline=baseline,
        baseline_line=baseline_line,
        require_reasons=require_reasons,
    )


class _Fail(Protocol):
    """Builds the ConfigError for a key (located at `needle` within it, when given)."""

    def __call__(
        self, key: tuple[str, ...], message: str, needle: str | None = None
    ) -> ConfigError: ...


def _rule_list(
    doc: dict[str, Any], key: str, lines: _KeyLines, fail: _Fail
) -> tuple[RuleEntry, ...]:
    if key not in doc:
        return ()
    value = doc[key]
    if not isinstance(value, list):
        raise fail((key,), f"{key} must be a list of rules, not {_type_name(value)}")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise fail((key,), f"{key} lists {_type_name(item)}, not a rule")
        rule = rule_id_of(item)
        if rule is None:
            raise fail((key,), f"unknown rule {item!r} in {key}{rule_hint(item)}", item)
        out.append(RuleEntry(rule, lines.line((key,), item)))
    return tuple(out)


def _string_list(doc: dict[str, Any], key: str, fail: _Fail) -> tuple[str, ...]:
    if key not in doc:
        return ()
    value = doc[key]
    if not isinstance(value, list):
        raise fail((key,), f"{key} must be a list of strings, not {_type_name(value)}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise fail((key,), f"{key} lists {_type_name(item)}, not a non-empty string")
    return tuple(item.strip() for item in value)


def rule_id_of(text: str) -> str | None:
    t = text.strip()
    if t.upper() in BY_ID:
        return t.upper()
    return _BY_NAME.get(t.lower())


def rule_hint(text: str) -> str:
    t = text.strip()
    if t[:2].upper() == "KD":
        fixed = "KD" + t[2:].upper().translate(str.maketrans("OIL", "011"))
        return f" (did you mean {fixed}?)" if fixed in BY_ID else " (see `keepdata rules`)"
    import difflib  # only for a mistyped rule: not loaded on every run

    close = difflib.get_close_matches(t.lower(), list(_BY_NAME), n=1, cutoff=0.8)
    return f" (did you mean {close[0]}?)" if close else " (see `keepdata rules`)"


def _did_you_mean(key: str, choices: tuple[str, ...]) -> str:
    import difflib  # only for a mistyped key

    close = difflib.get_close_matches(key.replace("_", "-"), choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(choices)})"


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_AT_LINE = lazy_compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_AT_END = lazy_compile(r"\s*\(at end of document\)\s*$")


def _decode_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    # the standard library's exception: `lineno` and `msg` exist from Python 3.14 on
    lineno = getattr(exc, "lineno", None)
    message = str(getattr(exc, "msg", "") or exc)
    m = _AT_LINE.search(message)
    if m:
        return int(m.group(1)), message[: m.start()]
    m = _AT_END.search(message)
    if m:
        return max(1, text.count("\n") + (0 if text.endswith("\n") else 1)), message[: m.start()]
    return (int(lineno) if isinstance(lineno, int) else None), message


# -- where a key or value is written -------------------------------------------------------
_TABLE = lazy_compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = lazy_compile(
    r"""^\s*(?P<key>(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*="""
)
_PART = lazy_compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*""")


def _split_key(text: str) -> tuple[str, ...]:
    parts = []
    for m in _PART.finditer(text):
        parts.append(next(g for g in m.groups() if g is not None))
    return tuple(parts)


class _KeyLines:
    """Maps key paths of a TOML text to the lines that write them (tomllib keeps no lines).

    Good enough for error messages: tables, dotted keys, values of multi-line arrays.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        # key path -> (first line, last line of its value span), 1-based
        self.spans: dict[tuple[str, ...], tuple[int, int]] = {}
        starts: list[tuple[int, tuple[str, ...]]] = []
        table: tuple[str, ...] = ()
        for i, raw in enumerate(self.lines, start=1):
            m = _TABLE.match(raw)
            if m and "=" not in raw.split("#", 1)[0]:
                table = _split_key(m.group("name"))
                starts.append((i, table))
                continue
            m = _KEY.match(raw)
            if m:
                starts.append((i, table + _split_key(m.group("key"))))
        for n, (line, key) in enumerate(starts):
            end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(self.lines)
            if key not in self.spans:
                self.spans[key] = (line, end)

    def line(self, key: tuple[str, ...], needle: str | None = None) -> int:
        """The line of `key` (or of its closest written ancestor); with `needle`, the line
        inside that key's value span that contains it."""
        k = key
        while k and k not in self.spans:
            k = k[:-1]
        if not k:
            return 1
        start, end = self.spans[k]
        if needle is not None:
            end = max(end, self._table_end(k))
            for i in range(start, end + 1):
                if needle in self.lines[i - 1]:
                    return i
        return start

    def _table_end(self, key: tuple[str, ...]) -> int:
        last = self.spans[key][1]
        for other, (_, end) in self.spans.items():
            if other[: len(key)] == key:
                last = max(last, end)
        return last
