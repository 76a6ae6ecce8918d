"""The seconds of video ingest counts as lost match the media time of the hole (issue 16).

Over RTSP PyAV reports no frame rate and packet durations that are 0 or the nominal 1/30 s; the
crosswalk clip runs at about 11 fps with B-frames, so counting by durations or arrival times
under-counts. Here the broker is killed and a camera connects during the outage; its counted gap
is compared with what the presentation timestamps of the packets shown around each hole say.
"""
from __future__ import annotations

import asyncio

import pytest

from roadcam.common.settings import PayloadSettings
from roadcam.devstack.processes import respawn, wait_ready
from tests.integration.ingest.harness import (
    VideoTopicReader, camera, health, ingest_settings, running_ingest, wait_for,
)
from tests.integration.ingest.test_bus_outage import LOADED_S, _until
from tests.support.rtsp import RtspCamera

pytestmark = pytest.mark.slow


def hole_media_seconds(packets, time_base, interval_s: float) -> float:
    """Media time of every run of missing seqs: next shown PTS - last shown PTS - one frame."""
    by_seq = {p.seq: p for p in packets}
    seqs = sorted(by_seq)
    total, tb = 0.0, float(time_base)
    for before, after in zip(seqs, seqs[1:]):
        if after - before > 1:
            last_shown = max(by_seq[s].pts for s in seqs if s <= before)
            next_shown = min(by_seq[s].pts for s in seqs if after <= s < after + 4)  # leading B-frames
            total += (next_shown - last_shown) * tb - interval_s
    return total


async def test_counted_gap_seconds_follow_the_rtsp_presentation_clock(
    tmp_path, kafka, kafka_settings, redis_server, rtsp_camera_factory, looped_clip
) -> None:
    steady = rtsp_camera_factory({"bridge": looped_clip("bridge_dense_5s.mp4", 20)})  # keeps the bus busy
    # Connected while the broker is away, so its losses are all this outage's (none half-sent
    # when the broker died); the old count gave its 7-packet batches 0.23 s (7 x 1/30 s).
    late = RtspCamera({"cross": looped_clip("crosswalk_peds_bikes_13s.mp4", 12)}, tmp_path / "logs")
    settings = ingest_settings(
        tmp_path, [camera("bridge", steady.url("bridge")), camera("cross", late.url("cross"))],
        kafka_settings, redis_server.url, bus_send_timeout_s=0.5, bus_stall_s=2.0,
    ).model_copy(update={"payload": PayloadSettings(mode="inline")})
    try:
        async with VideoTopicReader(kafka_settings, redis_server.url) as reader:
            async with running_ingest(settings) as service:
                await _until(service, True, LOADED_S)
                kafka.child.process.kill()
                kafka.child.process.wait(5)
                await _until(service, False, LOADED_S)
                late.start()
                assert await wait_for(lambda: _online(service, "cross"), LOADED_S)
                await asyncio.sleep(6)  # several seconds of its video with nowhere to go
                respawn(kafka.child)
                wait_ready(kafka.child, LOADED_S)
                await _until(service, True, LOADED_S)
                await reader.read_for(6.0)
                after = await health(redis_server.url, "cross")
    finally:
        late.stop()
    batches = [b for b in reader.batches if b.camera_id == "cross"]
    packets, time_base = [p for b in batches for p in b.packets], batches[0].stream.time_base
    pts, seqs = sorted(p.pts for p in packets), sorted(p.seq for p in packets)
    interval_s = float((pts[-1] - pts[0]) * time_base) / (seqs[-1] - seqs[0])  # every frame, shown or lost
    # The session's timestamps start at 0 (its first packet, the keyframe, has none and ingest
    # places it at 0), so a lost start holds the media time up to the first frame shown.
    head_s = float(min(p.pts for p in packets if p.seq < seqs[0] + 4) * time_base)
    media_s = head_s + hole_media_seconds(packets, time_base, interval_s)
    gap_s, dropped = float(after["gap_seconds"]), int(after["dropped"])
    print(f"\ncross: counted {gap_s:.3f} s for {dropped} packets; lost media {media_s:.3f} s "
          f"(start {head_s:.3f} s, first seq shown {seqs[0]}); frame interval {interval_s:.4f} s")

    assert {b.session_id for b in batches} == {batches[0].session_id} and batches[0].stream.avg_fps == 0
    assert dropped >= 30 and media_s >= 3.0  # seconds of video lost, not a rounding error
    assert gap_s == pytest.approx(media_s, rel=0.1)


async def _online(service, camera_id: str) -> bool:
    return service.workers[camera_id].status.snapshot().state == "ONLINE"
