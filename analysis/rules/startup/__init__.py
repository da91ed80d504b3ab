"""The rules of the startup area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.startup import (  # noqa: F401  (each module registers its rule)
    kd201_db_push_accept_data_loss,
    kd202_db_push_force_reset,
    kd203_migrate_reset,
    kd204_migrate_dev_in_container,
    kd205_db_push_as_strategy,
    kd206_db_push_fallback,
    kd207_no_migration_step,
    kd208_migrate_deploy_without_migrations,
    kd209_startup_ignores_migration_failure,
    kd210_unbounded_wait,
    kd211_no_wait_for_database,
    kd212_db_no_healthcheck,
    kd213_migrate_resolve_in_startup,
    kd214_exec_not_used,
    kd215_seed_on_every_start,
    kd216_migrate_in_install_or_build_script,
    kd217_concurrent_migrators,
    kd218_migration_job_not_awaited,
    kd219_floating_app_image_migrates,
    kd220_prisma_cli_unpinned,
    kd221_shared_database_destructive_sync,
)
