"""The per-file parse cache: a parse is kept by (parser, path, content digest), so a
re-analysis after an edit re-parses only the files that changed.

`Context.parse` is the one seam: it asks `lookup` before running a parser and hands the parse
to `remember` after. Two levels:
- in memory, for the life of the process (the inspector's watch loop re-analyzes on every
  save): least recently used first out, within an estimated byte budget, and an edited file's
  older parse is dropped when its new one is kept;
- optionally a `Store` behind it (`use_store`): `keepdata check` plugs in the on-disk one
  (`tui.parse_store`) on a result-cache miss. The store is asked on a memory miss and told
  about every parse this run used.

Whatever a parser returns is kept as is (findings, parse problems, records). The parser is
named by its module and qualified name (`parser_for(provider)` gives each provider's its own
name), which is how its options are part of the key.

`stats()` counts what happened since the last `clear_parse_cache()`: which files a parser
ran on, how often, and the hits of each level (tests and benchmarks read it).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from analysis.records import dataclass

Key = tuple[str, str, str]
"""(parser name, root-relative path, content digest)"""

BUDGET = 256 * 1024 * 1024
"""Estimated bytes the cached parses may hold (least recently used dropped first)."""
_BYTES_PER_CHAR = 24
_BYTES_PER_ENTRY = 2048
"""A parse holds roughly this much per character of its file, plus a fixed part."""


class Store(Protocol):
    """A second level behind the memory (`tui.parse_store.DiskParses`)."""

    def get(self, root: str, key: Key) -> tuple[bool, Any]:
        """(True, parse) when the store holds this key's parse, else (False, None)."""
        ...

    def used(self, root: str, key: Key, value: object) -> None:
        """This run used `value` for `key` (from the parser, the memory or the store)."""
        ...


@dataclass(slots=True, frozen=True)
class ParseStats:
    """What the parse cache did since it was last cleared."""

    parsed: dict[tuple[str, str], int]
    """(parser, path) -> how many times the parser ran on that file."""
    memory_hits: int
    store_hits: int

    def runs(self, path: str) -> int:
        """How many times any parser ran on `path`."""
        return sum(n for (_, p), n in self.parsed.items() if p == path)


_MEMORY: OrderedDict[Key, tuple[Any, int]] = OrderedDict()
_BYTES = 0
_LATEST: dict[tuple[str, str], str] = {}
"""(parser, path) -> the digest cached last: an edited file's older parse is dropped."""
_LOCK = threading.Lock()
_PARSED: Counter[tuple[str, str]] = Counter()
_HITS = [0, 0]  # memory, store
_STORE: Store | None = None


def parser_name(parser: Callable[..., Any]) -> str:
    return parser.__module__ + "." + parser.__qualname__


def use_store(store: Store | None) -> Store | None:
    """Put `store` behind the memory (None: none); returns the one it replaces."""
    global _STORE
    previous, _STORE = _STORE, store
    return previous


@contextmanager
def using_store(store: Store | None) -> Iterator[None]:
    """`store` behind the memory for the `with` block (None: no change)."""
    if store is None:
        yield
        return
    previous = use_store(store)
    try:
        yield
    finally:
        use_store(previous)


def lookup(root: str, key: Key, size: int) -> tuple[bool, Any]:
    """(True, parse) when a level holds `key` (a file of `size` bytes under `root`), else
    (False, None)."""
    with _LOCK:
        entry = _MEMORY.get(key)
        if entry is not None:
            _MEMORY.move_to_end(key)
            _HITS[0] += 1
    store = _STORE
    if entry is not None:
        if store is not None:
            store.used(root, key, entry[0])
        return True, entry[0]
    if store is not None:
        found, value = store.get(root, key)
        if found:
            with _LOCK:
                _HITS[1] += 1
            _keep(key, value, size)
            store.used(root, key, value)
            return True, value
    return False, None


def remember(root: str, key: Key, value: object, size: int) -> None:
    """Keep the parse the parser just made of a file of `size` bytes."""
    with _LOCK:
        _PARSED[key[:2]] += 1
    _keep(key, value, size)
    store = _STORE
    if store is not None:
        store.used(root, key, value)


def _keep(key: Key, value: object, size: int) -> None:
    """Keep `value`, replacing the parse of an older version of the same file, within the
    byte budget (a watch session saving one file 5,000 times keeps one parse of it)."""
    global _BYTES
    with _LOCK:
        previous = _LATEST.get(key[:2])
        if previous is not None and previous != key[2]:
            old = _MEMORY.pop((key[0], key[1], previous), None)
            if old is not None:
                _BYTES -= old[1]
        weight = _BYTES_PER_ENTRY + _BYTES_PER_CHAR * size
        old = _MEMORY.pop(key, None)
        if old is not None:
            _BYTES -= old[1]
        _MEMORY[key] = (value, weight)
        _LATEST[key[:2]] = key[2]
        _BYTES += weight
        while _BYTES > BUDGET and _MEMORY:
            (parser, path, digest), (_v, w) = _MEMORY.popitem(last=False)
            _BYTES -= w
            if _LATEST.get((parser, path)) == digest:
                del _LATEST[(parser, path)]


def clear_parse_cache() -> None:
    """Forget every kept parse and reset the counters (the store, if any, stays)."""
    global _BYTES
    with _LOCK:
        _MEMORY.clear()
        _LATEST.clear()
        _BYTES = 0
        _PARSED.clear()
        _HITS[0] = _HITS[1] = 0


def clear_counts() -> None:
    """Reset the counters of `stats()` (the kept parses stay)."""
    with _LOCK:
        _PARSED.clear()
        _HITS[0] = _HITS[1] = 0


def parse_cache_size() -> int:
    return len(_MEMORY)


def stats() -> ParseStats:
    with _LOCK:
        return ParseStats(dict(_PARSED), _HITS[0], _HITS[1])
