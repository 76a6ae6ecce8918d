"""Finished counts answers for settled time ranges (issue 10: counts p99 at 200 req/s).

A range whose bins are all final and ended over an hour ago does not change, so its serialized
answer is kept (LRU) and served without touching the database. The counts store reports every
write (camera, oldest bin start written) and the answers it may change are dropped; a replica
that does not consume the bus still drops entries after `ttl_s`, which bounds a late correction.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

SETTLED_US = 3_600 * 1_000_000


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...]
    created_us: int
    cameras: tuple[str, ...]
    end_us: int


class SettledCounts:
    def __init__(self, max_entries: int = 4096, ttl_s: float = 600.0) -> None:
        self._max, self._ttl_us = max_entries, int(ttl_s * 1_000_000)
        self._entries: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def settled(end_us: int, now_us: int) -> bool:
        return end_us <= now_us - SETTLED_US

    def get(self, key: Hashable, now_us: int) -> CachedAnswer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if now_us - found.created_us > self._ttl_us:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, answer: CachedAnswer) -> None:
        with self._lock:
            self._entries[key] = answer
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer (a new configuration may rename directions)."""
        with self._lock:
            self._entries.clear()

    def written(self, camera_id: str, oldest_start_us: int) -> None:
        """Bins of `camera_id` from `oldest_start_us` on were written: drop answers that include them."""
        with self._lock:
            stale = [k for k, a in self._entries.items() if camera_id in a.cameras and a.end_us > oldest_start_us]
            for k in stale:
                del self._entries[k]
