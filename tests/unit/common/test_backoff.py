"""Backoff: grows exponentially to a ceiling, jitter stays within [ceiling/2, ceiling], resets."""
from __future__ import annotations

import random

import pytest

from roadcam.common.backoff import Backoff


def test_delays_grow_to_the_maximum_within_jitter_bounds() -> None:
    backoff = Backoff(initial=0.5, maximum=30, factor=2, rng=random.Random(7))
    ceilings = [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    for ceiling in ceilings:
        delay = backoff.next_delay()
        assert ceiling / 2 <= delay <= ceiling


def test_reset_starts_over() -> None:
    backoff = Backoff(initial=1, maximum=10, rng=random.Random(1))
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert 0.5 <= backoff.next_delay() <= 1


def test_jitter_spreads_simultaneous_failures() -> None:
    delays = {round(Backoff(initial=4, maximum=4, rng=random.Random(seed)).next_delay(), 3) for seed in range(50)}
    assert len(delays) > 40  # 50 cameras failing together do not retry in lockstep


@pytest.mark.parametrize(("initial", "maximum", "factor"), [(0, 1, 2), (2, 1, 2), (1, 2, 0.5)])
def test_invalid_policies_are_rejected(initial: float, maximum: float, factor: float) -> None:
    with pytest.raises(ValueError):
        Backoff(initial=initial, maximum=maximum, factor=factor)
