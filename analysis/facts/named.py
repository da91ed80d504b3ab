"""The facts a report and the inspector show, by name: the one list of them.

Each is a stand-in that imports its fact's module on first use, and only for a project with
the files the fact starts from: a project without any (a migrations history alone has no
compose file) gets the fact's empty value without importing its parsers. The stand-in has the
fact's name and module; `ctx.fact` memoizes it, and the real fact, which the rules read
directly, once each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analysis.context import Context
from analysis.rules.registry import DEPLOY_KINDS, MIGRATION_KINDS, SCHEMA_KINDS


def _empty_startup() -> object:
    from analysis.facts.startup.records import StartupFacts

    return StartupFacts((), ())


def _lazy(
    module: str,
    name: str,
    needs: tuple[frozenset[str], ...],
    empty: Callable[[], object] = tuple,
) -> Callable[[Context], object]:
    """The fact `module.name`: `empty()` unless the project has a file of each of `needs`."""

    def fact(ctx: Context) -> object:
        kinds = ctx.kinds
        if not all(any(k in group for k in kinds) for group in needs):
            return empty()
        # `__import__`, not importlib: `python -X importtime` reports it (benchmarks)
        return ctx.fact(getattr(__import__(module, fromlist=[name]), name))

    fact.__name__ = fact.__qualname__ = name
    fact.__module__ = module
    return fact


NAMED_FACTS: dict[str, Callable[[Context], Any]] = {
    "stacks": _lazy("analysis.facts.compose", "compose_stacks", (DEPLOY_KINDS,)),
    "databases": _lazy("analysis.facts.databases", "databases", (DEPLOY_KINDS,)),
    "images": _lazy("analysis.facts.images.builds", "images", (DEPLOY_KINDS,)),
    "startup": _lazy(
        "analysis.facts.startup.paths", "startup_paths", (DEPLOY_KINDS,), _empty_startup
    ),
    "schemas": _lazy("analysis.facts.schema", "schemas", (SCHEMA_KINDS,)),
    "relations": _lazy("analysis.facts.relations", "relation_graphs", (SCHEMA_KINDS,)),
    "migrations": _lazy("analysis.facts.migrations", "migration_histories", (MIGRATION_KINDS,)),
    "pending": _lazy("analysis.facts.drift", "pending_changes", (SCHEMA_KINDS, MIGRATION_KINDS)),
}
"""Each fact by the name the report's JSON and the inspector's panes use for it."""
