"""The rules, grouped by area. Each area module exposes `CHECKS`: its checks, by name, each
`check(ctx) -> Iterable[Finding]`, which the pipeline runs one by one behind an error boundary."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from analysis.context import Context
from analysis.model import Finding
from analysis.rules import drift, environment, image, migrations, persistence, schema, startup

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
