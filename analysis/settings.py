"""What a run is asked to do: root config (keepdata.toml) and command-line options.

The config file itself (`keepdata.toml`/`.keepdata.toml`) is read in `analysis.config`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(slots=True, frozen=True)
class Settings:
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    base_ref: str | None = None
    valuable_models: tuple[str, ...] = ()
    postprocess: Callable[[Any, Any], Any] | None = field(default=None, compare=False)


def load(root: Path, args: argparse.Namespace | None = None) -> Settings:
    base = getattr(args, "base", None) if args is not None else None
    return Settings(base_ref=base)
