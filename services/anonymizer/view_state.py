"""`hls/<camera>/state.json` next to each playlist: live or paused and why, for the api's public
and console pages (docs/console.md). Rewritten every few seconds; the api trusts it while fresh."""
from __future__ import annotations

import asyncio
import json
import logging
import time

from roadcam.common.tasks import cancel_and_wait
from services.anonymizer.channel import CameraChannel
from services.anonymizer.segment_sink import ObjectSink, hls_prefix

log = logging.getLogger(__name__)


def state_document(channel: CameraChannel, now_s: float) -> bytes:
    code = channel.pause_code or (None if channel.segments_written else "starting")  # no video yet: not live
    state = {"state": "live" if code is None else "paused", "reason": code or "", "time_us": int(now_s * 1e6)}
    return json.dumps(state).encode()


class ViewStateWriter:
    def __init__(self, channels: dict[str, CameraChannel], sink: ObjectSink, interval_s: float = 5.0) -> None:
        self._channels, self._sink, self._interval_s = channels, sink, interval_s
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait([self._task])

    async def write_all(self) -> None:
        for camera_id, channel in list(self._channels.items()):
            try:
                await self._sink.put(hls_prefix(camera_id) + "state.json", state_document(channel, time.time()),
                                     "application/json", "no-cache")
            except Exception as exc:  # noqa: BLE001 - storage trouble: the api falls back to the playlist's age
                log.warning("camera %s: state.json not written: %s", camera_id, exc)

    async def _run(self) -> None:
        while True:
            await self.write_all()
            await asyncio.sleep(self._interval_s)
