"""The documentation of every rule, keyed by rule id: a view of `analysis.rules.registry`
(each rule's documentation is written in its own module, next to its check)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from analysis.rules.registry import BY_ID, LANGS, PYGMENTS_LEXERS, RULES, RuleText, anchor

__all__ = ["LANGS", "PYGMENTS_LEXERS", "TEXTS", "RuleText", "anchor", "text_for"]


class _Texts(Mapping[str, RuleText]):
    """Every rule's documentation by id, in id order (read from the registry on use)."""

    __slots__ = ()

    def __getitem__(self, rule_id: str) -> RuleText:
        return BY_ID[rule_id].text

    def __iter__(self) -> Iterator[str]:
        return iter(BY_ID)

    def __len__(self) -> int:
        return len(RULES)


TEXTS: Mapping[str, RuleText] = _Texts()


def text_for(rule_id: str) -> RuleText | None:
    """The documentation of a rule, or None for an unknown id."""
    r = BY_ID.get(rule_id.strip().upper())
    return r.text if r is not None else None
