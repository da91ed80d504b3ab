"""The analysis context: the project's files, read once, and facts computed once per run.

Parsing is cached across runs by (parser, path, content digest), so a re-analysis after an
edit re-parses only the files that changed. Facts are pure functions of the context; `fact()`
memoizes them for the run.
"""

from __future__ import annotations

import posixpath
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from analysis.discover import Inventory
from analysis.model import Finding
from analysis.sources import FileKind, SourceFile, read_source

T = TypeVar("T")

_PARSE_CACHE: OrderedDict[tuple[str, str, str], tuple[Any, int]] = OrderedDict()
_PARSE_CACHE_BYTES = 0
_PARSE_CACHE_BUDGET = 256 * 1024 * 1024
"""Estimated bytes the cached parses may hold (least recently used dropped first)."""
_BYTES_PER_CHAR = 24
_BYTES_PER_ENTRY = 2048
"""A parse holds roughly this much per character of its file, plus a fixed part."""
_PARSE_LATEST: dict[tuple[str, str], str] = {}
"""(parser, path) -> the digest cached last: an edited file's older parse is dropped."""
_PARSE_LOCK = threading.Lock()


def clear_parse_cache() -> None:
    global _PARSE_CACHE_BYTES
    with _PARSE_LOCK:
        _PARSE_CACHE.clear()
        _PARSE_LATEST.clear()
        _PARSE_CACHE_BYTES = 0


def _cache_parse(key: tuple[str, str, str], value: Any, size: int) -> None:
    """Keep `value`, replacing the parse of an older version of the same file, within the
    byte budget (a watch session saving one file 5,000 times keeps one parse of it)."""
    global _PARSE_CACHE_BYTES
    with _PARSE_LOCK:
        previous = _PARSE_LATEST.get(key[:2])
        if previous is not None and previous != key[2]:
            old = _PARSE_CACHE.pop((key[0], key[1], previous), None)
            if old is not None:
                _PARSE_CACHE_BYTES -= old[1]
        weight = _BYTES_PER_ENTRY + _BYTES_PER_CHAR * size
        old = _PARSE_CACHE.pop(key, None)
        if old is not None:
            _PARSE_CACHE_BYTES -= old[1]
        _PARSE_CACHE[key] = (value, weight)
        _PARSE_LATEST[key[:2]] = key[2]
        _PARSE_CACHE_BYTES += weight
        while _PARSE_CACHE_BYTES > _PARSE_CACHE_BUDGET and _PARSE_CACHE:
            (parser, path, digest), (_v, w) = _PARSE_CACHE.popitem(last=False)
            _PARSE_CACHE_BYTES -= w
            if _PARSE_LATEST.get((parser, path)) == digest:
                del _PARSE_LATEST[(parser, path)]


def parse_cache_size() -> int:
    return len(_PARSE_CACHE)


class Context:
    """Everything one analysis run knows. Rules read files and facts through it."""

    def __init__(self, root: Path, inventory: Inventory, settings: Any = None) -> None:
        self.root = root.resolve()
        self.inventory = inventory
        self.settings = settings
        self._sources: dict[str, SourceFile | None] = {}
        self._read_problems: dict[str, Finding] = {}
        self._facts: dict[Callable[..., Any], Any] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._discovered: frozenset[str] | None = None

    # -- files ---------------------------------------------------------------------------
    def files(self, *kinds: FileKind) -> tuple[str, ...]:
        return self.inventory.of(*kinds)

    def exists(self, rel: str) -> bool:
        rel_n = normalize(rel)
        if rel_n is None:
            return False
        full = self.root / rel_n
        try:
            return full.exists() and (
                full.resolve() == self.root or self.root in full.resolve().parents
            )
        except OSError:
            return False

    def is_dir(self, rel: str) -> bool:
        rel_n = normalize(rel)
        return rel_n is not None and (self.root / rel_n).is_dir()

    def source(self, rel: str) -> SourceFile | None:
        """The file's text, or None (and a KD002 finding) when it cannot be read."""
        if rel in self._sources:  # already read (keys are normalized paths)
            return self._sources[rel]
        rel_n = normalize(rel)
        if rel_n is None:
            return None
        if rel_n in self._sources:
            return self._sources[rel_n]
        if self._discovered is None:
            same_root = getattr(self.inventory, "root", None) == self.root
            self._discovered = (
                frozenset(p for p, _ in self.inventory.files) if same_root else frozenset()
            )
        # A file the discovery walk found inside the root needs no second link check.
        result = read_source(self.root, rel_n, discovered=rel_n in self._discovered)
        self._sources[rel_n] = result.source
        if result.problem is not None:
            self._read_problems[rel_n] = result.problem
        return result.source

    def parse(self, rel: str, parser: Callable[[SourceFile], T]) -> T | None:
        """`parser(source)` for the file, cached by content digest across runs."""
        src = self.source(rel)
        if src is None:
            return None
        local_key = (parser.__module__ + "." + parser.__qualname__, src.path)
        if local_key in self._parsed:
            return self._parsed[local_key]
        key = (local_key[0], src.path, src.digest)
        with _PARSE_LOCK:
            entry = _PARSE_CACHE.get(key)
            if entry is not None:
                _PARSE_CACHE.move_to_end(key)
        if entry is not None:
            hit = entry[0]
        else:
            hit = parser(src)
            _cache_parse(key, hit, src.size)
        self._parsed[local_key] = hit
        return hit

    @property
    def sources(self) -> dict[str, SourceFile | None]:
        return dict(self._sources)

    @property
    def read_problems(self) -> tuple[Finding, ...]:
        return tuple(self._read_problems.values())

    @property
    def parsed_results(self) -> tuple[Any, ...]:
        return tuple(self._parsed.values())

    # -- facts ---------------------------------------------------------------------------
    def fact(self, fn: Callable[[Context], T]) -> T:
        if fn in self._facts:
            return self._facts[fn]
        value = fn(self)
        self._facts[fn] = value
        return value


_MISSING = object()


def normalize(rel: str) -> str | None:
    """A root-relative POSIX path without `..` escapes, or None when it leaves the root."""
    if not rel:
        return None
    rel = rel.replace("\\", "/")
    if rel.startswith("/"):
        return None
    norm = posixpath.normpath(rel)
    if norm == ".." or norm.startswith("../"):
        return None
    return norm


def join(base_dir: str, ref: str) -> str | None:
    """Resolve `ref` (relative to the folder `base_dir`, both root-relative) to a root path."""
    if ref.startswith("/"):
        return None
    return normalize(posixpath.join(base_dir or ".", ref))
