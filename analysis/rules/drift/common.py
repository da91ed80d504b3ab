"""Rules of the drift area: the schema against the migrations (KD701, KD702), and the order
of the migration folders themselves (KD703)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.model import Location, Related

if TYPE_CHECKING:
    from analysis.facts.drift import PendingChange


def _related(change: PendingChange) -> tuple[Related, ...]:
    c = change.created
    if c is None:
        return ()
    return (Related(Location(c.path, c.line), f"created by migration {c.migration}"),)
