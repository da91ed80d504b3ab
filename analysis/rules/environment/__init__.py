"""The rules of the environment area: one module per rule (see `analysis.rules.registry`)."""

from __future__ import annotations

from analysis.rules.environment import (  # noqa: F401  (each module registers its rule)
    kd401_hardcoded_db_password,
    kd402_weak_db_password,
    kd403_db_port_published,
    kd404_database_url_wrong_host,
    kd405_env_file_not_ignored,
    kd406_undefined_variable,
    kd407_credentials_mismatch,
)
