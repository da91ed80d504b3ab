"""The rules, grouped by area. Each area module exposes `check(ctx) -> Iterable[Finding]`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from analysis.context import Context
from analysis.model import Finding
from analysis.rules import drift, environment, image, migrations, persistence, schema, startup

Check = Callable[[Context], Iterable[Finding]]

AREAS: tuple[tuple[str, Check], ...] = (
    ("persistence", persistence.check),
    ("startup", startup.check),
    ("image", image.check),
    ("environment", environment.check),
    ("schema", schema.check),
    ("migrations", migrations.check),
    ("drift", drift.check),
)
