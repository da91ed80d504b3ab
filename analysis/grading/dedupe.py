"""One problem, one finding (`../shared/RULES.md`, "Grading").

Where two rules describe the same problem at the same place, one finding stays and the other
becomes one of its related locations:

- KD610 (a line of Prisma's warning block) joins the statement finding it warns about
  (matched by the warning's kind, table and column against the statement's text); it stands
  alone only when no statement finding covers it;
- KD622 replaces the KD601/KD602 of the same statement, KD615 the KD601 of the same statement;
- KD401 and KD402 on one value are one finding (KD402); one weak password repeated in one
  file is one finding with the repeats as related locations;
- KD208 and KD303 about one image are one (KD303); KD305 and KD216 about one lifecycle script
  are one (the louder; KD305 on a tie);
- one rule fires once per line (the loudest stays, the others become related locations).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from analysis.lazy_re import lazy_compile
from analysis.model import Finding, Location, Related

if TYPE_CHECKING:
    from analysis.context import Context
    from analysis.parsers.migration_sql.records import PrismaWarning, Statement

_WARNING_RULES: dict[str, frozenset[str]] = {
    "drop table": frozenset({"KD601", "KD622", "KD615", "KD608"}),
    "drop column": frozenset({"KD602", "KD622"}),
    "drop and recreate column": frozenset({"KD602", "KD622", "KD603"}),
    "cast": frozenset({"KD603"}),
    "cast may fail": frozenset({"KD603"}),
    "no cast": frozenset({"KD603", "KD602", "KD622", "KD604"}),
    "scalar to list": frozenset({"KD603", "KD602"}),
    "primary key": frozenset({"KD616"}),
    "unique": frozenset({"KD606"}),
    "enum values removed": frozenset({"KD607"}),
    "required column": frozenset({"KD604"}),
    "required column with prisma default": frozenset({"KD604"}),
    "made required": frozenset({"KD605"}),
}
_STATEMENT_RULES = frozenset().union(*_WARNING_RULES.values())
_BACKQUOTED = lazy_compile(r"`([^`]*)`")


def _fold(primary: Finding, others: Iterable[Finding], why: str | None = None) -> Finding:
    """`primary` with each of `others` as a related location (and their related ones)."""
    related = list(primary.related)
    seen = {(r.location.path, r.location.line) for r in related}
    seen.add((primary.location.path, primary.location.line))
    for o in others:
        label = f"{o.rule} ({o.severity.label}, {why})" if why else f"{o.rule} ({o.severity.label})"
        items = [Related(o.location, f"{label}: {o.message}"), *o.related]
        for r in items:
            k = (r.location.path, r.location.line)
            if k not in seen or r is items[0]:
                seen.add(k)
                related.append(r)
    return replace(primary, related=tuple(related))


class _Set:
    """The findings being merged, with removal and replacement by identity."""

    def __init__(self, findings: list[Finding]) -> None:
        self.items: list[Finding | None] = list(findings)
        self._by_rule: dict[str, list[int]] = {}
        for i, f in enumerate(self.items):
            if f is not None:
                self._by_rule.setdefault(f.rule, []).append(i)

    def live(self) -> list[tuple[int, Finding]]:
        return [(i, f) for i, f in enumerate(self.items) if f is not None]

    def of(self, *rules: str) -> list[tuple[int, Finding]]:
        """The live findings of `rules`, in order (a replacement keeps its slot and its rule,
        or takes another of the merged rules: both are indexed)."""
        slots = sorted({i for r in rules for i in self._by_rule.get(r, ())})
        out = []
        for i in slots:
            f = self.items[i]
            if f is not None and f.rule in rules:
                out.append((i, f))
        return out

    def result(self) -> list[Finding]:
        return [f for f in self.items if f is not None]


def dedupe(ctx: Context | None, findings: list[Finding]) -> list[Finding]:
    s = _Set(findings)
    _replace_same_statement(s, "KD622", ("KD601", "KD602"))
    _replace_same_statement(s, "KD615", ("KD601",))
    _join_prisma_warnings(ctx, s)
    _merge_passwords(ctx, s)
    _merge_by_reference(s, "KD303", "KD208")
    _merge_by_reference(s, "KD305", "KD216", louder_wins=True)
    _once_per_line(s)
    return s.result()


# -- same statement ------------------------------------------------------------------------
def _replace_same_statement(s: _Set, keep: str, drop: tuple[str, ...]) -> None:
    at: dict[tuple[str, int], int] = {}
    for i, f in s.of(keep):
        at.setdefault((f.location.path, f.location.line), i)
    for i, f in s.of(*drop):
        j = at.get((f.location.path, f.location.line))
        if j is None:
            continue
        primary = s.items[j]
        assert primary is not None
        if f.severity > primary.severity:
            primary = primary.with_severity(f.severity)
        s.items[j] = _fold(primary, [f], "same statement")
        s.items[i] = None


# -- KD610 ----------------------------------------------------------------------------------
def _statements_by_path(
    ctx: Context,
) -> dict[str, tuple[tuple[Statement, ...], tuple[PrismaWarning, ...]]]:
    from analysis.facts.migrations import migration_histories

    out: dict[str, tuple[tuple[Statement, ...], tuple[PrismaWarning, ...]]] = {}
    for h in ctx.fact(migration_histories):
        for m in h.migrations:
            if m.sql is not None:
                out[m.path] = (m.sql.statements, m.sql.warnings)
    return out


def _names(w: PrismaWarning) -> list[str]:
    names = [n for n in (w.table, w.column) if n]
    if names:
        return names
    out: list[str] = []
    for raw in _BACKQUOTED.findall(w.text):
        out += [p.strip() for p in raw.strip("[]").split(",") if p.strip()]
    return out[:1]


def _join_prisma_warnings(ctx: Context | None, s: _Set) -> None:
    warnings = s.of("KD610")
    if not warnings or ctx is None:
        return
    try:
        by_path = _statements_by_path(ctx)
    except Exception:  # the fact's failure is reported by the checks that need it
        return
    statement_findings: dict[str, list[int]] = {}
    for i, f in s.of(*_STATEMENT_RULES):
        statement_findings.setdefault(f.location.path, []).append(i)
    for i, f in warnings:
        path = f.location.path
        entry = by_path.get(path)
        candidates = statement_findings.get(path, [])
        if entry is None or not candidates:
            continue
        statements, warns = entry
        w = next((w for w in warns if w.line == f.location.line), None)
        if w is None:
            continue
        rules = _WARNING_RULES.get(w.kind, _STATEMENT_RULES)
        names = _names(w)
        target: int | None = None
        for j in candidates:
            g = s.items[j]
            if g is None or g.rule not in rules:
                continue
            st = next((st for st in statements if st.line <= g.location.line <= st.end_line), None)
            text = st.text if st is not None else ""
            if all(n in text for n in names):
                target = j
                break
        if target is None:
            continue
        primary = s.items[target]
        assert primary is not None
        s.items[target] = _fold(primary, [f], "Prisma's own warning for this statement")
        s.items[i] = None


# -- passwords -------------------------------------------------------------------------------
_URL_PASSWORD = lazy_compile(r"://[^:/@\s]*:([^@/\s]+)@")
_ASSIGN = lazy_compile(r"""^\s*-?\s*["']?[A-Za-z_][A-Za-z0-9_.]*["']?\s*[:=]\s*(.*?)\s*$""")
_DEFAULT = lazy_compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]([^}]*)\}")


