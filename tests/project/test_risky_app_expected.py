"""examples/risky-app/EXPECTED.md, checked: every (rule, path:line) its tables list is reported,
and nothing its "Must not be reported" list names is.

EXPECTED.md stays the single pinned list: this test parses its markdown and copies nothing out
of it. The grammar it reads:

- a table row `| KDnnn | location | notes |` under a `## ` section; a location of `—` means the
  rule cannot be shown on a static folder (the notes say why) and the row is skipped;
- a location holds one or more code spans, each a required finding: `path:line`, `path:12, 30`
  (one finding per line), `:5` (another line of the previous path), or `path` alone (any line
  of that file, or of the migration in that folder); what follows in parentheses is an
  alternative anchor for the location before it (`(:40)`, `(`:42`)`, `(`other/path:9`)`);
- a path is relative to the example's root, or names a migration folder (`2024..._init:3` is
  `prisma/migrations/2024..._init/migration.sql:3`), or elides folders with `.../`;
- a "must not" bullet starts with the rule ids it forbids (or "Anything ... other than KDnnn")
  and names where with code spans of the same form (`path:8-16` is a range, `path:8, :11` two
  lines, a folder stands for every file below it). Code spans that are no path (`DROP TABLE`,
  `Invoice`) are prose. A bullet without any location is an error: it could not be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pytest

from analysis.catalog import RULES
from analysis.engine import analyze
from analysis.model import Finding
from tests.conftest import EXAMPLES, with_folded

ROOT = EXAMPLES / "risky-app"
EXPECTED = ROOT / "EXPECTED.md"

# Startup rules (KD2xx, KD111) belong to a helper whose work is still landing; the lead removes
# entries here as they pass. (rule, path, line) of the row's first location.
STARTUP_LANDING = "startup rules still landing"
# Example entry: ("KD208", "scripts/entrypoint.sh", 26).
STARTUP_PENDING: frozenset[tuple[str, str, int | None]] = frozenset()

_SPAN = re.compile(r"`([^`]*)`")
_LOC = re.compile(r"^(?P<path>[^\s:`]*)(?::(?P<lines>\d+(?:-\d+)?(?:\s*,\s*:?\d+(?:-\d+)?)*))?$")
_RULE = re.compile(r"\bKD\d{3}\b")


@dataclass(frozen=True, slots=True)
class Target:
    """Where a finding may sit: one file (`exact`) or everything below a folder."""

    path: str
    exact: bool
    lines: frozenset[int] | None  # None: any line

    def matches(self, f: Finding) -> bool:
        p = f.location.path
        if self.exact:
            if p != self.path:
                return False
        elif p != self.path and not p.startswith(self.path + "/"):
            return False
        return self.lines is None or f.location.line in self.lines

    @property
    def label(self) -> str:
        if self.lines is None:
            return self.path
        lines = sorted(self.lines)
        if len(lines) > 2 and lines[-1] - lines[0] == len(lines) - 1:
            return f"{self.path}:{lines[0]}-{lines[-1]}"
        return f"{self.path}:{','.join(str(n) for n in lines)}"


@dataclass(frozen=True, slots=True)
class Expectation:
    rule: str
    targets: tuple[Target, ...]  # the preferred anchor first, then the alternatives
    section: str
    notes: str

    @property
    def id(self) -> str:
        return f"{self.rule}@{self.targets[0].label}"


@dataclass(frozen=True, slots=True)
class Forbidden:
    rules: frozenset[str]
    targets: tuple[Target, ...]
    text: str

    @property
    def id(self) -> str:
        rules = sorted(self.rules)
        named = ",".join(rules) if len(rules) <= 4 else f"{len(rules)} rules"
        return named + "@" + "+".join(t.label for t in self.targets)


# -- parsing ------------------------------------------------------------------------------------


@cache
def _migration_folders() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for sql in ROOT.rglob("migration.sql"):
        folder = sql.parent.relative_to(ROOT).as_posix()
        out.setdefault(sql.parent.name, []).append(folder)
    return out


def _resolve(token: str) -> tuple[str, bool] | None:
    """(path, is a file) for a path as EXPECTED.md writes it; None when it names no path."""
    if not token or token.startswith(("/", "$")) or ".." in token.replace("...", ""):
        return None
    if "..." in token:
        head, _, tail = token.partition("...")
        pattern = re.compile(re.escape(head) + r"(?:.+/)?" + re.escape(tail.lstrip("/")) + "$")
        hits = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if pattern.match(p.relative_to(ROOT).as_posix())
        ]
        if len(hits) != 1:
            return None
        token = hits[0]
    path = ROOT / token
    if path.is_file():
        return token, True
    if path.is_dir():
        if (path / "migration.sql").is_file():
            return f"{token}/migration.sql", True
        return token, False
    folders = _migration_folders().get(token, [])
    if len(folders) == 1:
        return f"{folders[0]}/migration.sql", True
    return None


def _lines(spec: str | None) -> frozenset[int] | None:
    if spec is None:
        return None
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip().lstrip(":")
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


def _target(span: str, previous: str | None) -> Target | None:
    m = _LOC.match(span.strip())
    if m is None:
        return None
    raw = m["path"]
    if not raw:  # `:5`: another line of the previous path
        if previous is None or m["lines"] is None:
            return None
        return Target(previous, True, _lines(m["lines"]))
    resolved = _resolve(raw)
    if resolved is None:
        return None
    path, is_file = resolved
    return Target(path, is_file, _lines(m["lines"]))


def _split_row(line: str) -> list[str]:
    """Table cells, with `|` inside code spans kept."""
    cells, cur, in_code = [], "", False
    for ch in line.strip().strip("|"):
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
    cells.append(cur.strip())
    return cells


def _row_expectations(rule: str, cell: str, section: str, notes: str) -> list[Expectation]:
    """One expectation per required location in a location cell."""
    out: list[Expectation] = []
    previous: str | None = None
    pos = 0
    # Walk the cell: code spans outside parentheses are required, a parenthesised part gives
    # alternatives for the location before it.
    for m in re.finditer(r"\(([^()]*)\)|`([^`]*)`", cell):
        if m.start() < pos:
            continue
        pos = m.end()
        if m.group(2) is not None:
            t = _target(m.group(2), previous)
            assert t is not None, f"{section}: {rule}: cannot read location `{m.group(2)}`"
            previous = t.path
            # `path:47, 64`: a finding on each line
            parts = m.group(2).partition(":")[2].split(",") if t.lines else [""]
            for part in parts:
                one = Target(t.path, t.exact, _lines(part) if part else t.lines)
                out.append(Expectation(rule, (one,), section, notes))
            continue
        inner = m.group(1)
        if not out:
            continue
        alts: list[Target] = []
        for span in _SPAN.findall(inner):
            if ":" in span or "/" in span:
                alt = _target(span, previous)
                if alt is not None:
                    alts.append(alt)
        for bare in re.findall(r"(?:^|[\s,(])(:\d+)\b", _SPAN.sub("", inner)):
            alt = _target(bare, previous)
            if alt is not None:
                alts.append(alt)
        last = out[-1]
        out[-1] = Expectation(rule, (*last.targets, *alts), section, notes)
    assert out, f"{section}: {rule}: no location in {cell!r}"
    return out


def _logical_lines(text: str) -> list[str]:
    """Stripped lines, with a list item's indented continuation lines joined to it."""
    out: list[str] = []
    for raw in text.splitlines():
        if raw.startswith("  ") and raw.strip() and out and out[-1].startswith("- "):
            out[-1] += " " + raw.strip()
        else:
            out.append(raw.strip())
    return out


