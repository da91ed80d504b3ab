"""Textual's render caches without the reference cycles they leave to the collector.

Everything a repaint leaves behind should be freed by reference counting, the moment its
last user drops it. Two things in Textual make it wait for the cyclic collector instead,
whose full passes then ran 60-130 ms in the middle of a key (tui.heap):

- `Strip.divide(cuts)` caches its result in the strip; when the only cut is the strip's end
  (the compositor divides every line it renders so) the result is `[self]`: the strip holds
  itself. Here that case returns `[self]` uncached, as cheap as the cache lookup.
- `LRUCache.clear()` drops its ring of `[prev, next, key, value]` links without unlinking
  them, so every cleared render cache (a DataTable clears its row, cell and line caches on
  each focus move, restyle, resize or update) is one cycle holding every line it cached.
  Here `clear()` unlinks them first.

Measured over the actions benchmark's keys (Enter, n, n, p, Esc on 500 findings): the objects
left for the collector went from ~1,800 to ~470 per key (what is left: the style nodes Textual
makes for each restyle of a widget with component classes), and the full passes that still
run during keys from 60-130 ms to ~25 ms."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from textual.cache import LRUCache
from textual.strip import Strip

_divide: Callable[[Strip, Iterable[int]], Sequence[Strip]] | None = None
_clear: Callable[[LRUCache[object, object]], None] | None = None


def _divide_acyclic(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    length = self.cell_length
    kept = [cut for cut in cuts if cut <= length]
    if kept == [length]:
        return [self]
    assert _divide is not None
    return _divide(self, kept)


def _clear_acyclic(self: LRUCache[object, object]) -> None:
    for link in self._cache.values():
        if isinstance(link, list):
            link.clear()
    assert _clear is not None
    _clear(self)


def _internals_as_expected() -> bool:
    """Whether Textual's `Strip` and `LRUCache` are built as the patches assume (checked on
    Textual 8.2): a strip keeps `_divide_cache`, a cache keeps its links as lists in `_cache`.
    Another Textual release may differ; then the patches are not applied and the inspector
    runs on Textual's own code, with more work for the collector but nothing broken."""
    try:
        cache: LRUCache[int, int] = LRUCache(2)
        cache[0] = 0
        links = list(cache._cache.values())
        strip = Strip([])
        return len(links) == 1 and isinstance(links[0], list) and hasattr(strip, "_divide_cache")
    except Exception:  # any surprise in another release means: do not patch
        return False


def keep_render_caches_acyclic() -> None:
    """Replace `Strip.divide` and `LRUCache.clear` (once per process), when Textual's
    internals are the ones the replacements were written for."""
    global _divide, _clear
    if _divide is not None or not _internals_as_expected():
        return
    _divide = Strip.divide
    Strip.divide = _divide_acyclic  # type: ignore[method-assign]
    _clear = LRUCache.clear
    LRUCache.clear = _clear_acyclic  # type: ignore[method-assign,assignment]
