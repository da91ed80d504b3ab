"""After the rules: inline `keepdata-ignore` comments, config ignores, severity overrides and
the migration baseline. The engine calls `postprocess(ctx, findings)` once per run.

An inline suppression is a comment in the file's own syntax:

    # keepdata-ignore KD403                      YAML, shell, Dockerfile, .env, TOML, Makefile
    // keepdata-ignore KD501, KD508: audited     Prisma, JS/TS
    -- keepdata-ignore KD602 -- column unused    migration SQL
    "//": "keepdata-ignore KD216"                package.json and other JSON (npm's comment key)

It covers findings on its own line and on the line below (a run of such comments stacked
above one line all cover that line). Above a statement that spans several lines it covers the
whole statement: a SQL statement up to its `;` (other comments, such as Prisma's
`-- AlterTable` header, may stand between), or a Dockerfile instruction or shell command
continued with a backslash.
Without rule ids it covers every finding there. A reason follows ` -- ` or `: `.

`keepdata-ignore-file` (same syntax, anywhere in the file) covers the whole file.

Suppressed findings stay in the results with `suppressed=Suppression`; a comment or config
entry that suppresses nothing, or names an unknown rule, is itself reported as KD003. With
`require-reasons = true` in keepdata.toml an inline comment without a reason is not honoured
(the findings it would cover stay) and is reported as KD003. `--disable-inline-ignores` on
`check` reads no inline comment at all (config entries still apply).
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from analysis.catalog import BY_ID, RULES
from analysis.config import Config, RuleEntry, rule_hint
from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Severity, Suppression
from analysis.records import dataclass
from analysis.sources import SourceFile

if TYPE_CHECKING:
    from analysis.context import Context

KEYWORD = "keepdata-ignore"
FILE_KEYWORD = "keepdata-ignore-file"
UNUSED_RULE = "KD003"

_NAMES = {r.name: r.id for r in RULES}

_SLASH_EXT = (
    ".prisma",
    ".js",
    ".mjs",
    ".cjs",
    ".jsx",
    ".ts",
    ".mts",
    ".cts",
    ".tsx",
    ".jsonc",
)

_HASH = lazy_compile(
    r"(?:^|(?<=\s))#+[ \t]*keepdata-ignore(?P<file>-file)?(?![\w-])(?P<rest>.*)$", re.IGNORECASE
)
_SLASH = lazy_compile(
    r"//+[ \t]*keepdata-ignore(?P<file>-file)?(?![\w-])(?P<rest>.*)$", re.IGNORECASE
)
_BLOCK = lazy_compile(
    r"/\*+[ \t]*keepdata-ignore(?P<file>-file)?(?![\w-])(?P<rest>.*?)\*/", re.IGNORECASE
)
_DASH = lazy_compile(
    r"--[ \t]*keepdata-ignore(?P<file>-file)?(?![\w-])(?P<rest>.*)$", re.IGNORECASE
)
_JSON = lazy_compile(
    r'"//"\s*:\s*"[ \t]*keepdata-ignore(?P<file>-file)?(?![\w-])(?P<rest>[^"]*)"', re.IGNORECASE
)
_TOKEN = lazy_compile(r"[\s,]*(?P<tok>[A-Za-z][A-Za-z0-9-]*)")


@dataclass(slots=True, frozen=True)
class Directive:
    """One `keepdata-ignore` comment. `rules` empty means every rule; `spans` are the line
    ranges (first, last) it covers; `whole_file` for `keepdata-ignore-file`."""

    line: int
    column: int
    rules: tuple[str, ...]
    unknown: tuple[str, ...]
    reason: str
    spans: tuple[tuple[int, int], ...]
    whole_file: bool = False

    @property
    def targets(self) -> tuple[int, ...]:
        """Every line the comment covers (empty for a whole-file comment)."""
        return tuple(dict.fromkeys(n for a, b in self.spans for n in range(a, b + 1)))

    def covers_line(self, line: int) -> bool:
        return self.whole_file or any(a <= line <= b for a, b in self.spans)

    def covers(self, finding: Finding) -> bool:
        if not self.covers_line(finding.location.line):
            return False
        if not self.rules:
            return not self.unknown  # `keepdata-ignore KD999` alone covers nothing
        return finding.rule in self.rules

    def where(self) -> str:
        """The lines it covers, for messages: `line 4`, `lines 3-7`, `this file`."""
        if self.whole_file:
            return "this file"
        parts = [str(a) if a == b else f"{a}-{b}" for a, b in _merged(self.spans)]
        single = len(parts) == 1 and "-" not in parts[0]
        return ("line " if single else "lines ") + " or ".join(parts)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


@dataclass(slots=True, frozen=True)
class Directives:
    path: str
    items: tuple[Directive, ...]


# -- reading comments ----------------------------------------------------------------------
def comment_patterns(path: str) -> tuple[re.Pattern[str], ...]:
    """The comment syntaxes of a file, judged by its name."""
    lower = path.rsplit("/", 1)[-1].lower()
    if lower.endswith(".sql"):
        return (_DASH, _BLOCK)
    if lower.endswith(_SLASH_EXT):
        return (_SLASH, _BLOCK)
    if lower.endswith(".json"):
        return (_JSON,)
    return (_HASH,)


def _looks_like_rule_name(tok: str) -> bool:
    """A hyphenated word close to a rule name (`drop-colum`): a typo, not the reason's start."""
    if "-" not in tok:
        return False
    import difflib  # loaded for a hyphenated word only

    return bool(difflib.get_close_matches(tok.lower(), list(_NAMES), 1, 0.8))


