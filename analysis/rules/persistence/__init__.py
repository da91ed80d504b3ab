"""The rules of the persistence area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.persistence import (  # noqa: F401  (each module registers its rule)
    kd101_db_data_not_persisted,
    kd102_db_volume_wrong_path,
    kd103_postgres_18_data_path,
    kd104_db_anonymous_volume,
    kd105_db_tmpfs,
    kd106_db_bind_mount,
    kd107_volume_not_declared,
    kd108_db_image_unpinned,
    kd109_volume_shared_by_databases,
    kd110_volume_non_local_driver,
    kd111_destructive_docker_command,
    kd112_db_data_in_build_context,
    kd113_sqlite_file_not_persisted,
    kd114_compose_project_name_not_pinned,
    kd115_db_major_version_changed,
)
