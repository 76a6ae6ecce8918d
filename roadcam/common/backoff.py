"""Exponential backoff with jitter, as a small pure object (random source injectable for tests)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays grow `factor`× per failure up to `maximum`; `reset()` after a success.

    Jitter is "equal jitter": half the delay is fixed, half random, so many cameras that failed
    together (a switch reboot) do not all retry in the same instant, yet none retries too soon.
    """

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise ValueError("backoff needs 0 < initial <= maximum")
        if self.factor < 1:
            raise ValueError("backoff factor must be >= 1")

    def ceiling(self) -> float:
        """The un-jittered delay for the current failure count."""
        exponent = max(self.failures - 1, 0)
        return min(self.maximum, self.initial * self.factor**exponent)

    def next_delay(self) -> float:
        """Record one failure and return how long to wait before the next attempt."""
        self.failures += 1
        ceiling = self.ceiling()
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.failures = 0
