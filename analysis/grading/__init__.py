"""Grading: the post-pass that makes every loud finding one a team would act on
(`../shared/RULES.md`, "Grading"). The engine calls `grade(ctx, findings)` once per run,
after every check and before suppression:

1. `dedupe`: one problem, one finding (KD610 joins the statement it warns about, KD401+KD402,
   KD622 over KD602, KD615 over KD601, KD208+KD303, KD305+KD216, one rule once per line);
2. `history`: findings about migrations applied at the base revision become `info` with
   `history=True` (KD624 for an applied migration that was edited);
3. `contexts`: persistence and secret findings of development and test files are lowered.

Rules stay unaware of all this: the pass works from findings, their locations and the
project's facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.model import Finding
from analysis.records import dataclass

if TYPE_CHECKING:
    from analysis.context import Context
    from analysis.grading.history import HistoryBase


@dataclass(slots=True, frozen=True)
class Grading:
    """What the grading pass decided for a run (front ends show it)."""

    history: HistoryBase | None

    @property
    def note(self) -> str | None:
        """One clause for the summary line about how migrations were graded."""
        return self.history.summary if self.history is not None else None


def grade(ctx: Context, findings: list[Finding]) -> tuple[list[Finding], Grading]:
    from analysis.grading.contexts import apply_contexts
    from analysis.grading.dedupe import dedupe
    from analysis.grading.history import apply_history

    merged = dedupe(ctx, findings)
    graded, base = apply_history(ctx, merged)
    return apply_contexts(ctx, graded), Grading(base)
