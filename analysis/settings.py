"""What a run is asked to do: root config (keepdata.toml) and command-line options.

The config file itself (`keepdata.toml`/`.keepdata.toml`, or `--config FILE`) is read in
`analysis.config`; `load` raises `analysis.config.ConfigError` when it is broken.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any

from analysis.config import EMPTY, Config, load_config
from analysis.records import dataclass
from analysis.suppress import postprocess


@dataclass(slots=True, frozen=True)
class Settings:
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    base_ref: str | None = None
    all_migrations: bool = False
    """`--all-migrations`: grade applied migrations like new ones (no history)."""
    valuable_models: tuple[str, ...] = ()
    postprocess: Callable[[Any, Any], Any] | None = field(default=None, compare=False)
    config: Config = EMPTY
    """The parsed config file (`config.path` is "" when the project has none)."""
    inline_ignores: bool = True
    """False for `check --disable-inline-ignores`: `keepdata-ignore` comments are not read."""

    @property
    def config_path(self) -> str | None:
        return self.config.path or None


def load(root: Path, args: argparse.Namespace | None = None) -> Settings:
    """Settings for analyzing `root`: its config file (or `args.config`) and `args.base`.

    Raises `ConfigError(path, line, message)` for a config file keepdata cannot use.
    """
    override = getattr(args, "config", None) if args is not None else None
    base = getattr(args, "base", None) if args is not None else None
    config = load_config(Path(root), override)
    return Settings(
        exclude=config.exclude,
        fail_on=config.fail_on,
        base_ref=base,
        all_migrations=bool(getattr(args, "all_migrations", False)) if args is not None else False,
        valuable_models=config.valuable_models,
        postprocess=postprocess,
        config=config,
        inline_ignores=not getattr(args, "disable_inline_ignores", False),
    )
