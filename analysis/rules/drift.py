"""Rules of the drift area (see analysis/catalog.py)."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.context import Context
from analysis.model import Finding


def check(ctx: Context) -> Iterable[Finding]:
    return ()
