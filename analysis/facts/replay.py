"""Replay a migration history's SQL, in order, into a model of the database it builds.

The model holds tables (with schema), columns (type, nullability, default), primary keys,
unique constraints and indexes, indexes, foreign keys (with ON DELETE/UPDATE), enums (with
their values), extensions and schemas, each with the migration and line that created it.

Prisma's two multi-statement patterns are recognised as what they mean:
- SQLite `-- RedefineTables` (`CREATE TABLE "new_X"`, `INSERT INTO "new_X" ... SELECT ...
  FROM "X"`, `DROP TABLE "X"`, `ALTER TABLE "new_X" RENAME TO "X"`) is a copy of `X`: a
  `Redefinition` names the columns it loses (missing from the INSERT ... SELECT), the
  required columns it adds, types and nullability it changes, and who references `X`.
- PostgreSQL enum recreation (`CREATE TYPE "E_new"`, `ALTER ... TYPE "E_new" USING`,
  `ALTER TYPE "E" RENAME TO "E_old"`, `ALTER TYPE "E_new" RENAME TO "E"`, `DROP TYPE
  "E_old"`) is one `EnumChange` of `E` with the values it removes and adds.

For every action the replay also records an `ActionNote`: what the database held just before
it (is the table new in this migration, the column's previous state, what a DROP CONSTRAINT
dropped, whether an equal unique index already existed, ...). The migration rules read those
notes instead of replaying again. Results are cached by the migrations' digests.
"""

from __future__ import annotations

import posixpath
from collections import OrderedDict
from typing import TYPE_CHECKING

from analysis.facts.replay_engine import Replayer
from analysis.facts.replay_records import (
    ActionNote,
    DatabaseModel,
    DbColumn,
    DbTable,
    MigrationReplay,
    Origin,
)

if TYPE_CHECKING:
    from analysis.facts.migrations import Migration


# -- entry point with cache ----------------------------------------------------------------------
_Replayed = tuple[DatabaseModel, tuple[MigrationReplay, ...]]
_CACHE: OrderedDict[tuple[object, ...], tuple[_Replayed, int]] = OrderedDict()
_CACHE_BYTES = 0
_CACHE_BUDGET = 48 * 1024 * 1024
"""Estimated bytes the cached replays may hold (least recently used dropped first)."""
_BYTES_PER_STATEMENT = 1024
_BYTES_PER_SQL_CHAR = 40
"""A replay holds about this much per statement and per character of SQL (measured: a
1.2 MB migration's replay is ~47 MB)."""


def _replay_weight(migrations: tuple[Migration, ...]) -> int:
    total = 0
    for m in migrations:
        if m.sql is not None:
            for st in m.sql.statements:
                total += _BYTES_PER_STATEMENT + _BYTES_PER_SQL_CHAR * len(st.text)
    return total


def replay_history(
    provider: str | None, migrations: tuple[Migration, ...]
) -> tuple[DatabaseModel, tuple[MigrationReplay, ...]]:
    """Replay `migrations` in order. Cached by (provider, paths and digests of the files):
    one entry per migrations folder (a new version of a history replaces the old one: a
    watch session saving a migration 50 times keeps one replay, not 50), the entries
    bounded by their estimated size in bytes."""
    global _CACHE_BYTES
    key = (provider, tuple((m.path, m.digest, m.sql is not None) for m in migrations))
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit[0]
    r = Replayer(provider)
    replays = tuple(r.apply(i, m) for i, m in enumerate(migrations))
    result = (r.freeze(), replays)
    folders = {posixpath.dirname(posixpath.dirname(m.path)) for m in migrations}
    for old in [k for k in _CACHE if _folders_of(k) & folders]:
        _CACHE_BYTES -= _CACHE.pop(old)[1]
    weight = _replay_weight(migrations)
    if weight <= _CACHE_BUDGET:
        _CACHE[key] = (result, weight)
        _CACHE_BYTES += weight
        while _CACHE_BYTES > _CACHE_BUDGET:
            _CACHE_BYTES -= _CACHE.popitem(last=False)[1][1]
    return result


def _folders_of(key: tuple[object, ...]) -> set[str]:
    files = key[1]
    assert isinstance(files, tuple)
    return {posixpath.dirname(posixpath.dirname(path)) for path, _digest, _sql in files}


def clear_replay_cache() -> None:
    global _CACHE_BYTES
    _CACHE.clear()
    _CACHE_BYTES = 0


__all__ = [
    "ActionNote",
    "DatabaseModel",
    "DbColumn",
    "DbTable",
    "MigrationReplay",
    "Origin",
    "clear_replay_cache",
    "replay_history",
]
