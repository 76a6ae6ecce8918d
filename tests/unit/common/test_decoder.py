"""Decoder stage on the real clips: mid-GOP joins, gaps, restarts, parameter changes, frame rate."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest

from roadcam.common.decoder import CameraDecoder, FrameRateSampler
from roadcam.common.demux import file_batches
from roadcam.common.media import PacketBatch

pytestmark = pytest.mark.slow  # decodes real video


def batches(videos: Path, name: str, per_batch: int = 5) -> list[PacketBatch]:
    return list(file_batches(videos / name, "cam", per_batch))


def decode_all(decoder: CameraDecoder, items: list[PacketBatch]):
    frames, events = [], []
    for batch in items:
        f, e = decoder.feed(batch)
        frames += f
        events += e
    return frames + decoder.flush(), events


def reference_frames(path: Path) -> dict[int, np.ndarray]:
    with av.open(str(path)) as container:
        return {f.pts: f.to_ndarray(format="bgr24") for f in container.decode(video=0)}


@pytest.mark.parametrize("name", ["bridge_dense_5s.mp4", "crosswalk_peds_bikes_13s.mp4", "freeway_overhead_33s.avi"])
def test_every_frame_matches_a_direct_decode(videos: Path, name: str) -> None:
    frames, events = decode_all(CameraDecoder("cam"), batches(videos, name))
    reference = reference_frames(videos / name)
    assert events == []
    assert sorted(f.pts for f in frames) == sorted(reference)
    for frame in frames[:: max(len(frames) // 10, 1)]:
        assert np.array_equal(frame.image, reference[frame.pts])
    assert [f.capture_time_us for f in frames] == sorted(f.capture_time_us for f in frames)


@pytest.mark.parametrize("fps", [2, 5, 10])
def test_frames_come_out_at_the_requested_rate(videos: Path, fps: float) -> None:
    frames, _ = decode_all(CameraDecoder("cam", target_fps=fps), batches(videos, "bridge_dense_5s.mp4"))
    span_s = (frames[-1].capture_time_us - frames[0].capture_time_us) / 1e6
    assert abs(len(frames) - (span_s * fps + 1)) <= 2
    gaps = np.diff([f.capture_time_us for f in frames]) / 1e6
    assert gaps.min() >= 0.5 / fps


def test_joining_mid_gop_waits_for_a_keyframe(videos: Path) -> None:
    items = batches(videos, "bridge_dense_5s.mp4", per_batch=1)
    first_key_after_join = next(i for i, b in enumerate(items[10:], 10) if b.packets[0].keyframe)
    frames, events = decode_all(CameraDecoder("cam"), items[10:])
    assert events == []
    assert frames[0].seq == items[first_key_after_join].packets[0].seq


def test_a_gap_is_reported_and_decoding_resumes_at_the_next_keyframe(videos: Path) -> None:
    items = batches(videos, "bridge_dense_5s.mp4", per_batch=1)
    lost = set(range(40, 45))
    frames, events = decode_all(CameraDecoder("cam"), [b for i, b in enumerate(items) if i not in lost])
    assert [(e.kind, e.missing_packets) for e in events] == [("gap", 5)]
    next_key = next(b.packets[0].seq for b in items[45:] if b.packets[0].keyframe)
    seqs = [f.seq for f in frames]
    assert not any(40 <= s < next_key for s in seqs)  # nothing decoded from broken references
    assert next_key in seqs


def test_redelivered_packets_are_ignored(videos: Path) -> None:
    items = batches(videos, "crosswalk_peds_bikes_13s.mp4")
    frames, events = decode_all(CameraDecoder("cam"), items[:6] + items[3:6] + items[6:])
    assert events == []
    assert len(frames) == sum(len(b.packets) for b in items)


def test_camera_restart_and_parameter_change_reset_the_decoder(videos: Path) -> None:
    first = batches(videos, "crosswalk_peds_bikes_13s.mp4")[:6]
    restarted = batches(videos, "crosswalk_peds_bikes_13s.mp4")[:6]  # new session id, seq from 0
    other = [dataclasses.replace(b, session_id=restarted[0].session_id, generation=1)
             for b in batches(videos, "bridge_dense_5s.mp4")[:6]]
    frames, events = decode_all(CameraDecoder("cam"), first + restarted + other)
    assert [e.kind for e in events] == ["restart", "params_changed"]
    shapes = {f.image.shape for f in frames}
    assert shapes == {(352, 640, 3), (720, 1280, 3)}


def test_corrupt_data_is_reported_not_raised(videos: Path) -> None:
    items = batches(videos, "bridge_dense_5s.mp4", per_batch=1)
    broken = items[0].packets[0]
    items[0] = dataclasses.replace(items[0], packets=[dataclasses.replace(broken, data=b"\x00\x00\x00\x10" + b"\xff" * 200)])
    frames, events = decode_all(CameraDecoder("cam"), items)
    assert frames  # recovered at a later keyframe
    assert all(e.kind in ("corrupt", "gap") for e in events)


def test_sampler_keeps_a_steady_grid_and_survives_clock_jumps() -> None:
    sampler = FrameRateSampler(10)
    kept = [t for t in range(0, 2_000_000, 33_333) if sampler.keep(t)]
    assert 19 <= len(kept) <= 21
    assert sampler.keep(5_000_000)  # after a pause
    assert sampler.keep(1_000)  # clock went backwards (camera restart)
    assert all(FrameRateSampler(None).keep(t) for t in (0, 1, 2))


@pytest.mark.parametrize("name, skips", [("motorway_nl_overpass_11s.mp4", True),  # 30 fps with B-frames
                                         ("crosswalk_peds_bikes_13s.mp4", False)])  # 11 fps: needs them all
def test_unreferenced_frames_are_skipped_only_when_the_rate_allows(videos: Path, name: str, skips: bool) -> None:
    items = batches(videos, name)
    every, _ = decode_all(CameraDecoder("cam", 10), items)
    skipping = CameraDecoder("cam", 10, skip_unreferenced=True)
    sampled, events = decode_all(skipping, items)
    reference = reference_frames(videos / name)
    assert events == [] and skipping.packets_decoded == len(reference)
    assert (skipping.frames_decoded < len(reference)) == skips
    # the same number of analysed frames, each the very picture at its own time, time only going forward
    assert len(sampled) == len(every)
    assert all(np.array_equal(f.image, reference[f.pts]) for f in sampled)
    times = [f.capture_time_us for f in sampled]
    assert times == sorted(times) and len(set(times)) == len(times)
