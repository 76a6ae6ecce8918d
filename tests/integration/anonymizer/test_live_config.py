"""The anonymizer applies a privacy mask from the config topic live (issue 10): camera file ->
ingest -> Kafka -> anonymizer -> HLS in S3, with a document published on the real broker."""
from __future__ import annotations

import json
import logging
import statistics
import uuid

import numpy as np
import pytest
import yaml

from tests.integration.anonymizer.harness import (
    PublicBucket, anonymizer_settings, ingest_settings, is_slate, models, running_anonymizer, running_ingest,
    segment_names, tolerant_of_load, write_config,
)
from tests.integration.anonymizer.test_service_hls import wait_until
from tests.support.config_topic import config_message, publish_config

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)
LEFT_HALF = {"name": "左半分", "polygon": [[0, 0], [640, 0], [640, 720], [0, 720]]}  # of the 1280x720 source


def block_std(region: np.ndarray, block: int = 16) -> float:
    """Mean spread of the pixels in each row's 16 px runs: ~0 inside the mosaic (its cells are
    16 px wide from x = 0 at 640 px), large for a real scene."""
    w = (region.shape[1] // block) * block
    runs = region[:, :w].astype(np.float32).reshape(region.shape[0], w // block, block, 3)
    return float(runs.std(axis=2).mean())


def scene(spreads: list[float]) -> bool:
    """Never a mosaic (every frame above 3) and mostly the detailed live scene (median above 8)."""
    return min(spreads) > 3 and statistics.median(spreads) > 8


def paused_for(service, reason: str) -> dict | None:
    camera = service.ready()[1]["cameras"]["cam-a"]
    return camera if not camera["live"] and reason in (camera["reason"] or "") else None


def logged(caplog, text: str) -> int:
    return sum(text in r.getMessage() for r in caplog.records)


async def new_segments(store: PublicBucket, after: str, count: int) -> list[str]:
    def found() -> list[str] | None:
        names = [n for n in segment_names(store.playlist("cam-a")) if n > after]
        return names[:count] if len(names) >= count else None
    names = await wait_until(found, 90)
    assert names, f"no {count} new segments after {after}"
    return names


async def frames_until_live(store: PublicBucket, after: str, timeout_s: float = 120) -> list[np.ndarray]:
    """Every frame published after segment `after` up to the first segment with a live (not slate)
    frame: on a loaded machine the view may be paused for overload a while."""
    frames: list[np.ndarray] = []
    for _ in range(int(timeout_s / 2)):
        for name in await new_segments(store, after, 1):
            frames += store.frames("cam-a", name)
            after = name
        if any(not is_slate(f) for f in frames):
            break
    return frames


async def test_new_mask_is_on_the_next_frames_and_a_malformed_document_keeps_the_view_paused(
        tmp_path, kafka_settings, redis_server, s3_server, videos, shared_data, caplog):
    caplog.set_level(logging.INFO)
    # a slow machine (other tests, 2 cores) must still publish real frames: 4 fps, generous limits
    config = write_config(tmp_path, videos / "bridge_dense_5s.mp4", frame_size=[1280, 720],
                          public_view={"width": 640, "height": 360, "fps": 4})
    camera = yaml.safe_load(config.read_text())["cameras"][0]
    a = tolerant_of_load(anonymizer_settings(config, kafka_settings, redis_server.url, s3_server,
                                             f"pub-{uuid.uuid4().hex[:8]}", models(shared_data)))
    a = a.model_copy(update={"hls": a.hls.model_copy(update={"slate_after_s": 10.0})})
    store = PublicBucket(a)
    async with running_ingest(ingest_settings(config, kafka_settings, redis_server.url, tmp_path)):
        async with running_anonymizer(a) as service:
            assert await wait_until(lambda: len(segment_names(store.playlist("cam-a"))) >= 1, 90), service.ready()
            before = await frames_until_live(store, "")
            await publish_config(kafka_settings, "cam-a", config_message({**camera, "privacy_masks": [LEFT_HALF]}, 2))
            assert await wait_until(lambda: logged(caplog, "configuration version 2 in force"), 60)
            # everything published from now on: the mask, or the slate while it was being installed
            masked = await frames_until_live(store, segment_names(store.playlist("cam-a"))[-1])
            state = await wait_until(lambda: json.loads(store.read("hls/cam-a/state.json") or b"{}").get("state") == "live", 30)
            await publish_config(kafka_settings, "cam-a", config_message(camera, 3, config_json='{"id": "cam-a"}'))
            assert await wait_until(lambda: logged(caplog, "configuration document rejected"), 60)
            last = segment_names(store.playlist("cam-a"))[-1]
            held = [f for n in await new_segments(store, last, 2) for f in store.frames("cam-a", n)]
            # while held, a stall of the feed (busy machine) shows "no frames" until frames come again
            ready = await wait_until(lambda: paused_for(service, "rejected"), 120) or service.ready()[1]["cameras"]["cam-a"]
    # Spread bars: a mosaic is below 3; the live scene is above 8, though not in every single frame: on
    # a busy machine (load average 15-17) single live frames measured 5.90 and 6.49 (smeared motion).
    live_before = [round(block_std(f[:, :304]), 2) for f in before if not is_slate(f)]
    log.info("left-half spread of the %d live frames before the change: %s", len(live_before), live_before)
    assert live_before and scene(live_before), live_before  # a real scene first
    live = [f for f in masked if not is_slate(f)]
    assert live, "the view never came back after the change"
    spreads = [round(block_std(f[:, :304]), 2) for f in live]
    assert max(spreads) < 3, f"a frame without the new mask was published: {spreads}"
    right = [round(block_std(f[:, 336:]), 2) for f in live]
    log.info("right-half spread of the %d live frames after the change: %s", len(right), right)
    assert scene(right), right  # the right half is still the live scene
    assert state, "state.json did not say live after the change"
    # a document that does not validate pauses the view (fail closed), it does not publish the old masks
    assert held and all(is_slate(f) for f in held) and not ready["live"] and "rejected" in ready["reason"]