@cache
def _parse() -> tuple[
    tuple[Expectation, ...], tuple[tuple[str, str, str], ...], tuple[Forbidden, ...]
]:
    expectations: list[Expectation] = []
    skipped: list[tuple[str, str, str]] = []
    forbidden: list[Forbidden] = []
    section = ""
    all_rules = frozenset(r.id for r in RULES)
    for line in _logical_lines(EXPECTED.read_text(encoding="utf-8")):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if section.lower().startswith("must not") and line.startswith("- "):
            text = line[2:]
            first_span = text.find("`")
            head = text if first_span < 0 else text[:first_span]
            if head.lower().startswith("anything"):
                rules = all_rules - set(_RULE.findall(text))
            else:
                rules = frozenset(_RULE.findall(head))
            targets = tuple(t for s in _SPAN.findall(text) if (t := _target(s, None)) is not None)
            assert rules, f"must-not bullet names no rule: {text!r}"
            assert targets, f"must-not bullet names no location that can be checked: {text!r}"
            forbidden.append(Forbidden(frozenset(rules), targets, text))
            continue
        if not line.startswith("| KD"):
            continue
        cells = _split_row(line)
        rule, cell = cells[0], cells[1]
        notes = cells[2] if len(cells) > 2 else ""
        if cell.strip() in ("—", "-", "–"):
            skipped.append((rule, section, notes))
            continue
        expectations.extend(_row_expectations(rule, cell, section, notes))
    return tuple(expectations), tuple(skipped), tuple(forbidden)


@cache
def _findings() -> tuple[Finding, ...]:
    analysis = analyze(ROOT)
    assert analysis.errors == (), analysis.errors
    return analysis.active


