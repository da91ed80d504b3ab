"""After the rules: inline `keepdata-ignore` comments, config ignores, severity overrides and
the migration baseline. The engine calls `postprocess(ctx, findings)` once per run.

An inline suppression is a comment in the file's own syntax:

    # keepdata-ignore KD403                      YAML, shell, Dockerfile, .env, TOML, Makefile
    // keepdata-ignore KD501, KD508: audited     Prisma, JS/TS
    -- keepdata-ignore KD602 -- column unused    migration SQL
    "//": "keepdata-ignore KD216"                package.json and other JSON (npm's comment key)

It covers findings on its own line and on the line below (a run of such comments stacked
above one line all cover that line). Without rule ids it covers every finding there. A reason
follows ` -- ` or `: `. Suppressed findings stay in the results with `suppressed=Suppression`;
a comment or config entry that suppresses nothing is itself reported as KD003.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from analysis.catalog import BY_ID, RULES
from analysis.config import EMPTY, Config, RuleEntry
from analysis.model import Finding, Location, Severity, Suppression
from analysis.sources import SourceFile

KEYWORD = "keepdata-ignore"
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

_HASH = re.compile(r"(?:^|(?<=\s))#+[ \t]*keepdata-ignore(?![\w-])(?P<rest>.*)$", re.IGNORECASE)
_SLASH = re.compile(r"//+[ \t]*keepdata-ignore(?![\w-])(?P<rest>.*)$", re.IGNORECASE)
_BLOCK = re.compile(r"/\*+[ \t]*keepdata-ignore(?![\w-])(?P<rest>.*?)\*/", re.IGNORECASE)
_DASH = re.compile(r"--[ \t]*keepdata-ignore(?![\w-])(?P<rest>.*)$", re.IGNORECASE)
_JSON = re.compile(r'"//"\s*:\s*"[ \t]*keepdata-ignore(?![\w-])(?P<rest>[^"]*)"', re.IGNORECASE)
_TOKEN = re.compile(r"[\s,]*(?P<tok>[A-Za-z][A-Za-z0-9-]*)")


@dataclass(slots=True, frozen=True)
class Directive:
    """One `keepdata-ignore` comment. `rules` empty means every rule."""

    line: int
    column: int
    rules: tuple[str, ...]
    unknown: tuple[str, ...]
    reason: str
    targets: tuple[int, ...]

    def covers(self, finding: Finding) -> bool:
        if finding.location.line not in self.targets:
            return False
        if not self.rules:
            return not self.unknown  # `keepdata-ignore KD999` alone covers nothing
        return finding.rule in self.rules


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
        else:
            break
        pos = m.end()
    reason = rest[pos:].strip()
    for sep in ("--", ":", "—", "-"):
        if reason.startswith(sep):
            reason = reason[len(sep) :].strip()
            break
    return tuple(dict.fromkeys(rules)), tuple(dict.fromkeys(unknown)), reason


def parse_directives(source: SourceFile) -> Directives:
    """Every `keepdata-ignore` comment of a file, with the lines it covers."""
    if KEYWORD not in source.text.lower():
        return Directives(source.path, ())
    patterns = comment_patterns(source.path)
    found: list[tuple[int, int, str, bool]] = []
    for n, text in enumerate(source.text.split("\n"), start=1):
        if "keepdata-ignore" not in text.lower():
            continue
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                own_line = not text[: m.start()].strip() or (
                    pattern is _JSON and text[: m.start()].strip() in ("", "{", ",")
                )
                found.append((n, m.start() + 1, m.group("rest"), own_line))
                break
    own = {n for n, _, _, is_own in found if is_own}
    items = []
    for n, column, rest, is_own in found:
        below = n + 1
        if is_own:
            while below in own:
                below += 1
        rules, unknown, reason = parse_rest(rest)
        items.append(Directive(n, column, rules, unknown, reason, (n, below)))
    return Directives(source.path, tuple(items))


# -- config matching -----------------------------------------------------------------------
def path_matches(path: str, pattern: str) -> bool:
    """gitignore-like: a pattern without `/` matches the file name; `dir/` or `dir/**`
    matches everything below `dir`."""
    pat = pattern.strip().removeprefix("./")
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
def postprocess(ctx: Any, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Apply suppressions, severity overrides and the baseline; add KD003 for unused ones."""
    config: Config = getattr(getattr(ctx, "settings", None), "config", None) or EMPTY
    directives = _directives(ctx)
    used: set[tuple[str, int]] = set()  # (path, line) of directives that matched
    used_entries: set[tuple[str, int, str]] = set()  # (kind, line, rule) of config entries
    out: list[Finding] = []
    for f in findings:
        out.append(_suppress(f, directives, config, used, used_entries))
    for extra in _unused(directives, config, used, used_entries, out):
        out.append(_suppress(extra, {}, config, used, used_entries))
    if config.path and not config.path.startswith(("/", "../")):
        ctx.source(config.path)  # an input of the run: listed with the files, cited as evidence
    return tuple(_adjust(f, config) for f in out)


def _directives(ctx: Any) -> dict[str, tuple[Directive, ...]]:
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


def _unused(
    directives: dict[str, tuple[Directive, ...]],
    config: Config,
    used: set[tuple[str, int]],
    used_entries: set[tuple[str, int, str]],
    findings: list[Finding],
) -> Iterable[Finding]:
    severity = BY_ID[UNUSED_RULE].severity
    by_place: dict[tuple[str, int], set[str]] = {}
    for f in findings:
        by_place.setdefault((f.location.path, f.location.line), set()).add(f.rule)
    for path, items in directives.items():
        for d in items:
            loc = Location(path, d.line, d.column)
            for rule in d.unknown:
                yield Finding(
                    UNUSED_RULE,
                    severity,
                    f"{KEYWORD} names unknown rule {rule} (see `keepdata rules`)",
                    loc,
                    key=f"unknown:{rule}",
                )
            lines = " or ".join(str(n) for n in dict.fromkeys(d.targets))
            if not d.rules:
                if (path, d.line) not in used and not d.unknown:
                    yield Finding(
                        UNUSED_RULE,
                        severity,
                        f"{KEYWORD} suppresses nothing: no finding on line {lines}",
                        loc,
                    )
                continue
            present: set[str] = set()
            for n in d.targets:
                present |= by_place.get((path, n), set())
            unused = [r for r in d.rules if r not in present]
            if unused:
                names = ", ".join(unused)
                yield Finding(
                    UNUSED_RULE,
                    severity,
                    f"{KEYWORD} {names} suppresses nothing: no {names} finding on line {lines}",
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
