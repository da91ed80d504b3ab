"""libpg_query's JSON parser (`pglast.parser`) without the rest of pglast.

keepdata reads PostgreSQL only through `parse_sql_json` / `parse_plpgsql_json` and their
`ParseError`. Importing `pglast.parser` the usual way first runs the package's `__init__`,
which imports `pglast.enums` (thousands of enum members), and the extension itself imports
`pglast.ast` (hundreds of node classes): together about 25 ms of every cold run, spent on
objects keepdata never builds. So when nothing has imported pglast yet, `pg_parser` loads
the extension under a stand-in for the package that hands it placeholders for `ast` and
`enums` (only its node-building functions use them, and they import the real modules on
first use). The stand-in then behaves as the real package: the first lookup of any other
name runs pglast's own `__init__` in it, and `import pglast.ast` / `pglast.enums` import the
real submodules. Should a pglast release load differently, the ordinary import is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from functools import cache
from typing import Protocol, cast


class PgParser(Protocol):
    """What keepdata uses of `pglast.parser`."""

    ParseError: type[Exception]

    def parse_sql_json(self, query: str) -> str: ...

    def parse_plpgsql_json(self, query: str) -> str: ...


class _Submodule:
    """Stands for `pglast.<name>` inside the extension; imports it on first attribute use."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> object:
        value: object = getattr(importlib.import_module(f"pglast.{self._name}"), attr)
        return value


def _standin_package() -> types.ModuleType | None:
    """An empty `pglast` package (its real `__init__` not run yet) with the real path."""
    spec = importlib.util.find_spec("pglast")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return None
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader
    state = {"ran": False}

    def finish(name: str) -> object:
        """PEP 562 lookup of a name the stand-in lacks: run pglast's `__init__` once, then
        answer as the real package; submodules fall through to the import system."""
        if not state["ran"]:
            state["ran"] = True
            loader.exec_module(package)
        if name in package.__dict__:
            return package.__dict__[name]
        raise AttributeError(f"module 'pglast' has no attribute {name!r}")

    package.__getattr__ = finish  # type: ignore[method-assign]
    return package


@cache
def pg_parser() -> PgParser:
    """`pglast.parser`, loaded without `pglast.ast` and `pglast.enums` when possible."""
    if "pglast" not in sys.modules:
        package = _standin_package()
        if package is not None:
            sys.modules["pglast"] = package
            try:
                from pglast.error import Error

                package.Error = Error  # type: ignore[attr-defined]
                package.ast = _Submodule("ast")  # type: ignore[attr-defined]
                package.enums = _Submodule("enums")  # type: ignore[attr-defined]
                parser = importlib.import_module("pglast.parser")
                del package.ast, package.enums  # later lookups: the real submodules
                return cast("PgParser", parser)
            except Exception:
                for name in [n for n in sys.modules if n == "pglast" or n.startswith("pglast.")]:
                    del sys.modules[name]
    from pglast import parser as ordinary

    return cast("PgParser", ordinary)
