"""The recorder's muxer on what ingest really reads from an RTSP camera (issue 16).

A GStreamer RTSP camera serves the crosswalk clip (H.264 with B-frames) and, after a restart, the
highway clip (other SPS/PPS); ingest's own SourceSession reads it, ingest's BatchPublisher batches
it and the video bus codec round-trips it, exactly as in the stack. Every segment the recorder cuts
must mux to MPEG-TS (the first one included: in the fault suite it was dropped with 'cannot mux
h264 segment: Invalid argument') and decode to as many frames as the camera sent packets.
"""
from __future__ import annotations

import asyncio
import io
import threading
import time

import av
import pytest

from roadcam.common.camconfig.models import SourceConfig
from roadcam.common.media import EncodedPacket, PacketBatch
from roadcam.common.video_bus import decode_batch, encode_batch
from services.ingest.publisher import BatchPublisher
from services.ingest.source import SourceSession
from services.recorder.muxer import mux_segment
from services.recorder.segmenter import Segment, Segmenter

pytestmark = pytest.mark.slow
CAM = "rtsp-cam"
READ_S = 7.0  # enough for the first segment (2 s target) and a few after it


def read_rtsp(url: str, seconds: float) -> list[PacketBatch]:
    """`seconds` of the camera as ingest publishes it: batches as the bus delivers them."""
    stop = threading.Event()
    session = SourceSession(url, SourceConfig(url=url), stop)
    sent: list[PacketBatch] = []

    async def send(batch: PacketBatch) -> None:
        sent.append(await decode_batch(await encode_batch(batch, None), None))

    async def run() -> None:
        publisher = BatchPublisher(send, max_delay_ms=100, max_bytes=256_000)
        deadline = time.monotonic() + seconds
        packets = session.packets()
        try:
            while time.monotonic() < deadline:
                packet: EncodedPacket = next(packets)
                await publisher.add(CAM, session.session_id, 0, session.info, packet)
            await publisher.flush_all()
        finally:
            stop.set()
            session.close()

    asyncio.run(run())
    return sent


def segments_of(batches: list[PacketBatch], target_s: float = 2.0) -> list[Segment]:
    segmenter = Segmenter(CAM, target_s)
    done: list[Segment] = []
    for offset, batch in enumerate(batches):
        done += segmenter.add(batch, (0, offset))
    last = segmenter.flush()
    return done + ([last] if last is not None else [])


def decoded_frames(ts: bytes) -> int:
    with av.open(io.BytesIO(ts), format="mpegts") as container:
        return sum(1 for _ in container.decode(video=0))


def assert_every_segment_muxes(segments: list[Segment]) -> None:
    assert len(segments) >= 2, "the camera should have given several segments"
    for index, segment in enumerate(segments):
        ts = mux_segment(segment.stream, segment.packets)  # raises MuxError on the bug
        assert decoded_frames(ts) == len(segment.packets), f"segment {index}: frames lost in the remux"


def test_first_rtsp_segment_with_b_frames_muxes(rtsp_camera_factory, videos) -> None:
    camera = rtsp_camera_factory({"cam": videos / "crosswalk_peds_bikes_13s.mp4"})
    batches = read_rtsp(camera.url("cam"), READ_S)
    assert batches[0].stream.codec == "h264"
    assert_every_segment_muxes(segments_of(batches))


def test_segments_after_new_parameter_sets_mux(rtsp_camera_factory, videos, looped_clip) -> None:
    camera = rtsp_camera_factory({"cam": videos / "crosswalk_peds_bikes_13s.mp4"})
    before = read_rtsp(camera.url("cam"), 3.0)
    camera.stop()
    camera.mounts["cam"] = looped_clip("highway_curve_7s.mp4", 3)  # other SPS/PPS, size and rate
    camera.start()
    after = read_rtsp(camera.url("cam"), READ_S)
    assert before[0].stream != after[0].stream and before[0].session_id != after[0].session_id
    segments = segments_of(before + after)
    assert {s.stream.width for s in segments} == {640, 1280}
    assert_every_segment_muxes(segments)
