"""Bounded FIFO of sealed (already encrypted) segments waiting for S3.

Limits: `memory_bytes` of ciphertext in memory, then up to `spool_bytes` more spilled to files in
`spool_dir` (ciphertext only: segments are encrypted before they are queued, data keys are
wrapped). When both are full, `put` waits, so the consumer stops fetching and the footage stays
on the bus, uncommitted, until S3 is back. The spool only widens the in-process buffer: after a
crash it is wiped, and the bus re-delivers what was not committed.
"""
from __future__ import annotations

import asyncio
import shutil
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from services.recorder.sealer import SealedSegment
from services.recorder.segmenter import BusRef


@dataclass
class _Entry:
    sealed: SealedSegment
    size: int
    path: Path | None = None  # set when the ciphertext was spilled to disk


class UploadQueue:
    def __init__(self, memory_bytes: int, spool_dir: Path | None = None, spool_bytes: int = 0) -> None:
        self._max_mem, self._max_disk = memory_bytes, spool_bytes if spool_dir else 0
        self._spool = spool_dir
        if spool_dir is not None:
            shutil.rmtree(spool_dir, ignore_errors=True)  # leftovers of a crash: the bus re-delivers them
            spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._items: deque[_Entry] = deque()
        self._mem = self._disk = 0
        self._changed = asyncio.Condition()

    @property
    def bytes(self) -> int:
        return self._mem + self._disk

    @property
    def spilled_bytes(self) -> int:
        return self._disk

    def __len__(self) -> int:
        return len(self._items)

    def refs(self) -> list[BusRef]:
        return [e.sealed.first_ref for e in self._items]

    def _fits(self, size: int) -> str | None:
        if not self._items or self._mem + size <= self._max_mem:
            return "memory"  # an item larger than every limit still goes in alone: progress is possible
        return "disk" if self._disk + size <= self._max_disk else None

    async def put(self, sealed: SealedSegment) -> None:
        size = len(sealed.blob)
        async with self._changed:
            await self._changed.wait_for(lambda: self._fits(size) is not None)
            entry = _Entry(sealed, size)
            if self._fits(size) == "disk":
                assert self._spool is not None
                entry.path = self._spool / f"{uuid.uuid4().hex}.seg"
                await asyncio.to_thread(entry.path.write_bytes, sealed.blob)
                entry.sealed = SealedSegment(sealed.meta, b"", sealed.new_key, sealed.first_ref, sealed.retention_days)
                self._disk += size
            else:
                self._mem += size
            self._items.append(entry)
            self._changed.notify_all()

    async def peek(self) -> SealedSegment:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._items))
            entry = self._items[0]
        if entry.path is None:
            return entry.sealed
        blob = await asyncio.to_thread(entry.path.read_bytes)
        s = entry.sealed
        return SealedSegment(s.meta, blob, s.new_key, s.first_ref, s.retention_days)

    async def pop(self) -> None:
        async with self._changed:
            entry = self._items.popleft()
            if entry.path is not None:
                entry.path.unlink(missing_ok=True)
                self._disk -= entry.size
            else:
                self._mem -= entry.size
            self._changed.notify_all()

    async def drained(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._items)
