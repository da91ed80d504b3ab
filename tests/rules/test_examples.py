"""Every rule's documented examples, run: the bad example fires the rule, the good example
keeps it quiet. Each example becomes a file tree (the seed application with the snippet
written at the file its first comment names, plus what the rule's record adds)."""

from __future__ import annotations

import pytest

from analysis.rules.registry import RULES, Rule
from tests.rules.harness import example_tree, run_rule

CASES = [(r, which) for r in RULES for which in ("bad", "good")]


@pytest.mark.parametrize(("rule", "which"), CASES, ids=[f"{r.id}-{w}" for r, w in CASES])
def test_example(rule: Rule, which: str) -> None:
    tree = example_tree(rule, which)
    if tree is None:
        assert rule.examples is not None and rule.examples.skip, (
            f"{rule.id}: its {which} example is not a file tree; give the record explicit "
            "example files (Examples(...)) or say why it cannot be run (Examples(skip=...))"
        )
        return
    found = run_rule(rule.id, tree)
    where = [f"{f.location.path}:{f.location.line} {f.message}" for f in found]
    if which == "bad":
        assert found, f"{rule.id}'s bad example does not fire it"
    else:
        assert not found, f"{rule.id}'s good example fires it: {where}"