def _value_at(
    ctx: Context | None, loc: Location, split: dict[str, list[str]] | None = None
) -> str | None:
    """The password a compose or .env line sets (URL password, `${X:-default}`'s default, or
    the literal value), read from the line the finding points at (`split` keeps each file's
    lines, so many findings in one file split it once)."""
    src = ctx.sources.get(loc.path) if ctx is not None else None
    if src is None:
        return None
    lines = split.get(loc.path) if split is not None else None
    if lines is None:
        lines = src.text.splitlines()
        if split is not None:
            split[loc.path] = lines
    if not 0 < loc.line <= len(lines):
        return None
    line = lines[loc.line - 1]
    m = _URL_PASSWORD.search(line)
    if m:
        d = _DEFAULT.search(m.group(1))  # `://u:${PW:-default}@`: the password is the default
        return d.group(1) if d else m.group(1)
    m = _ASSIGN.match(line)
    if not m:
        return None
    value = m.group(1).split(" #", 1)[0].strip().strip("\"'")
    d = _DEFAULT.search(value)
    if d:
        return d.group(1)
    return value or None


def _merge_passwords(ctx: Context | None, s: _Set) -> None:
    items = s.of("KD401", "KD402")
    if not items:
        return
    groups: dict[tuple[str, str], list[int]] = {}
    split: dict[str, list[str]] = {}
    for i, f in items:
        value = _value_at(ctx, f.location, split)
        key = value if value is not None else f"line {f.location.line}"
        groups.setdefault((f.location.path, key), []).append(i)
    for idxs in groups.values():
        found = [(i, s.items[i]) for i in idxs]
        weak = [(i, f) for i, f in found if f is not None and f.rule == "KD402"]
        if not weak:
            continue
        weak.sort(key=lambda x: x[1].location.line)
        j, primary = weak[0]
        others = [f for i, f in found if f is not None and i != j]
        if not others:
            continue
        same_line = [o for o in others if o.location.line == primary.location.line]
        repeats = [o for o in others if o.location.line != primary.location.line]
        primary = _fold(primary, same_line, "same value")
        primary = _fold(primary, repeats, "the same password again")
        s.items[j] = primary
        for i in idxs:
            if i != j:
                s.items[i] = None


