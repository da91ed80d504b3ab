"""The one pause of Python's cyclic garbage collector, for stretches that build many acyclic
records (parse results, the replay, a whole run's checks)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic records (parse results,
    the replay): otherwise each collection rescans everything already built. Reference
    counting still frees what is dropped; cycles made meanwhile are collected afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            _promote_survivors()
            gc.enable()


def _promote_survivors() -> None:
    """Move what the paused stretch built straight to the oldest generation.

    Those records are long-lived (the parse and replay caches keep them across runs); left
    in the youngest generation, the first collection after the pause would scan every one of
    them, and the middle one again. `gc.freeze()` + `gc.unfreeze()` is the documented way to
    move all tracked objects to the oldest generation without scanning them; skipped when
    something else keeps objects frozen, so nothing of theirs is thawed."""
    global _PROMOTIONS
    _PROMOTIONS += 1
    if _PROMOTIONS >= _FULL_COLLECT_EVERY:
        # Promoted garbage (cycles left by earlier runs) is not counted towards Python's own
        # full collections, which then almost never run: a watch session grew ~6 MB per 1,000
        # saves. A full collection every few promotions keeps it flat.
        _PROMOTIONS = 0
        gc.collect()
    elif gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


_PROMOTIONS = 0
_FULL_COLLECT_EVERY = 8
