"""The rules of the analysis area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.analysis import (  # noqa: F401  (each module registers its rule)
    kd001_parse_error,
    kd002_file_not_read,
    kd003_unused_suppression,
    kd004_internal_error,
)
