"""A rebalance never leaves footage to a next owner that may not get it (issue 16).

With the local in-memory broker a restart forgets every message: an open segment dropped at the
rebalance in the hope that the next owner re-reads it was lost. The recorder now seals and stores
the open segment when its partitions are revoked, before it commits.
"""
from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from roadcam.common import topics
from roadcam.common.bus import BusConsumer
from roadcam.common.runner import serve
from roadcam.common.timeutil import now_us
from services.recorder.bootstrap import bootstrap
from services.recorder.crypto import generate_master_key
from services.recorder.export import export_clip
from services.recorder.sealer import load_head
from services.recorder.verify import verify_range
from tests.integration.recorder.harness import camera, publish, recorder_settings, wait_for
from tests.integration.recorder.support import clip_batches, frame_hashes, new_store

pytestmark = pytest.mark.slow
CAM = "cam-r"
T0_US = now_us() - 600_000_000  # near now: the service's sweeper runs on the real clock


async def idle_member(consumer: BusConsumer) -> None:
    """A group member that takes partitions and never records them (a next owner that never sees the data)."""
    async for _ in consumer.batches():
        pass


async def test_revoked_partitions_store_the_open_segment(tmp_path, kafka_settings, s3_server, videos) -> None:
    bucket, master = f"reb-{uuid.uuid4().hex[:10]}", generate_master_key()
    settings = recorder_settings(tmp_path, [camera(CAM)], kafka_settings, s3_server, bucket, master)
    store, keyring, _ = new_store(s3_server, bucket=bucket, master_key=master)
    clip = videos / "bridge_dense_5s.mp4"  # keyframes every 30 packets: 2 s segments of 60
    batches = clip_batches(clip, CAM, loops=3, t0_us=T0_US)  # 10 packets a batch

    def head_seq() -> int:
        with contextlib.suppress(Exception):
            return load_head(store, CAM).last_seq
        return -1

    async def stored(seq: int) -> bool:
        return await asyncio.to_thread(head_seq) >= seq

    stop = asyncio.Event()
    recorder = asyncio.create_task(serve(settings, bootstrap, stop))
    member = BusConsumer(kafka_settings, None, [topics.VIDEO], settings.group_id, from_beginning=True,
                         session_timeout_ms=2000)
    try:
        await publish(kafka_settings, batches[:15])  # packets 0-149: segments 0-59, 60-119, then 120-149 open
        assert await wait_for(lambda: stored(119), 60)
        await asyncio.sleep(2)
        assert await asyncio.to_thread(head_seq) == 119  # 120-149 are held in the open segment
        await member.start()  # joins the group: the recorder's partitions are revoked
        polling = asyncio.create_task(idle_member(member))
        # Stored by the recorder itself, at once: whoever owns the partition next never records it.
        assert await wait_for(lambda: stored(149), 30), f"open segment not stored at the rebalance: head {head_seq()}"
        polling.cancel()
        await member.stop()  # the recorder takes every partition back
        await publish(kafka_settings, batches[15:])
        assert await wait_for(lambda: stored(3 * 144 - 60), 90)  # the rest but the open segment
    finally:
        stop.set()
        await asyncio.wait_for(recorder, 60)
    assert head_seq() == 3 * 144 - 1
    report = verify_range(store, keyring, CAM, T0_US, T0_US + 10**12)
    assert report.status == "OK" and not report.findings, report.findings
    assert all(s.meta.end_us <= t.meta.start_us for s, t in zip(report.segments, report.segments[1:]))  # no overlap
    export = export_clip(store, keyring, CAM, T0_US, T0_US + 10**12)
    assert frame_hashes(export.mp4) == frame_hashes(clip) * 3  # every frame once: nothing lost, nothing twice
