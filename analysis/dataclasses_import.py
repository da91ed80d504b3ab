"""`dataclasses`, imported without importing `inspect` (and `ast`, `dis`, `tokenize`...).

The standard `dataclasses` module imports `inspect` at its top, about 4 ms of a cold
`keepdata check`, for one use: the docstring its decorator writes for a class without one
(`inspect.signature`). keepdata's records are made by `analysis.records`, which writes that
docstring itself. So when nothing has imported either module yet, `dataclasses` is imported
with a stand-in for `inspect` that imports the real module on the first attribute asked
of it (then `dataclasses` works as always); the stand-in is taken out of `sys.modules` right
after, so any later `import inspect` is the ordinary one. Import it from here:
`from analysis.dataclasses_import import dataclasses`.
"""

from __future__ import annotations

import importlib
import sys
import types


class _Inspect(types.ModuleType):
    """Stands for `inspect` inside `dataclasses`; imports it on first attribute use."""

    def __getattr__(self, name: str) -> object:
        if sys.modules.get("inspect") is self:
            del sys.modules["inspect"]
        value: object = getattr(importlib.import_module("inspect"), name)
        return value


def _import_dataclasses() -> None:
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return
    standin = _Inspect("inspect")
    sys.modules["inspect"] = standin
    try:
        import dataclasses  # noqa: F401  # (bound below, for the type checker)
    finally:
        if sys.modules.get("inspect") is standin:
            del sys.modules["inspect"]


_import_dataclasses()

import dataclasses  # noqa: E402  # after the stand-in above

__all__ = ["dataclasses"]
