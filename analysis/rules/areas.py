"""The checks of each area (transitional: the pipeline still runs the area modules' checks).
Each area's `common.CHECKS`: its checks, by name, each `check(ctx) -> Iterable[Finding]`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from analysis.context import Context
from analysis.model import Finding
from analysis.rules.drift import common as drift
from analysis.rules.environment import common as environment
from analysis.rules.image import common as image
from analysis.rules.migrations import common as migrations
from analysis.rules.persistence import common as persistence
from analysis.rules.schema import common as schema
from analysis.rules.startup import common as startup

Check = Callable[[Context], Iterable[Finding]]

AREAS: tuple[tuple[str, tuple[tuple[str, Check], ...]], ...] = (
    ("persistence", persistence.CHECKS),
    ("startup", startup.CHECKS),
    ("image", image.CHECKS),
    ("environment", environment.CHECKS),
    ("schema", schema.CHECKS),
    ("migrations", migrations.CHECKS),
    ("drift", drift.CHECKS),
)
