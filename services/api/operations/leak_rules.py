"""Leak rules (O2) as pure logic: access statistics in, alerts out; the clock and zone are passed in.

- footage access per user per hour over a limit (views, exports, downloads, segment listings);
- footage access outside working hours (local time, weekdays);
- a burst of failed sign-ins (any accounts, counted from the aggregated audit entries);
- a new API key used from many client addresses.
Each alert carries a key (rule|subject|window start) so every replica raises it at most once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

HOUR_US = 3_600_000_000
# Audit actions that touch footage or its registers (recorder/API names and the disclosure package's),
# with how many an account may do in an hour before it is an alert.
FOOTAGE_LIMITS = {"view": 30, "export": 5, "download": 10, "segments_listed": 60, "export_created": 5,
                  "export_downloaded": 10, "export_link_refused": 5, "request_document_viewed": 30,
                  "register_exported": 10}


@dataclass(frozen=True)
class LeakPolicy:
    per_hour: Mapping[str, int] = field(default_factory=lambda: dict(FOOTAGE_LIMITS))
    work_start_hour: int = 8
    work_end_hour: int = 19
    work_days: frozenset[int] = frozenset(range(5))      # Monday..Friday
    signin_window_us: int = 600_000_000                   # 10 minutes
    signin_burst: int = 20
    key_new_us: int = 7 * 24 * HOUR_US
    key_addresses: int = 5


@dataclass(frozen=True)
class Access:
    actor: str
    action: str
    time_us: int
    camera_id: str


@dataclass(frozen=True)
class FailedSignIn:
    actor: str
    client: str
    time_us: int
    count: int           # the streak count an aggregated audit entry carries; 0: a plain entry (one failure)


@dataclass(frozen=True)
class LeakAlert:
    key: str
    rule: str
    subject: str
    message: str
    count: int


def _window(time_us: int, size_us: int) -> int:
    return time_us - time_us % size_us


def too_many(policy: LeakPolicy, accesses: Iterable[Access], now_us: int) -> list[LeakAlert]:
    """Per user and action within the last hour (alerts keyed by the hour the limit was crossed)."""
    counts: dict[tuple[str, str], int] = {}
    for a in accesses:
        if a.action in policy.per_hour and now_us - HOUR_US <= a.time_us <= now_us:
            counts[(a.actor, a.action)] = counts.get((a.actor, a.action), 0) + 1
    hour = _window(now_us, HOUR_US)
    return [LeakAlert(f"volume|{actor}|{action}|{hour}", "volume", actor,
                      f"{actor}: {n} {action} in the last hour (limit {policy.per_hour[action]})", n)
            for (actor, action), n in sorted(counts.items()) if n > policy.per_hour[action]]


def outside_hours(policy: LeakPolicy, accesses: Iterable[Access], tz: tzinfo) -> list[LeakAlert]:
    found: dict[tuple[str, int], list[Access]] = {}
    for a in accesses:
        if a.action not in policy.per_hour:
            continue
        local = datetime.fromtimestamp(a.time_us / 1e6, tz)
        if local.weekday() not in policy.work_days or not policy.work_start_hour <= local.hour < policy.work_end_hour:
            found.setdefault((a.actor, _window(a.time_us, HOUR_US)), []).append(a)
    alerts = []
    for (actor, hour), hits in sorted(found.items()):
        first = datetime.fromtimestamp(hits[0].time_us / 1e6, tz).strftime("%Y-%m-%d %H:%M")
        alerts.append(LeakAlert(f"off_hours|{actor}|{hour}", "off_hours", actor,
                                f"{actor}: {len(hits)} footage access(es) outside working hours from {first}",
                                len(hits)))
    return alerts


def signin_burst(policy: LeakPolicy, failures: Iterable[FailedSignIn], now_us: int) -> list[LeakAlert]:
    """Aggregated entries carry a running count per (name, client): the largest one is the streak."""
    streaks: dict[tuple[str, str], int] = {}
    singles = 0
    for f in failures:
        if now_us - policy.signin_window_us <= f.time_us <= now_us:
            if f.count:
                streaks[(f.actor, f.client)] = max(streaks.get((f.actor, f.client), 0), f.count)
            else:
                singles += 1
    total = singles + sum(streaks.values())
    if total < policy.signin_burst:
        return []
    window = _window(now_us, policy.signin_window_us)
    names = len({actor for actor, _ in streaks} | {f.actor for f in failures if not f.count})
    return [LeakAlert(f"signin_burst|*|{window}", "signin_burst", "*",
                      f"{total} failed sign-ins in {policy.signin_window_us // 60_000_000} minutes "
                      f"({names} user names)", total)]


def key_spread(policy: LeakPolicy, addresses_per_new_key: Mapping[str, int], now_us: int) -> list[LeakAlert]:
    hour = _window(now_us, HOUR_US)
    return [LeakAlert(f"api_key|{key_id}|{hour}", "api_key", key_id,
                      f"new API key {key_id} used from {n} addresses within the last hour", n)
            for key_id, n in sorted(addresses_per_new_key.items()) if n >= policy.key_addresses]
