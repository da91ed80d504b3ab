"""The rules of the drift area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.drift import (  # noqa: F401  (each module registers its rule)
    kd701_schema_not_migrated,
    kd702_pending_destructive_change,
    kd703_migration_order,
)
