"""Segments of real footage through the recorder's muxer (issue 16): B-frame packets without a
known DTS, a segment no container takes (kept as an elementary stream, never dropped), and the
export timeline across both."""
from __future__ import annotations

import dataclasses
import io
import logging

import av
import pytest

from roadcam.common.demux import file_batches
from services.recorder.annexb import framing_for, to_annexb
from services.recorder.muxer import elementary_stream, mux_segment, remux_to_mp4
from services.recorder.sealer import contents
from services.recorder.segmenter import Segment
from tests.integration.recorder.support import frame_hashes

pytestmark = pytest.mark.slow
CLIP = "crosswalk_peds_bikes_13s.mp4"  # H.264 high profile with B-frames, avcC framing


def clip(videos):
    batches = list(file_batches(videos / CLIP, "cam", packets_per_batch=1000))
    return batches[0].stream, [p for b in batches for p in b.packets]


def segment(stream, packets) -> Segment:
    return Segment("cam", "sess", 0, stream, (0, 0), list(packets))


def test_b_frames_without_a_known_dts_mux_to_the_same_frames(videos) -> None:
    stream, packets = clip(videos)
    as_rtsp = [dataclasses.replace(p, dts=p.pts) for p in packets]  # ingest's stand-in when DTS is unknown
    ts = mux_segment(stream, as_rtsp)
    assert frame_hashes(ts, "mpegts") == frame_hashes(videos / CLIP)


def test_a_segment_no_container_takes_is_kept_as_an_elementary_stream(videos, caplog) -> None:
    stream, packets = clip(videos)
    broken = 5
    bad = packets[broken].data[:4] + b"\xff" * 3  # its NAL length now overruns the packet
    damaged = packets[:broken] + [dataclasses.replace(packets[broken], data=bad)] + packets[broken + 1:40]
    with caplog.at_level(logging.ERROR, "services.recorder.sealer"):
        plaintext, codec = contents(segment(stream, damaged))
    assert codec == "h264-es"
    assert "stored as a bare elementary stream (h264-es)" in caplog.text
    # every packet is in it as the camera sent it: Annex-B framing only, the damaged one verbatim
    framing = framing_for(stream.codec, stream.extradata, stream.bitstream_format)
    expected = framing.parameter_sets + b"".join(
        bad if i == broken else to_annexb(p.data, framing.length_size) for i, p in enumerate(damaged))
    assert plaintext == expected


def test_export_joins_containers_elementary_streams_and_restarted_sessions(videos) -> None:
    stream, packets = clip(videos)
    first, second, third = packets[:58], packets[58:87], packets[87:]
    assert first[0].keyframe and second[0].keyframe and third[0].keyframe
    restarted = [dataclasses.replace(p, pts=p.pts - third[0].pts, dts=p.dts - third[0].pts) for p in third]
    mp4 = remux_to_mp4([
        (mux_segment(stream, first), "h264"),
        (elementary_stream(stream, second), "h264-es"),
        (mux_segment(stream, restarted), "h264"),  # a new ingest session: timestamps from zero again
    ])
    assert frame_hashes(mp4) == frame_hashes(videos / CLIP)
    with av.open(io.BytesIO(mp4)) as container:
        dts = [p.dts for p in container.demux(video=0) if p.size]
    assert dts == sorted(set(dts)) and len(dts) == len(packets)

