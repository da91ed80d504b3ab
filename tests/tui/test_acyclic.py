"""tui.widgets.acyclic: strips divided at their end and cleared render caches are freed by
reference counting, not left to the cyclic collector, and still behave as Textual's."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from textual.cache import LRUCache
from textual.strip import Strip

from tui.widgets.acyclic import keep_render_caches_acyclic


@pytest.fixture
def collector_off() -> Iterator[None]:
    keep_render_caches_acyclic()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_strip_divided_at_its_end_is_freed_without_the_collector(collector_off: None) -> None:
    strip = Strip([Segment("hello "), Segment("world")])
    assert strip.divide([11]) == [strip]
    assert strip.divide(iter([11, 20])) == [strip]  # cuts past the end are dropped
    del strip
    assert gc.collect() == 0


def test_a_strip_divided_inside_gives_textuals_pieces() -> None:
    keep_render_caches_acyclic()
    strip = Strip([Segment("hello "), Segment("world")])
    pieces = strip.divide([3, 8, 11])
    assert [piece.text for piece in pieces] == ["hel", "lo wo", "rld"]
    assert strip.divide([3, 8, 11]) is pieces  # still cached


def test_a_cleared_cache_is_freed_without_the_collector(collector_off: None) -> None:
    cache: LRUCache[int, list[str]] = LRUCache(4)
    for i in range(6):
        cache[i] = [f"line {i}"]
    cache.clear()
    assert gc.collect() == 0
    assert cache.get(5) is None
    cache[1] = ["again"]
    cache[2] = ["more"]
    assert cache.get(1) == ["again"]
    assert len(cache) == 2


def test_textual_as_installed_is_the_one_the_patches_were_written_for() -> None:
    from tui.widgets import acyclic

    assert acyclic._internals_as_expected()


def test_another_textual_is_left_unpatched(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Textual release built differently runs on its own code, not on a broken patch."""
    from tui.widgets import acyclic

    monkeypatch.setattr(acyclic, "_divide", None)
    monkeypatch.setattr(acyclic, "_clear", None)
    monkeypatch.setattr(LRUCache, "__setitem__", lambda self, key, value: None)
    divide, clear = Strip.divide, LRUCache.clear
    assert not acyclic._internals_as_expected()
    acyclic.keep_render_caches_acyclic()
    assert (Strip.divide, LRUCache.clear) == (divide, clear)
