"""The counter service against a real broker and Redis, with the real model and a real clip."""
from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest
import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from roadcam.common import topics
from roadcam.common.settings import KafkaSettings
from services.counter.bootstrap import bootstrap
from services.counter.publisher import QUEUE_LENGTHS, SPEED_BINS, VIEW_HEALTH
from services.counter.settings import Settings
from roadcam.v1 import counting_pb2
from tests.integration.counter.harness import START_US, publish_clip, read_all, wait_until, write_config

pytestmark = pytest.mark.slow
PARSERS = {
    topics.CROSSINGS: counting_pb2.CrossingEvent, topics.COUNT_BINS: counting_pb2.CountBin,
    QUEUE_LENGTHS: counting_pb2.QueueLength, SPEED_BINS: counting_pb2.SpeedBin, VIEW_HEALTH: counting_pb2.ViewHealth,
}
# Everything any counter output may carry: no track id, no box, no image, no crop (T5, P2).
ALLOWED_FIELDS = {
    "camera_id", "line_id", "lane_id", "direction", "direction_name", "object_class", "census_class",
    "time_us", "bin_start_us", "bin_seconds", "count", "final", "length_m", "vehicles", "mean_kmh", "p85_kmh",
    "quality", "quality_reason", "faults", "reference_learned", "size_basis",
}


def settings_for(tmp_path, kafka: KafkaSettings, redis_url: str, model) -> Settings:
    return Settings(
        config_file=write_config(tmp_path / "cameras.yaml"), model=model, kafka=kafka, redis_url=redis_url,
        session_timeout_ms=2000, group_id="counter-test", open_bin_interval_s=1, from_beginning=True, silent_camera_s=2,
    )


async def run_counter(settings: Settings, kafka: KafkaSettings, clip, expected_crossings: int):
    stop = asyncio.Event()
    async with bootstrap(settings) as service:
        task = asyncio.create_task(service.run(stop))
        await wait_until(lambda: service.ready()[1].get("partitions", 0) > 0, 30, "partition assignment")
        await publish_clip(kafka, clip, "cam-crosswalk")
        await wait_until(lambda: service.ready()[1]["crossings"] >= expected_crossings, 120,
                         lambda: f"crossings: {service.ready()}")
        stop.set()
        await task
        return service


async def test_counts_reach_bus_and_redis_and_carry_no_identifiers(tmp_path, kafka_settings, redis_server, videos, shared_data):
    settings = settings_for(tmp_path, kafka_settings, redis_server.url, shared_data / "models/yolov8n_int8.tflite")
    analysed = lambda: REGISTRY.get_sample_value(  # noqa: E731
        "roadcam_counter_frames_analysed_total", {"camera": "cam-crosswalk"}) or 0.0
    before = analysed()
    service = await run_counter(settings, kafka_settings, videos / "crosswalk_peds_bikes_13s.mp4", 6)
    # /metrics: every frame the engine analysed, per camera (most of 13 s sampled at 10 fps)
    assert analysed() - before == service.frames > 100

    records = await read_all(kafka_settings)
    assert records, "the counter emitted nothing"
    crossings = Counter()
    for r in records:
        msg = PARSERS[r.topic].FromString(r.value)
        assert r.key == b"cam-crosswalk"
        fields = {f.name for f, _ in msg.ListFields()}
        assert fields <= ALLOWED_FIELDS, f"{r.topic} carries {fields - ALLOWED_FIELDS}"
        assert len(r.value) < 200, f"a {r.topic} message of {len(r.value)} bytes cannot be a count"
        if r.topic == topics.CROSSINGS:
            assert msg.time_us >= START_US and msg.census_class
            crossings[(counting_pb2.Direction.Name(msg.direction), msg.object_class, msg.direction_name)] += 1
    # ground truth of this clip: right-to-left (POS here) 1 person + 1 bicycle, left-to-right 4 persons
    assert crossings == {("DIRECTION_POS", "person", "左へ"): 1, ("DIRECTION_POS", "bicycle", "左へ"): 1,
                         ("DIRECTION_NEG", "person", "右へ"): 4}

    bins = [counting_pb2.CountBin.FromString(r.value) for r in records if r.topic == topics.COUNT_BINS]
    assert bins and all(b.quality == "ok" and b.object_class for b in bins), "a healthy camera's bins are ok"
    views = [counting_pb2.ViewHealth.FromString(r.value) for r in records if r.topic == VIEW_HEALTH]
    assert views and all(not v.faults for v in views), "the unmodified clip raised a camera fault"
    last = {}
    for b in bins:  # the latest state of each bin
        last[(b.direction, b.object_class, b.bin_start_us, b.bin_seconds)] = b.count
    for seconds in (300, 900, 3600):
        per_bin = Counter()
        for (direction, cls, _, s), n in last.items():
            if s == seconds:
                per_bin[(direction, cls)] += n
        assert per_bin == {(1, "person"): 1, (1, "bicycle"): 1, (2, "person"): 4}, seconds

    redis = aioredis.from_url(redis_server.url)
    try:
        tally = await redis.hgetall("roadcam:tally:cam-crosswalk:2026-01-01")
        assert {k.decode(): int(v) for k, v in tally.items()} == {
            "crossing:pos:person": 1, "crossing:pos:bicycle": 1, "crossing:neg:person": 4}
        assert 0 < await redis.ttl("roadcam:tally:cam-crosswalk:2026-01-01") <= settings.tally_ttl_s
    finally:
        await redis.aclose()


async def test_missing_model_is_a_readiness_error_not_a_crash(tmp_path, kafka_settings, redis_server, caplog):
    settings = settings_for(tmp_path, kafka_settings, redis_server.url, tmp_path / "nope.tflite")
    stop = asyncio.Event()
    async with bootstrap(settings) as service:
        task = asyncio.create_task(service.run(stop))
        ready, details = service.ready()
        assert not ready and "nope.tflite" in details["error"] and "does not exist" in details["error"]
        stop.set()
        await asyncio.wait_for(task, 10)
    assert any("nope.tflite" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    json.dumps(details)  # /readyz serialises it
