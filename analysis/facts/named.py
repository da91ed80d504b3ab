"""The facts a report and the inspector show, by name: the one list of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analysis.context import Context
from analysis.facts.compose import compose_stacks
from analysis.facts.databases import databases
from analysis.facts.drift import pending_changes
from analysis.facts.images.builds import images
from analysis.facts.migrations import migration_histories
from analysis.facts.relations import relation_graphs
from analysis.facts.schema import schemas
from analysis.facts.startup.paths import startup_paths

NAMED_FACTS: dict[str, Callable[[Context], Any]] = {
    "stacks": compose_stacks,
    "databases": databases,
    "images": images,
    "startup": startup_paths,
    "schemas": schemas,
    "relations": relation_graphs,
    "migrations": migration_histories,
    "pending": pending_changes,
}
"""Each fact by the name the report's JSON and the inspector's panes use for it."""