def parse_rest(rest: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Rule ids (known, unknown) and the reason after `keepdata-ignore`."""
    rules: list[str] = []
    unknown: list[str] = []
    pos = 0
    while True:
        m = _TOKEN.match(rest, pos)
        if not m:
            break
        tok = m.group("tok")
        upper = tok.upper()
        if re.fullmatch(r"KD\w*", upper):
            (rules if upper in BY_ID else unknown).append(upper)
        elif tok.lower() in _NAMES:
            rules.append(_NAMES[tok.lower()])
        elif _looks_like_rule_name(tok):
            unknown.append(tok)
        else:
            break
        pos = m.end()
    reason = rest[pos:].strip()
    for sep in ("--", ":", "—", "-"):
        if reason.startswith(sep):
            reason = reason[len(sep) :].strip()
            break
    return tuple(dict.fromkeys(rules)), tuple(dict.fromkeys(unknown)), reason


_SQL_SKIP = lazy_compile(
    r"'(?:[^']|'')*(?:'|\Z)"  # a string ('' inside)
    r'|"(?:[^"]|"")*(?:"|\Z)'  # a quoted name
    r"|\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z)"  # a dollar-quoted body
    r"|--[^\n]*"  # a line comment
    r"|/\*.*?(?:\*/|\Z)"  # a block comment
    r"|;",
    re.S,
)


def sql_statement_spans(text: str) -> dict[int, int]:
    """First line of each SQL statement's code (after leading comments) -> its last line (the
    line of its `;`). Split on `;` outside strings, quoted names, dollar quotes and comments,
    like the migration parser's fallback, with one regular expression."""
    from analysis.parsers.migration_sql.text import _skip_to_code

    newlines = [m.start() for m in re.finditer("\n", text)]
    ends = [m.start() for m in _SQL_SKIP.finditer(text) if m.group() == ";"]
    ends.append(len(text))
    out: dict[int, int] = {}
    start = 0
    for end in ends:
        code = _skip_to_code(text, start, end)
        if code < end:
            first = bisect.bisect_left(newlines, code) + 1
            last = bisect.bisect_left(newlines, max(code, end - 1)) + 1
            out.setdefault(first, last)
        start = end + 1
    return out


def _statement_end(lines: list[str], start: int, statements: dict[int, int] | None) -> int:
    """The last line of the statement that begins on line `start` (1-based): its `;` in SQL,
    the last `\\`-continued line elsewhere; `start` itself for a one-line statement."""
    if statements is not None:
        return statements.get(start, start)
    end = start
    while end <= len(lines) and lines[end - 1].rstrip().endswith("\\"):
        end += 1
    return min(end, max(len(lines), start))


