"""Keep the cyclic garbage collector's full passes off the keys.

Measured on a project with 500 findings: every five to seven keys CPython ran a full
(oldest-generation) collection of about 100 ms, most of the inspector's p95 latency. Two
causes: the heap the analysis leaves (the snapshot, the file texts, the widgets: ~150,000
tracked objects) is walked by every full pass, and Textual's repaints leave thousands of
small reference cycles (a `Strip` caches itself in its own caches when a crop or a resize
is a no-op), which live long enough in the render caches to reach the oldest generation.

So, while the inspector runs:
- from its start until the first analysis is on screen, and from each request of an
  analysis until its result is on screen (`hold`), no automatic collection: importing
  Textual and the analysis and mounting the screen create some 200,000 objects that live
  as long as the inspector, and CPython's passes over them (about 250 young, 20 middle and
  a full one) cost ~70 ms of CPU on the way to the first full screen; an analysis's
  allocations (the new result, alive until the next one) made each save pay ~15 young and
  one or two middle passes over a middle generation they filled. The garbage cycles
  they leave are few (160 objects per analysis of risky-app) and are frozen with the rest;
- once an analysis is on screen, `settle` moves everything alive into the permanent
  generation (`gc.freeze`): full passes no longer walk it. Reference counting still frees the
  old analysis when a new one replaces it; only garbage in cycles among frozen objects waits
  until the frozen heap has grown by half since the last full collection, when one full
  collection runs at that landing;
- automatic full collections are three times rarer (a safety net, not the rule: their cost
  grows with the garbage waiting, so much rarer ones are much longer; measured with keys
  pressed back to back, 100 gave one ~400 ms pass every ~50 keys, 30 ~150 ms ones), and
  `collect_when_idle` runs the full pass when no key or mouse event came for half a second
  and no analysis is on its way to the screen, when a pause costs nobody anything.
"""

from __future__ import annotations

import gc

GROWTH = 1.5
"""A full collection at a landing when the frozen heap has grown by this factor."""
FULL_PASS_EVERY = 30
"""gc threshold 2 while the inspector runs: full collections after this many middle-
generation ones (CPython's default is 10)."""
IDLE_SECONDS = 0.5
"""No input for this long: a full collection costs nobody anything."""
IDLE_AFTER = 3
"""... if at least this many middle-generation collections ran since the last full one."""


class HeapFreezer:
    def __init__(self) -> None:
        self.baseline = 0
        """The frozen heap's size after the last full collection (0: none yet)."""
        self.full_collections = 0
        """Full collections this object ran (at landings and when idle)."""
        self._thresholds: tuple[int, int, int] | None = None
        self._held: bool | None = None
        """Whether automatic collection was enabled before `hold` (None: not held)."""

    def hold(self) -> None:
        """No automatic collection until `settle` (the inspector is starting)."""
        if self._held is None:
            self._held = gc.isenabled()
            gc.disable()

    def _resume(self) -> None:
        if self._held is not None:
            if self._held:
                gc.enable()
            self._held = None

    def start(self) -> None:
        """Make automatic full collections rare (the inspector is on screen)."""
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            first, second, _ = self._thresholds
            gc.set_threshold(first, second, FULL_PASS_EVERY)

    def settle(self) -> None:
        """Freeze what is alive now (call when an analysis is on screen) and end `hold`."""
        gc.freeze()
        self._resume()
        frozen = gc.get_freeze_count()
        if self.baseline and frozen > self.baseline * GROWTH:
            gc.unfreeze()
            self._collect()
            gc.freeze()
            self.baseline = gc.get_freeze_count()
        elif not self.baseline:
            self.baseline = frozen

    def collect_when_idle(self, idle_seconds: float) -> bool:
        """Run the full collection now if the user has been idle long enough and the
        collector has work pending (True when it ran)."""
        if idle_seconds < IDLE_SECONDS or gc.get_count()[2] < IDLE_AFTER:
            return False
        self._collect()
        return True

    def _collect(self) -> None:
        gc.collect()
        self.full_collections += 1

    def release(self) -> None:
        """Hand the frozen objects back to the collector and restore its thresholds (the
        inspector is closing)."""
        gc.unfreeze()
        self._resume()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