def _reported() -> tuple[Finding, ...]:
    """The findings, plus those that grading folded into another one ("one problem, one
    finding"), named at the start of a related location's message."""
    return tuple(with_folded(_findings()))


def _marks(rule: str, target: Target) -> list[pytest.MarkDecorator]:
    key = (rule, target.path, min(target.lines) if target.lines else None)
    if key in STARTUP_PENDING:
        return [pytest.mark.xfail(strict=False, reason=STARTUP_LANDING)]
    return []


def _expectation_params() -> list[object]:
    expectations, skipped, _ = _parse()
    params: list[object] = [
        pytest.param(e, id=e.id, marks=_marks(e.rule, e.targets[0])) for e in expectations
    ]
    for rule, section, notes in skipped:
        params.append(
            pytest.param(
                None,
                id=f"{rule}@-",
                marks=pytest.mark.skip(reason=f"{rule} ({section}): {notes}"),
            )
        )
    return params


def _forbidden_params() -> list[object]:
    return [pytest.param(f, id=f.id) for f in _parse()[2]]


# -- the parser itself ---------------------------------------------------------------------------


def test_expected_md_is_read_whole() -> None:
    expectations, skipped, forbidden = _parse()
    sections = {e.section.split(":")[0] for e in expectations}
    assert sections == {"KD0xx", "KD1xx", "KD2xx", "KD3xx", "KD4xx", "KD5xx", "KD6xx", "KD7xx"}
    # Every rule of these areas that a static folder can show has a row.
    listed = {e.rule for e in expectations} | {r for r, _, _ in skipped}
    wanted = {r.id for r in RULES if r.id[2] in "1234567" and r.id not in ("KD002", "KD003")}
    assert wanted - listed == set()
    assert {r for r, _, _ in skipped} == {"KD115", "KD624"}
    assert len(forbidden) >= 10
    # Multi-line cells give one expectation per line, `:5` continues the previous path, and
    # parenthesised anchors are alternatives of the location before them.
    kd501 = [e for e in expectations if e.rule == "KD501"]
    assert len(kd501) >= 10
    redis = next(e for e in expectations if e.rule == "KD101")
    assert [t.label for t in redis.targets] == ["docker-compose.yml:41", "docker-compose.yml:40"]
    kd610 = {e.targets[0].label for e in expectations if e.rule == "KD610"}
    assert "prisma/migrations/20240215083000_user_profile_cleanup/migration.sql:5" in kd610


def test_target_grammar() -> None:
    t = _target("20240202110000_drop_wishlist:8, :11", None)
    assert t == Target(
        "prisma/migrations/20240202110000_drop_wishlist/migration.sql", True, frozenset({8, 11})
    )
    rng = _target("20240402150000_remove_refunded_status:8-16", None)
    assert rng is not None and rng.lines == frozenset(range(8, 17))
    elided = _target("edge/.../20240702090000_device_label_optional:11", None)
    assert elided is not None and elided.path.startswith("edge/prisma/migrations/")
    folder = _target("deploy/staging", None)
    assert folder == Target("deploy/staging", False, None)
    for prose in ('DROP TABLE "Device"', "Invoice", "BEGIN", "/var/lib/postgresql", ":?", "name:"):
        assert _target(prose, None) is None, prose


# -- the example against it ----------------------------------------------------------------------


@pytest.mark.parametrize("expectation", _expectation_params())
def test_expected_finding_is_reported(expectation: Expectation) -> None:
    found = [f for f in _reported() if f.rule == expectation.rule]
    hits = [f for f in found if any(t.matches(f) for t in expectation.targets)]
    where = sorted(f"{f.location.path}:{f.location.line}" for f in found)
    assert hits, (
        f"{expectation.rule} expected at {' or '.join(t.label for t in expectation.targets)} "
        f"({expectation.notes}); reported at: {where or 'nowhere'}"
    )


@pytest.mark.parametrize("forbidden", _forbidden_params())
def test_must_not_be_reported(forbidden: Forbidden) -> None:
    bad = [
        f
        for f in _findings()
        if f.rule in forbidden.rules and any(t.matches(f) for t in forbidden.targets)
    ]
    startup = [f for f in bad if f.rule.startswith("KD2") or f.rule == "KD111"]
    others = [f for f in bad if f not in startup]
    assert not others, [
        f"{f.rule} {f.location.path}:{f.location.line}: {f.message}" for f in others
    ] + [forbidden.text]
    if startup:
        pytest.xfail(
            f"{STARTUP_LANDING}: "
            + "; ".join(f"{f.rule} {f.location.path}:{f.location.line}" for f in startup)
        )
