"""App health from resource health: the worst counts, NONE does not."""

from __future__ import annotations

import itertools

import pytest

from gitops_tui.engine.health import aggregate
from gitops_tui.model import HEALTH_ORDER, HealthStatus


def test_nothing_that_counts_is_healthy() -> None:
    assert aggregate([]) is HealthStatus.HEALTHY
    assert aggregate([HealthStatus.NONE, HealthStatus.NONE]) is HealthStatus.HEALTHY


@pytest.mark.parametrize(("better", "worse"), list(itertools.combinations(HEALTH_ORDER, 2)))
def test_the_worse_of_two_wins_in_either_order(better: HealthStatus, worse: HealthStatus) -> None:
    assert aggregate([better, worse]) is worse
    assert aggregate([worse, better]) is worse
    assert aggregate([HealthStatus.NONE, worse, HealthStatus.NONE, better]) is worse


def test_order_is_argos() -> None:
    statuses = [HealthStatus.UNKNOWN, HealthStatus.SUSPENDED, HealthStatus.DEGRADED, HealthStatus.MISSING]
    assert aggregate(statuses) is HealthStatus.UNKNOWN
    assert aggregate(statuses[1:]) is HealthStatus.DEGRADED
    assert aggregate([HealthStatus.MISSING, HealthStatus.PROGRESSING]) is HealthStatus.MISSING
    assert aggregate([HealthStatus.SUSPENDED, HealthStatus.HEALTHY]) is HealthStatus.SUSPENDED


def test_none_never_hides_a_real_status() -> None:
    for status in HEALTH_ORDER:
        assert aggregate([HealthStatus.NONE, status]) is status


def test_accepts_any_iterable_once() -> None:
    assert aggregate(s for s in (HealthStatus.HEALTHY, HealthStatus.PROGRESSING)) is HealthStatus.PROGRESSING
