"""The rule catalog: a view of `analysis.rules.registry`, where each rule is defined once, in
its own module."""

from __future__ import annotations

from analysis.rules.registry import BY_ID, RULES, Rule

__all__ = ["BY_ID", "RULES", "Rule", "rule"]


def rule(rule_id: str) -> Rule:
    return BY_ID[rule_id]