def parse_directives(source: SourceFile) -> Directives:
    """Every `keepdata-ignore` comment of a file, with the lines it covers."""
    if KEYWORD not in source.text.lower():
        return Directives(source.path, ())
    patterns = comment_patterns(source.path)
    lines = source.text.split("\n")
    found: list[tuple[int, int, str, bool, bool]] = []
    for n, text in enumerate(lines, start=1):
        if "keepdata-ignore" not in text.lower():
            continue
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                own_line = not text[: m.start()].strip() or (
                    pattern is _JSON and text[: m.start()].strip() in ("", "{", ",")
                )
                found.append((n, m.start() + 1, m.group("rest"), own_line, bool(m.group("file"))))
                break
    if not found:
        return Directives(source.path, ())
    is_sql = _DASH in patterns
    statements = sql_statement_spans(source.text) if is_sql else None
    own = {n for n, _, _, is_own, _ in found if is_own}
    items = []
    for n, column, rest, is_own, whole_file in found:
        rules, unknown, reason = parse_rest(rest)
        if whole_file:
            items.append(Directive(n, column, rules, unknown, reason, (), whole_file=True))
            continue
        if not is_own:  # a comment after code: its line, and the statement that starts there
            spans = ((n, _statement_end(lines, n, statements)), (n + 1, n + 1))
            items.append(Directive(n, column, rules, unknown, reason, spans))
            continue
        below = n + 1
        while below in own:
            below += 1
        start = below
        if is_sql:  # comments (Prisma's `-- AlterTable`) may stand between it and the statement
            while start <= len(lines) and lines[start - 1].lstrip().startswith("--"):
                start += 1
            if start not in statements:  # type: ignore[operator]
                start = below
        spans = ((n, n), (below, max(below, _statement_end(lines, start, statements))))
        items.append(Directive(n, column, rules, unknown, reason, spans))
    return Directives(source.path, tuple(items))


# -- config matching -----------------------------------------------------------------------
def path_matches(path: str, pattern: str) -> bool:
    """gitignore-like: a pattern without `/` matches the file name; `dir/` or `dir/**`
    matches everything below `dir`. Windows separators (`\\`) read as `/`."""
    pat = pattern.strip().replace("\\", "/").removeprefix("./")
    if not pat:
        return False
    if "/" not in pat.rstrip("/"):
        name = path.rsplit("/", 1)[-1]
        if fnmatch.fnmatchcase(name, pat.rstrip("/")):
            return True
        return any(fnmatch.fnmatchcase(part, pat.rstrip("/")) for part in path.split("/")[:-1])
    pat = pat.rstrip("/")
    return (
        fnmatch.fnmatchcase(path, pat)
        or fnmatch.fnmatchcase(path, pat + "/*")
        or (pat.endswith("/**") and path == pat[:-3])
    )


def migration_name(path: str) -> str | None:
    """The migration folder a finding's path lies in (`.../20240101000000_init/...`)."""
    parts = path.split("/")
    if len(parts) >= 2 and parts[-1] == "migration.sql":
        return parts[-2]
    for i, part in enumerate(parts[:-1]):
        if part == "migrations":
            return parts[i + 1]
    return None


