"""Every rule module, imported once so that each registers its rule (see
`analysis.rules.registry`, which imports this module on first use of the registry). Adding
a rule: add its module here (a test fails when one is missing)."""

from __future__ import annotations

from analysis.rules.analysis import (
    kd001_parse_error,  # noqa: F401
    kd002_file_not_read,  # noqa: F401
    kd003_unused_suppression,  # noqa: F401
    kd004_internal_error,  # noqa: F401
)
from analysis.rules.drift import (
    kd701_schema_not_migrated,  # noqa: F401
    kd702_pending_destructive_change,  # noqa: F401
    kd703_migration_order,  # noqa: F401
)
from analysis.rules.environment import (
    kd401_hardcoded_db_password,  # noqa: F401
    kd402_weak_db_password,  # noqa: F401
    kd403_db_port_published,  # noqa: F401
    kd404_database_url_wrong_host,  # noqa: F401
    kd405_env_file_not_ignored,  # noqa: F401
    kd406_undefined_variable,  # noqa: F401
    kd407_credentials_mismatch,  # noqa: F401
)
from analysis.rules.image import (
    kd301_generate_before_schema_copy,  # noqa: F401
    kd302_no_prisma_generate,  # noqa: F401
    kd303_migrations_not_in_image,  # noqa: F401
    kd304_secret_in_image,  # noqa: F401
    kd305_migrate_at_build_time,  # noqa: F401
    kd306_stale_client_volume,  # noqa: F401
    kd307_env_in_build_context,  # noqa: F401
    kd308_migrations_gitignored,  # noqa: F401
)
from analysis.rules.migrations import (
    kd601_drop_table,  # noqa: F401
    kd602_drop_column,  # noqa: F401
    kd603_alter_column_type,  # noqa: F401
    kd604_add_required_column_without_default,  # noqa: F401
    kd605_set_not_null,  # noqa: F401
    kd606_add_unique,  # noqa: F401
    kd607_enum_value_removed,  # noqa: F401
    kd608_bulk_delete,  # noqa: F401
    kd609_rename,  # noqa: F401
    kd610_prisma_data_loss_warning,  # noqa: F401
    kd611_empty_migration,  # noqa: F401
    kd612_sql_parse_error,  # noqa: F401
    kd613_update_without_where,  # noqa: F401
    kd614_delete_rows,  # noqa: F401
    kd615_drop_type_cascade,  # noqa: F401
    kd616_primary_key_change,  # noqa: F401
    kd617_constraint_on_existing_rows,  # noqa: F401
    kd618_drop_foreign_key,  # noqa: F401
    kd619_unbalanced_transaction,  # noqa: F401
    kd620_extension_not_in_image,  # noqa: F401
    kd621_sqlite_redefine_with_referential_actions,  # noqa: F401
    kd622_rename_as_drop_and_add,  # noqa: F401
    kd623_concurrent_index_on_broken_postgres,  # noqa: F401
    kd624_applied_migration_edited,  # noqa: F401
)
from analysis.rules.persistence import (
    kd101_db_data_not_persisted,  # noqa: F401
    kd102_db_volume_wrong_path,  # noqa: F401
    kd103_postgres_18_data_path,  # noqa: F401
    kd104_db_anonymous_volume,  # noqa: F401
    kd105_db_tmpfs,  # noqa: F401
    kd106_db_bind_mount,  # noqa: F401
    kd107_volume_not_declared,  # noqa: F401
    kd108_db_image_unpinned,  # noqa: F401
    kd109_volume_shared_by_databases,  # noqa: F401
    kd110_volume_non_local_driver,  # noqa: F401
    kd111_destructive_docker_command,  # noqa: F401
    kd112_db_data_in_build_context,  # noqa: F401
    kd113_sqlite_file_not_persisted,  # noqa: F401
    kd114_compose_project_name_not_pinned,  # noqa: F401
    kd115_db_major_version_changed,  # noqa: F401
)
from analysis.rules.schema import (
    kd501_cascade_delete,  # noqa: F401
    kd502_cascade_chain,  # noqa: F401
    kd503_setnull_on_required,  # noqa: F401
    kd504_missing_relation_index,  # noqa: F401
    kd505_schema_parse_error,  # noqa: F401
    kd506_provider_mismatch,  # noqa: F401
    kd507_model_without_id,  # noqa: F401
    kd508_implicit_delete_restrict,  # noqa: F401
    kd509_relation_mode_prisma,  # noqa: F401
    kd510_no_migrations,  # noqa: F401
    kd511_required_ignored_field,  # noqa: F401
)
from analysis.rules.startup import (
    kd201_db_push_accept_data_loss,  # noqa: F401
    kd202_db_push_force_reset,  # noqa: F401
    kd203_migrate_reset,  # noqa: F401
    kd204_migrate_dev_in_container,  # noqa: F401
    kd205_db_push_as_strategy,  # noqa: F401
    kd206_db_push_fallback,  # noqa: F401
    kd207_no_migration_step,  # noqa: F401
    kd208_migrate_deploy_without_migrations,  # noqa: F401
    kd209_startup_ignores_migration_failure,  # noqa: F401
    kd210_unbounded_wait,  # noqa: F401
    kd211_no_wait_for_database,  # noqa: F401
    kd212_db_no_healthcheck,  # noqa: F401
    kd213_migrate_resolve_in_startup,  # noqa: F401
    kd214_exec_not_used,  # noqa: F401
    kd215_seed_on_every_start,  # noqa: F401
    kd216_migrate_in_install_or_build_script,  # noqa: F401
    kd217_concurrent_migrators,  # noqa: F401
    kd218_migration_job_not_awaited,  # noqa: F401
    kd219_floating_app_image_migrates,  # noqa: F401
    kd220_prisma_cli_unpinned,  # noqa: F401
    kd221_shared_database_destructive_sync,  # noqa: F401
)
