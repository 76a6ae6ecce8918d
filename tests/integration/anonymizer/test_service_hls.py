"""The anonymizer service end to end: camera file -> ingest -> Kafka -> anonymizer -> HLS in S3."""
import asyncio
import logging
import time
import uuid

import pytest

from services.anonymizer.settings import DetectionSettings
from tests.integration.anonymizer.harness import (
    PublicBucket, anonymizer_settings, ingest_settings, models, running_anonymizer, running_ingest,
    is_slate, segment_names, tolerant_of_load, write_config,
)

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)
LOADED_S = 240  # generous: on 2 cores shared with other work, models load and frames flow slowly
FPS = 4  # public frame rate: at load average ~19, 10 fps fell 61-101 s behind, past the guard's 60 s maximum


async def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.2)
    return None


def is_live(service) -> bool:
    """Running, has published, and its last frame was anonymized video (a channel starts out 'live')."""
    running, details = service.ready()
    camera = details["cameras"]["cam-a"]
    return running and camera["segments"] > 0 and camera["live"]


def taken_over(store: PublicBucket, last: str) -> str | None:
    """The playlist once it lists at least 5 segments and one written after `last`."""
    playlist = store.playlist("cam-a")
    names = segment_names(playlist)
    return playlist if len(names) >= 5 and names[-1] > last else None


def video_after(store: PublicBucket, last: str) -> str | None:
    """A listed segment written after `last` that holds anonymized video, not only the slate."""
    for name in segment_names(store.playlist("cam-a")):
        if name > last and any(not is_slate(f) for f in store.frames("cam-a", name)):
            return name
    return None


@pytest.mark.timeout(4 * LOADED_S + 120)  # each phase may take LOADED_S on a busy machine
async def test_live_hls_and_second_replica_takeover(tmp_path, kafka_settings, redis_server, s3_server, videos, shared_data):
    config = write_config(tmp_path, videos / "bridge_dense_5s.mp4", public_view={"fps": FPS})
    bucket = f"pub-{uuid.uuid4().hex[:8]}"
    # The subject is going live and taking over, not speed: an overload budget for a busy machine.
    a = tolerant_of_load(anonymizer_settings(config, kafka_settings, redis_server.url, s3_server, bucket,
                                             models(shared_data), "anon-a"))
    store = PublicBucket(a)
    began = time.monotonic()
    async with running_ingest(ingest_settings(config, kafka_settings, redis_server.url, tmp_path)):
        async with running_anonymizer(a) as service:
            assert await wait_until(lambda: len(segment_names(store.playlist("cam-a"))) >= 3, LOADED_S), service.ready()
            assert await wait_until(lambda: is_live(service), LOADED_S), service.ready()
        last = segment_names(store.playlist("cam-a"))[-1]
        a_took = time.monotonic() - began
        async with running_anonymizer(a.model_copy(update={"instance": "anon-b"})) as replica:
            second = await wait_until(lambda: taken_over(store, last), LOADED_S)
            assert second, replica.ready()
            video = await wait_until(lambda: video_after(store, last), LOADED_S)
            assert video, f"replica b published only the paused slate: {replica.ready()}"
    log.info("replica a live with 3 segments after %.1f s; replica b took over and published video %.1f s later",
             a_took, time.monotonic() - began - a_took)
    names = segment_names(second)
    assert names == sorted(names) and len(set(names)) == len(names)
    assert "#EXT-X-DISCONTINUITY" in second.split(last)[1]  # replica b started a new timeline
    frames = store.frames("cam-a", video)
    assert 6 <= len(frames) <= 10  # ~2 s at 4 fps
    assert frames[0].shape == (360, 640, 3)  # downscaled from 1280x720 (V1)


async def test_missing_model_fails_closed_with_slate(tmp_path, kafka_settings, redis_server, s3_server, videos, shared_data):
    config = write_config(tmp_path, videos / "bridge_dense_5s.mp4")
    bucket = f"pub-{uuid.uuid4().hex[:8]}"
    broken = DetectionSettings(yunet_model=tmp_path / "missing.onnx", yolo_model=shared_data / "models" / "yolov8n_int8.tflite")
    a = anonymizer_settings(config, kafka_settings, redis_server.url, s3_server, bucket, broken)
    store = PublicBucket(a)
    async with running_ingest(ingest_settings(config, kafka_settings, redis_server.url, tmp_path)):
        async with running_anonymizer(a) as service:
            assert await wait_until(lambda: len(segment_names(store.playlist("cam-a"))) >= 2, LOADED_S)
            ready, details = service.ready()
    assert ready and "missing.onnx" in details["cameras"]["cam-a"]["reason"]
    frames = [f for n in segment_names(store.playlist("cam-a")) for f in store.frames("cam-a", n)]
    assert len(frames) >= 20 and all(is_slate(f) for f in frames)  # only the paused slate, never video
