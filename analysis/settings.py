"""What a run is asked to do: root config (keepdata.toml) and command-line options, as plain
data (no argparse, no callables): `analysis.pipeline.run` reads it.

The config file itself (`keepdata.toml`/`.keepdata.toml`, or `--config FILE`) is read in
`analysis.config`; `load` raises `analysis.config.ConfigError` when it is broken.
"""

from __future__ import annotations

from pathlib import Path

from analysis.config import EMPTY, Config, load_config
from analysis.model import Finding
from analysis.records import dataclass
from analysis.selection import Selection


@dataclass(slots=True, frozen=True)
class Settings:
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    base_ref: str | None = None
    all_migrations: bool = False
    """`--all-migrations`: grade applied migrations like new ones (no history)."""
    valuable_models: tuple[str, ...] = ()
    config: Config = EMPTY
    """The parsed config file (`config.path` is "" when the project has none)."""
    inline_ignores: bool = True
    """False for `check --disable-inline-ignores`: `keepdata-ignore` comments are not read."""
    selection: Selection | None = None
    """`--select`/`--extend-select`/`--ignore`: the rules whose findings the run reports."""
    only_paths: frozenset[str] | None = None
    """`--since`/`--staged`: report only findings on (or naming) these root-relative files."""
    problems: tuple[Finding, ...] = ()
    """Findings about the settings themselves (the inspector's keepdata.toml it could not
    use), reported with the run's."""

    @property
    def config_path(self) -> str | None:
        return self.config.path or None


def load(
    root: Path,
    *,
    config: str | None = None,
    base: str | None = None,
    all_migrations: bool = False,
    inline_ignores: bool = True,
) -> Settings:
    """Settings for analyzing `root`: its config file (or `config`, a path) and `base` (the
    git revision of the applied migrations).

    Raises `ConfigError(path, line, message)` for a config file keepdata cannot use.
    """
    loaded = load_config(Path(root), config)
    return Settings(
        exclude=loaded.exclude,
        fail_on=loaded.fail_on,
        base_ref=base,
        all_migrations=all_migrations,
        valuable_models=loaded.valuable_models,
        config=loaded,
        inline_ignores=inline_ignores,
    )
