"""The rules of the schema area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.schema import (  # noqa: F401  (each module registers its rule)
    kd501_cascade_delete,
    kd502_cascade_chain,
    kd503_setnull_on_required,
    kd504_missing_relation_index,
    kd505_schema_parse_error,
    kd506_provider_mismatch,
    kd507_model_without_id,
    kd508_implicit_delete_restrict,
    kd509_relation_mode_prisma,
    kd510_no_migrations,
    kd511_required_ignored_field,
)
