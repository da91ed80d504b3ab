"""The rules of the migrations area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.migrations import (  # noqa: F401  (each module registers its rule)
    kd601_drop_table,
    kd602_drop_column,
    kd603_alter_column_type,
    kd604_add_required_column_without_default,
    kd605_set_not_null,
    kd606_add_unique,
    kd607_enum_value_removed,
    kd608_bulk_delete,
    kd609_rename,
    kd610_prisma_data_loss_warning,
    kd611_empty_migration,
    kd612_sql_parse_error,
    kd613_update_without_where,
    kd614_delete_rows,
    kd615_drop_type_cascade,
    kd616_primary_key_change,
    kd617_constraint_on_existing_rows,
    kd618_drop_foreign_key,
    kd619_unbalanced_transaction,
    kd620_extension_not_in_image,
    kd621_sqlite_redefine_with_referential_actions,
    kd622_rename_as_drop_and_add,
    kd623_concurrent_index_on_broken_postgres,
)
