"""The rules of the image area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.image import (  # noqa: F401  (each module registers its rule)
    kd301_generate_before_schema_copy,
    kd302_no_prisma_generate,
    kd303_migrations_not_in_image,
    kd304_secret_in_image,
    kd305_migrate_at_build_time,
    kd306_stale_client_volume,
    kd307_env_in_build_context,
    kd308_migrations_gitignored,
)
