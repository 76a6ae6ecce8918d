"""Sign-in throttling (A1) as pure logic: the clock is passed in, state lives in this replica.

- Failures count per (account, client address), per client address and per account, each with
  exponential backoff once over its limit; a client that signed in to an account before
  (known good) is judged only by its own failures for that account, so strangers failing against
  `admin` cannot lock the manager out of the office they work from.
- Unknown user names cost an argon2 verification each (against a fixed dummy hash, so timing
  does not tell them apart); a global budget caps that cost, after which they are refused cheaply.
- `Verdict.audit` is True only on the 1st, 2nd, 4th, 8th... failure or refusal of a streak, so a
  flood leaves a few aggregated audit entries (with the count) instead of one per attempt.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SEC = 1_000_000
KNOWN_GOOD_US = 90 * 86_400 * SEC
CLIENT_FACTOR = 4     # a client address may fail this many times the per-account limit (shared offices)
UNKNOWN_BUDGET = 30   # argon2 verifications for unknown user names per window, per replica


@dataclass
class Strikes:
    failures: int = 0
    last_us: int = 0
    locked_until_us: int = 0
    refused: int = 0


@dataclass(frozen=True)
class Verdict:
    wait_s: int          # 0: go ahead
    audit: bool          # record this attempt (the first and every power-of-two-th of a streak)
    count: int           # failures (or refusals) in the streak so far


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


@dataclass
class SignInGuard:
    max_failures: int
    window_s: int
    _strikes: dict[tuple, Strikes] = field(default_factory=dict)
    _known_good: dict[tuple[str, str], int] = field(default_factory=dict)
    _unknown: list[int] = field(default_factory=list)

    def _keys(self, username: str, client: str, now_us: int) -> list[tuple[tuple, int]]:
        pair = (("pair", username, client), self.max_failures)
        if now_us - self._known_good.get((username, client), -KNOWN_GOOD_US) < KNOWN_GOOD_US:
            return [pair]
        return [pair, (("client", client), self.max_failures * CLIENT_FACTOR), (("account", username), self.max_failures)]

    def _current(self, key: tuple, now_us: int) -> Strikes:
        s = self._strikes.get(key)
        if s is None or now_us - max(s.last_us, s.locked_until_us) > self.window_s * SEC:
            s = self._strikes[key] = Strikes()
        return s

    def check(self, username: str, client: str, now_us: int) -> Verdict:
        """Before verifying a password: refuse while any relevant lock holds (a refusal renews nothing)."""
        until = max((self._current(k, now_us).locked_until_us for k, _ in self._keys(username, client, now_us)),
                    default=0)
        if until <= now_us:
            return Verdict(0, False, 0)
        pair = self._current(("pair", username, client), now_us)
        pair.refused += 1
        return Verdict(max(1, -(-(until - now_us) // SEC)), _power_of_two(pair.refused), pair.refused)

    def failed(self, username: str, client: str, now_us: int) -> Verdict:
        lock_s = 0
        for key, limit in self._keys(username, client, now_us):
            s = self._current(key, now_us)
            s.failures, s.last_us = s.failures + 1, now_us
            if s.failures >= limit:
                backoff = min(self.window_s, 2 ** min(s.failures - limit, 16))
                s.locked_until_us = now_us + backoff * SEC
                lock_s = max(lock_s, backoff)
        count = self._strikes[("pair", username, client)].failures
        return Verdict(lock_s, _power_of_two(count), count)

    def succeeded(self, username: str, client: str, now_us: int) -> None:
        self._strikes.pop(("pair", username, client), None)
        self._known_good[(username, client)] = now_us

    def unknown_user_allowed(self, now_us: int) -> bool:
        """Spend one unit of the unknown-user budget; False once this window's budget is spent."""
        since = now_us - self.window_s * SEC
        self._unknown[:] = [t for t in self._unknown if t > since]
        if len(self._unknown) >= UNKNOWN_BUDGET:
            return False
        self._unknown.append(now_us)
        return True