# -- by reference ----------------------------------------------------------------------------
def _places(f: Finding) -> set[tuple[str, int]]:
    return {(f.location.path, f.location.line)} | {
        (r.location.path, r.location.line) for r in f.related
    }


def _merge_by_reference(s: _Set, a: str, b: str, louder_wins: bool = False) -> None:
    """Fold each `b` finding into the first `a` finding that names one of its places (or the
    other way round when `louder_wins` and `b` is louder). The `a` findings are indexed by
    place and each one is folded once at the end, so this is linear in the findings (13,000
    compose services made it quadratic)."""
    index: dict[tuple[str, int], set[int]] = {}
    for j, g in s.of(a):
        for place in _places(g):
            index.setdefault(place, set()).add(j)
    pending: dict[int, list[Finding]] = {}

    def settle(j: int) -> Finding:
        g = s.items[j]
        assert g is not None
        folded = pending.pop(j, [])
        if folded:
            worst = max(f.severity for f in folded)
            primary = g if g.severity >= worst else g.with_severity(worst)
            g = _fold(primary, folded)
            s.items[j] = g
        return g

    for i, f in s.of(b):
        candidates = {j for place in _places(f) for j in index.get(place, ())}
        live = [j for j in candidates if (h := s.items[j]) is not None and h.rule == a]
        if not live:
            continue
        j = min(live)
        current = s.items[j]
        assert current is not None
        severity = max([current.severity, *(p.severity for p in pending.get(j, ()))])
        if louder_wins and f.severity > severity:
            s.items[i] = _fold(f, [settle(j)])
            s.items[j] = None
        else:
            pending.setdefault(j, []).append(f)
            s.items[i] = None
            for place in _places(f):  # the folded finding will name these places too
                index.setdefault(place, set()).add(j)
    for j in list(pending):
        settle(j)


# -- once per line ---------------------------------------------------------------------------
def _once_per_line(s: _Set) -> None:
    """One finding per rule and line: the first of the loudest, the others folded into it
    (once per line, so thousands at one line cost one fold, not thousands)."""
    groups: dict[tuple[str, str, int], list[int]] = {}
    for i, f in s.live():
        groups.setdefault((f.rule, f.location.path, f.location.line), []).append(i)
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        found = [(i, s.items[i]) for i in idxs]
        worst = max(f.severity for _, f in found if f is not None)
        j = next(i for i, f in found if f is not None and f.severity == worst)
        winner = s.items[j]
        assert winner is not None
        s.items[j] = _fold(winner, [f for i, f in found if f is not None and i != j], "same line")
        for i in idxs:
            if i != j:
                s.items[i] = None