# -- the pass the engine runs --------------------------------------------------------------
def postprocess(ctx: Context, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Apply suppressions, severity overrides and the baseline; add KD003 for unused ones."""
    config: Config = ctx.settings.config
    directives = _directives(ctx) if ctx.settings.inline_ignores else {}
    unreasoned: dict[str, tuple[Directive, ...]] = {}
    if config.require_reasons:
        unreasoned = {p: tuple(d for d in ds if not d.reason) for p, ds in directives.items()}
        unreasoned = {p: ds for p, ds in unreasoned.items() if ds}
        directives = {p: tuple(d for d in ds if d.reason) for p, ds in directives.items()}
    used: set[tuple[str, int]] = set()  # (path, line) of directives that matched
    used_entries: set[tuple[str, int, str]] = set()  # (kind, line, rule) of config entries
    out: list[Finding] = []
    for f in findings:
        out.append(_suppress(f, directives, config, used, used_entries))
    extras = [
        *_unused(directives, config, used, used_entries, out),
        *_unreasoned(unreasoned, config),
    ]
    for extra in extras:
        out.append(_suppress(extra, {}, config, used, used_entries))
    if config.path and not config.path.startswith(("/", "../")):
        ctx.source(config.path)  # an input of the run: listed with the files, cited as evidence
    return tuple(_adjust(f, config) for f in out)


def _directives(ctx: Context) -> dict[str, tuple[Directive, ...]]:
    out: dict[str, tuple[Directive, ...]] = {}
    sources: dict[str, SourceFile | None] = ctx.sources
    for path, src in sources.items():
        if src is None or KEYWORD not in src.text.lower():
            continue
        parsed = ctx.parse(path, parse_directives)
        if parsed is not None and parsed.items:
            out[path] = parsed.items
    return out


def _suppress(
    f: Finding,
    directives: dict[str, tuple[Directive, ...]],
    config: Config,
    used: set[tuple[str, int]],
    used_entries: set[tuple[str, int, str]],
) -> Finding:
    suppression: Suppression | None = f.suppressed
    for d in directives.get(f.location.path, ()):
        if d.covers(f):
            used.add((f.location.path, d.line))
            if suppression is None:
                suppression = Suppression(Location(f.location.path, d.line, d.column), d.reason)
    for entry in config.ignore:
        if entry.rule == f.rule:
            used_entries.add(("ignore", entry.line, entry.rule))
            if suppression is None:
                suppression = Suppression(
                    Location(config.path, entry.line), f"ignored in {config.path}"
                )
    for block in config.per_file_ignores:
        for entry in block.rules:
            if entry.rule == f.rule and path_matches(f.location.path, block.pattern):
                used_entries.add(("per-file", entry.line, entry.rule))
                if suppression is None:
                    suppression = Suppression(
                        Location(config.path, entry.line),
                        f"ignored for {block.pattern} in {config.path}",
                    )
    return f if suppression is f.suppressed else replace(f, suppressed=suppression)


def _label(d: Directive) -> str:
    return FILE_KEYWORD if d.whole_file else KEYWORD


def _unused(
    directives: dict[str, tuple[Directive, ...]],
    config: Config,
    used: set[tuple[str, int]],
    used_entries: set[tuple[str, int, str]],
    findings: list[Finding],
) -> Iterable[Finding]:
    severity = BY_ID[UNUSED_RULE].severity
    by_path: dict[str, list[tuple[int, str]]] = {}
    for f in findings:
        by_path.setdefault(f.location.path, []).append((f.location.line, f.rule))
    for path, items in directives.items():
        for d in items:
            loc = Location(path, d.line, d.column)
            for rule in d.unknown:
                yield Finding(
                    UNUSED_RULE,
                    severity,
                    f"{_label(d)} names unknown rule {rule}{rule_hint(rule)}",
                    loc,
                    key=f"unknown:{rule}",
                )
            where = ("in " if d.whole_file else "on ") + d.where()
            if not d.rules:
                if (path, d.line) not in used and not d.unknown:
                    yield Finding(
                        UNUSED_RULE,
                        severity,
                        f"{_label(d)} suppresses nothing: no finding {where}",
                        loc,
                    )
                continue
            present = {rule for line, rule in by_path.get(path, ()) if d.covers_line(line)}
            unused = [r for r in d.rules if r not in present]
            if unused:
                names = ", ".join(unused)
                yield Finding(
                    UNUSED_RULE,
                    severity,
                    f"{_label(d)} {names} suppresses nothing: no {names} finding {where}",
                    loc,
                    key=f"unused:{names}",
                )
    if not config.path:
        return
    for entry in config.ignore:
        if entry.rule != UNUSED_RULE and ("ignore", entry.line, entry.rule) not in used_entries:
            yield _unused_entry(config, entry, f"ignore lists {entry.rule}, but no {entry.rule}")
    for block in config.per_file_ignores:
        for entry in block.rules:
            if ("per-file", entry.line, entry.rule) not in used_entries:
                yield _unused_entry(
                    config,
                    entry,
                    f"per-file-ignores {block.pattern!r} lists {entry.rule}, "
                    f"but no {entry.rule} in the files it matches",
                )


def _unreasoned(directives: dict[str, tuple[Directive, ...]], config: Config) -> Iterable[Finding]:
    """`require-reasons = true`: each inline comment without a reason, not honoured."""
    for path, items in directives.items():
        for d in items:
            named = " " + ", ".join(d.rules) if d.rules else ""
            yield Finding(
                UNUSED_RULE,
                BY_ID[UNUSED_RULE].severity,
                f"{_label(d)}{named} gives no reason, and {config.path} sets require-reasons = "
                f"true: not honoured (write the reason after `: `, e.g. "
                f"`{_label(d)}{named}: why this is safe`)",
                Location(path, d.line, d.column),
                key="no-reason",
            )


def _unused_entry(config: Config, entry: RuleEntry, what: str) -> Finding:
    return Finding(
        UNUSED_RULE,
        BY_ID[UNUSED_RULE].severity,
        f"{what} finding exists: the entry suppresses nothing",
        Location(config.path, entry.line),
        key=f"config:{entry.rule}",
    )


def _adjust(f: Finding, config: Config) -> Finding:
    sev = config.severity_for(f.rule)
    if sev is not None and sev != f.severity:
        f = f.with_severity(sev)
    if config.baseline and f.rule.startswith("KD6"):
        name = migration_name(f.location.path)
        if name is not None and name <= config.baseline and f.severity != Severity.INFO:
            f = replace(
                f,
                severity=Severity.INFO,
                message=f"{f.message} (migration {name} is at or before the baseline "
                f"{config.baseline} in {config.path}: history)",
            )
    return f
