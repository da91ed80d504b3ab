"""The inspector keeps the garbage collector's full passes off the keys while it runs
(tui.heap) and leaves the collector as it found it when it closes."""

from __future__ import annotations

import gc

from tests.conftest import EXAMPLES
from tui.app import KeepdataApp
from tui.heap import FULL_PASS_EVERY, HeapFreezer


async def test_the_analysis_on_screen_is_frozen_and_released_on_exit() -> None:
    thresholds = gc.get_threshold()
    app = KeepdataApp(EXAMPLES / "seed-app", watch=False, mask_volatile=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        assert gc.get_freeze_count() > 0  # the heap left by the analysis
        assert gc.get_threshold()[2] == FULL_PASS_EVERY
        assert gc.isenabled()  # the start-up's hold ended with the first analysis
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert gc.get_threshold() == thresholds


async def test_collection_is_held_while_an_analysis_is_on_its_way_to_the_screen() -> None:
    app = KeepdataApp(EXAMPLES / "seed-app", watch=False, mask_volatile=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.wait_for_analysis()
        await pilot.pause()
        assert gc.isenabled()
        app.request_analysis("rescan")
        assert not gc.isenabled()  # its allocations are not walked by passes meanwhile
        await app.wait_for_analysis(after=1)
        await pilot.pause()
        assert gc.isenabled()  # on again once it is painted, its result frozen
    assert gc.isenabled()


def test_collection_is_held_from_the_start_until_the_first_analysis_is_on_screen() -> None:
    heap = HeapFreezer()
    assert gc.isenabled()
    try:
        heap.hold()
        assert not gc.isenabled()  # no automatic pass while the inspector starts
        heap.settle()
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        heap.release()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_hold_ended_by_closing_leaves_the_collector_as_it_was() -> None:
    heap = HeapFreezer()
    gc.disable()
    try:
        heap.hold()
        heap.release()  # the inspector closed before any analysis landed
        assert not gc.isenabled()  # it was off before: still off
    finally:
        gc.enable()
    heap = HeapFreezer()
    heap.hold()
    heap.release()
    assert gc.isenabled()


def test_a_grown_frozen_heap_is_collected_once_at_the_next_landing() -> None:
    heap = HeapFreezer()
    try:
        heap.settle()
        assert heap.full_collections == 0 and heap.baseline == gc.get_freeze_count()
        kept = [[i] for i in range(heap.baseline)]  # the frozen heap doubles
        heap.settle()
        assert heap.full_collections == 1
        assert heap.baseline == gc.get_freeze_count() >= len(kept)
    finally:
        heap.release()
    assert gc.get_freeze_count() == 0


def test_idle_collection_waits_for_idleness_and_for_work() -> None:
    heap = HeapFreezer()
    gc.collect()
    assert not heap.collect_when_idle(0.1)  # the user is typing
    assert not heap.collect_when_idle(5.0)  # nothing pending since the last full pass
    for _ in range(3):
        gc.collect(1)  # middle-generation passes: garbage may wait in the oldest one
    assert heap.collect_when_idle(5.0)
    assert heap.full_collections == 1
