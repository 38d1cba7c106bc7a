"""The loop's collector policy: automatic full collections off and the survivors of each reconcile
frozen while a loop runs, one full collection every `every` seconds, everything restored when the last
loop stops."""

from __future__ import annotations

import gc

from gitops_tui.orchestration.heap import HeapPolicy


def test_a_loop_freezes_what_survives_and_restores_the_collector() -> None:
    before = gc.get_threshold()
    now = [0.0]
    policy = HeapPolicy(every=600.0, clock=lambda: now[0])
    policy.start()
    try:
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 1_000_000
        survivors = [{"metadata": {"name": f"cm-{i}"}} for i in range(1000)]
        policy.after_reconcile()
        assert gc.get_freeze_count() >= len(survivors)
        assert policy.full_collections == 0
        now[0] = 601.0
        policy.after_reconcile()  # due: unfreeze, collect everything, freeze again
        assert policy.full_collections == 1 and gc.get_freeze_count() >= len(survivors)
    finally:
        policy.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_two_loops_share_the_setting_until_the_last_stops() -> None:
    before = gc.get_threshold()
    first, second = HeapPolicy(), HeapPolicy()
    first.start()
    second.start()
    first.stop()
    assert gc.get_threshold()[2] > 1_000_000  # the second loop still runs
    second.after_reconcile()
    second.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    second.stop()  # twice is harmless
    assert gc.get_threshold() == before
