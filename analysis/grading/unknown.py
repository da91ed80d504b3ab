"""Empty or unknown is not green: a part of the project whose files keepdata could not parse
cannot be called safe. `unparsed_for(rules, findings)` names the parse failure (KD001, KD002,
KD505, KD612) that blinds the given rules, so the report's sections and the checklist read
UNKNOWN/unverifiable instead of SAFE/pass."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from analysis.model import Finding

PARSE_RULES = ("KD001", "KD002", "KD505", "KD612")


def _kind(path: str) -> str:
    name = posixpath.basename(path).lower()
    if "compose" in name and name.endswith((".yml", ".yaml")):
        return "compose"
    if "dockerfile" in name or name.endswith(".dockerfile") or name == ".dockerignore":
        return "dockerfile"
    if name.startswith(".env") or name.endswith(".env"):
        return "env"
    if name.endswith(".prisma") or name.startswith("prisma.config."):
        return "schema"
    if name.endswith(".sql"):
        return "sql"
    return "scripts"  # package.json, shell scripts, Makefile, platform files


_BLINDS: dict[str, tuple[str, ...]] = {
    # rule-id prefixes whose findings depend on a file of this kind
    "compose": ("KD1", "KD2", "KD4", "KD306"),
    "dockerfile": ("KD2", "KD3", "KD113"),
    "env": ("KD4", "KD113", "KD307"),
    "schema": ("KD5", "KD7", "KD620"),
    "sql": ("KD6", "KD7"),
    "scripts": ("KD2", "KD111"),
}


def blinded_prefixes(f: Finding) -> tuple[str, ...]:
    if f.rule == "KD505":
        return _BLINDS["schema"]
    if f.rule == "KD612":
        return _BLINDS["sql"]
    return _BLINDS[_kind(f.location.path)]


def read_anyway(f: Finding) -> bool:
    """A parse finding after which the file was still read whole (a duplicate YAML key: the
    analysis goes on with the last value, as Compose would refuse but keepdata can)."""
    return f.rule == "KD001" and "duplicate key" in f.message


def unparsed_for(rules: Iterable[str], findings: Iterable[Finding]) -> Finding | None:
    """The first unsuppressed parse failure that blinds one of `rules`, or None."""
    wanted = tuple(rules)
    for f in findings:
        if f.rule in PARSE_RULES and f.suppressed is None and not read_anyway(f):
            prefixes = blinded_prefixes(f)
            if any(r.startswith(prefixes) for r in wanted):
                return f
    return None
