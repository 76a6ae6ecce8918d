"""Ingest while the broker is killed and restarted (the local broker comes back empty).

What must hold: memory held for the bus stays under its bound, readiness says the bus is not
taking video, every packet that never reached the bus is counted as a gap (health and metric),
the only holes downstream are those counted, and publishing resumes on its own.
"""
from __future__ import annotations

import asyncio
import time

import pytest
from prometheus_client import REGISTRY

from roadcam.common.settings import KafkaSettings, PayloadSettings
from roadcam.devstack.processes import respawn, wait_ready
from tests.integration.ingest.harness import VideoTopicReader, camera, health, ingest_settings, running_ingest, wait_for

pytestmark = pytest.mark.slow
BOUND, BATCH = 300_000, 100_000
LARGEST_BATCH = BATCH + 300_000  # a batch closes past BATCH: one keyframe more at most
LOADED_S = 120  # generous waits: on 2 cores shared with other work the same states only come later


async def _until(service, want_ready: bool, timeout: float) -> float:
    started = time.monotonic()
    async def check():
        return service.ready()[0] is want_ready
    assert await wait_for(check, timeout), f"ready never became {want_ready}: {service.ready()}"
    return time.monotonic() - started


async def test_broker_killed_and_restarted_gaps_counted_memory_bounded_and_resumes(
    tmp_path, kafka, kafka_settings, redis_server, rtsp_camera_factory, looped_clip
) -> None:
    server = rtsp_camera_factory({"bridge": looped_clip("bridge_dense_5s.mp4", 20)})
    settings = ingest_settings(
        tmp_path, [camera("bridge", server.url("bridge"))], kafka_settings, redis_server.url,
        bus_max_pending_bytes=BOUND, batch_max_bytes=BATCH, bus_send_timeout_s=0.5, bus_stall_s=2.0,
    ).model_copy(update={"payload": PayloadSettings(mode="inline")})  # the video itself waits in memory
    async with VideoTopicReader(kafka_settings, redis_server.url) as reader:
        async with running_ingest(settings) as service:
            await _until(service, True, LOADED_S)
            await reader.read_for(3.0)
            kafka.child.process.kill()
            kafka.child.process.wait(5)
            not_ready_after = await _until(service, False, LOADED_S)
            await asyncio.sleep(8)  # long enough for the bound to fill
            during = service.ready()[1]
            respawn(kafka.child)
            wait_ready(kafka.child, LOADED_S)
            ready_after = await _until(service, True, LOADED_S)
            await reader.read_for(6.0)
            after = await health(redis_server.url, "bridge")
        await reader.read_for(2.0)  # what the clean shutdown flushed
    print(f"\nnot ready {not_ready_after:.1f}s after the kill; ready again {ready_after:.1f}s after restart; "
          f"peak pending {service.delivery.peak_pending_bytes} bytes; gap {after['gap_seconds']} s")

    assert not during["bus"].startswith("ok")
    # Over the bound only by the one batch admitted when nothing else was pending.
    assert during["bus_pending_bytes"] <= BOUND + LARGEST_BATCH
    assert service.delivery.peak_pending_bytes <= BOUND + LARGEST_BATCH
    assert service.delivery.pending_bytes == 0  # nothing left behind after recovery
    gap_s, dropped = float(after["gap_seconds"]), int(after["dropped"])
    assert gap_s >= 1.0 and dropped >= 30  # seconds of a 30 fps camera, not a rounding error
    # health reports the gap rounded to the millisecond
    assert REGISTRY.get_sample_value("roadcam_ingest_gap_seconds_total", {"camera": "bridge"}) >= gap_s - 0.001
    assert dropped / 30 == pytest.approx(gap_s, rel=0.05)  # every dropped packet's time is in the gap

    sessions = {b.session_id for b in reader.batches}
    assert len(sessions) == 1  # the camera never reconnected: every hole is the bus's
    seqs = {p.seq for b in reader.batches for p in b.packets}
    missing = set(range(min(seqs), max(seqs) + 1)) - seqs
    after_restart = [p.seq for b in reader.batches[-50:] for p in b.packets]
    assert max(after_restart) > max(missing)  # publishing resumed after the hole
    # Every hole downstream was counted (a batch the dying broker stored but never acknowledged
    # may be both counted and seen, so the count may be slightly higher, never lower).
    assert 0 < len(missing) <= dropped <= len(missing) + 200


async def test_after_a_broker_restart_topics_are_recreated_and_consumers_resume(tmp_path, kafka, kafka_settings) -> None:
    """The local broker restarts empty; `roadcam up` re-creates every topic at once, and a consumer
    whose commit the forgotten group refuses keeps going (re-delivery, not a crash)."""
    from aiokafka.admin import AIOKafkaAdminClient

    from roadcam.common import topics
    from roadcam.common.bus import BusConsumer, BusProducer, ensure_topics
    from roadcam.devstack.stack import recreate_topics

    await ensure_topics(kafka_settings, None, [topics.SEGMENTS])
    producer, consumer = BusProducer(kafka_settings, None, "p"), BusConsumer(
        kafka_settings, None, [topics.SEGMENTS], "g", from_beginning=True, session_timeout_ms=2000)
    await producer.start()
    await consumer.start()
    batches = consumer.batches(timeout_ms=200)
    try:
        await producer.send_and_wait(topics.SEGMENTS, "k", b"before")
        assert await _receive(batches, b"before")
        kafka.child.after_restart = lambda: recreate_topics(kafka.url)
        kafka.child.process.kill()
        kafka.child.process.wait(5)
        await asyncio.to_thread(respawn, kafka.child)  # as the supervisor does: ready, then topics re-created
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka.url)
        await admin.start()
        try:
            assert set(topics.ALL) <= set(await admin.list_topics())
            described = await admin.describe_topics([topics.VIDEO])
            assert len(described[0]["partitions"]) == KafkaSettings().partitions  # not a broker default
        finally:
            await admin.close()
        await consumer.commit()  # the group is gone: refused, must not raise
        await producer.send_and_wait(topics.SEGMENTS, "k", b"after")
        assert await _receive(batches, b"after", timeout=LOADED_S)
        await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


async def _receive(batches, value: bytes, timeout: float = LOADED_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.value == value for r in await batches.__anext__()):
            return True
    return False
