"""Crossing -> api latency on a running stack: from the capture time of the frame where a vehicle
crossed a counting line to the moment the api's live tally (`/api/v1/counts/live`) includes it.

Two watchers run side by side: one reads the crossings topic from the bus (each event carries the
capture time of its frame, microseconds, wall clock of the same machine), the other polls the api
every `poll_s`. When the api's tally for a (camera, line) rises by k, the k oldest crossings of
that line not matched yet are the ones that arrived; each one's latency is the poll's wall time
minus its capture time (so each figure is late by at most one poll interval).
"""
from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
import urllib.request
from collections import defaultdict, deque

from aiokafka import AIOKafkaConsumer

from roadcam.common import topics
from roadcam.v1 import counting_pb2


class CrossingLatency:
    """Start before the traffic you want to measure; `stop()` returns the figures."""

    def __init__(self, kafka: str, api_base: str, password: str, poll_s: float = 0.2) -> None:
        self.kafka, self.api, self.password, self.poll_s = kafka, api_base.rstrip("/"), password, poll_s
        self._pending: dict[tuple[str, str], deque[int]] = defaultdict(deque)
        self._latencies: list[float] = []
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._assigned = threading.Event()
        self._threads = [threading.Thread(target=self._run_bus, daemon=True),
                         threading.Thread(target=self._run_api, daemon=True)]
        self._token, self._token_at, self.errors = "", 0.0, 0

    def start(self, timeout: float = 60) -> None:
        self._threads[0].start()
        if not self._assigned.wait(timeout):
            raise RuntimeError("crossings topic not assigned within the timeout")
        self._threads[1].start()

    def stop(self) -> dict:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)
        with self._lock:
            values = sorted(self._latencies)
            unmatched = sum(len(q) for q in self._pending.values())
        if not values:
            return {"crossings": 0, "unmatched": unmatched, "poll_errors": self.errors}
        return {"crossings": len(values), "unmatched": unmatched, "poll_errors": self.errors,
                "median_s": round(statistics.median(values), 2),
                "p95_s": round(values[min(len(values) - 1, int(0.95 * len(values)))], 2),
                "max_s": round(values[-1], 2)}

    def _run_bus(self) -> None:
        asyncio.run(self._consume())

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(topics.CROSSINGS, bootstrap_servers=self.kafka, auto_offset_reset="latest",
                                    enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            while not consumer.assignment():
                await asyncio.sleep(0.1)
            for tp in consumer.assignment():
                await consumer.position(tp)  # fixes "latest" now, before the api baseline is read
            self._assigned.set()
            while not self._stop.is_set():
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for record in records:
                        event = counting_pb2.CrossingEvent.FromString(record.value)
                        with self._lock:
                            self._pending[(event.camera_id, event.line_id)].append(event.time_us)
        finally:
            await consumer.stop()

    def _bearer(self) -> str:
        if time.monotonic() - self._token_at > 600:  # tokens live 15 minutes
            body = json.dumps({"username": "admin", "password": self.password}).encode()
            request = urllib.request.Request(f"{self.api}/api/v1/auth/token", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as resp:
                self._token, self._token_at = json.loads(resp.read())["access_token"], time.monotonic()
        return self._token

    def _tally(self) -> dict[tuple[str, str], int]:
        request = urllib.request.Request(f"{self.api}/api/v1/counts/live?minutes=1440",
                                         headers={"Authorization": f"Bearer {self._bearer()}"})
        with urllib.request.urlopen(request, timeout=30) as resp:
            rows = json.loads(resp.read())["rows"]
        tally: dict[tuple[str, str], int] = defaultdict(int)
        for row in rows:
            tally[(row["camera_id"], row["line_id"])] += int(row["count"])
        return tally

    def _run_api(self) -> None:
        seen: dict[tuple[str, str], int] | None = None
        while not self._stop.wait(self.poll_s):
            try:
                tally, now_us = self._tally(), time.time_ns() // 1000
            except OSError:
                self.errors += 1
                continue
            if seen is not None:
                with self._lock:
                    for key, total in tally.items():
                        for _ in range(max(0, total - seen.get(key, 0))):
                            if self._pending[key]:  # a crossing from before the baseline has none
                                self._latencies.append((now_us - self._pending[key].popleft()) / 1e6)
            seen = {k: max(v, (seen or {}).get(k, 0)) for k, v in tally.items()}  # a folding dip is no loss
