"""Which rules a run reports: `--select`, `--extend-select` and `--ignore` on the command line.

A selector is a rule id (`KD602`), a rule name (`drop-column`), or an id prefix (`KD6`, `KD60`:
every rule whose id starts with it). An unknown selector is an error that suggests the closest
rule, like an unknown rule in keepdata.toml.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.catalog import BY_ID
from analysis.config import rule_hint, rule_id_of
from analysis.model import Finding
from analysis.records import dataclass

ALWAYS_SHOWN = frozenset({"KD004"})
"""An internal error of keepdata is never selected away: the result would read as clean."""


def expand(selectors: Iterable[str], option: str) -> frozenset[str]:
    """The rule ids `selectors` name (comma-separated lists allowed). Raises ValueError naming
    `option` and the selector for one that names no rule."""
    out: set[str] = set()
    for raw in selectors:
        for part in raw.split(","):
            text = part.strip()
            if not text:
                continue
            rule = rule_id_of(text)
            if rule is not None:
                out.add(rule)
                continue
            prefix = text.upper()
            matches = (
                {r for r in BY_ID if r.startswith(prefix)} if prefix.startswith("KD") else set()
            )
            if not matches:
                raise ValueError(f"{option}: unknown rule {text!r}{rule_hint(text)}")
            out |= matches
    return frozenset(out)


@dataclass(slots=True, frozen=True)
class Selection:
    select: frozenset[str] | None = None
    """Only these rules (None: every rule)."""
    ignore: frozenset[str] = frozenset()

    def wants(self, rule: str) -> bool:
        if rule in ALWAYS_SHOWN:
            return True
        if rule in self.ignore:
            return False
        return self.select is None or rule in self.select

    def apply(self, findings: Iterable[Finding]) -> tuple[Finding, ...]:
        return tuple(f for f in findings if self.wants(f.rule))


def selection(
    select: Iterable[str] | None, extend: Iterable[str] | None, ignore: Iterable[str] | None
) -> Selection:
    chosen = expand(select, "--select") if select else None
    if extend:
        more = expand(extend, "--extend-select")
        chosen = None if chosen is None else chosen | more
    return Selection(chosen, expand(ignore, "--ignore") if ignore else frozenset())
