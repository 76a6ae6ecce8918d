"""Fault injection: whatever goes wrong, no raw frame reaches the HLS output (V2)."""
import asyncio
import io
import threading
import time

import av
import cv2
import pytest

from services.anonymizer.channel import CameraChannel
from services.anonymizer.pipeline import FrameAnonymizer, Scheduled
from services.anonymizer.settings import HlsSettings
from tests.unit.anonymizer.fakes import FixedDetector, MemoryRepo, MemorySink, camera, detail, noise

NOW = 1_000_000.0


def make_channel(anonymizer, error=None, clock=lambda: NOW):
    hls = HlsSettings(segment_seconds=1.0, window_segments=50)
    cam = anonymizer.camera if anonymizer is not None else camera()
    return CameraChannel(cam, anonymizer, error, hls, MemorySink(), MemoryRepo(), "replica-a", clock=clock)


def run_frames(channel, count, capture_s=NOW, on_frame=None):
    async def go():
        for i in range(count):
            if on_frame:
                on_frame(i)
            await channel.run_in_thread(noise(seed=i), int((capture_s + i / 10) * 1e6))
        seg = channel.flush()
        if seg:
            await channel.publish(seg)
    asyncio.run(go())


def output_frames(sink):
    frames = []
    for key in sorted(k for k in sink.objects if k.endswith(".ts")):
        with av.open(io.BytesIO(sink.objects[key]), format="mpegts") as c:
            frames += [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    return frames


def raw_reference():
    return detail(cv2.resize(noise(seed=3), (640, 360), interpolation=cv2.INTER_AREA))


def assert_no_raw(frames, expected):
    assert len(frames) == expected
    limit = 0.1 * raw_reference()
    leaked = [i for i, f in enumerate(frames) if detail(f) > limit]
    assert leaked == [], f"raw-looking frames in the output: {leaked}"


def test_sanity_raw_frames_would_be_detected():
    """The check itself can fail: a detector that finds nothing lets the noise through."""
    det = FixedDetector(box=(0, 0, 0.01, 0.01))
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det)]))
    run_frames(channel, 10)
    with pytest.raises(AssertionError, match="raw-looking"):
        assert_no_raw(output_frames(channel.publisher._sink), 10)


def test_detector_exceptions_never_leak():
    det = FixedDetector()  # whole frame = "a face": a successful frame is fully blurred
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det)]))
    det_fail = {3, 4, 5, 12}
    run_frames(channel, 20, on_frame=lambda i: setattr(det, "fail", RuntimeError("boom") if i in det_fail else None))
    assert_no_raw(output_frames(channel.publisher._sink), 20)
    assert channel.live


def test_detector_failing_with_held_region_does_not_publish_unheld_area():
    # Detector runs every 0.5 s; when its scheduled run fails the frame is slate, not "held blur".
    det = FixedDetector()
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det, interval_s=0.5)], hold_s=0.0))
    run_frames(channel, 20, on_frame=lambda i: setattr(det, "fail", RuntimeError("x") if i >= 10 else None))
    assert_no_raw(output_frames(channel.publisher._sink), 20)
    assert not channel.live and "anonymization failed" in channel.reason


def test_timeouts_never_leak():
    det = FixedDetector()
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det)], timeout_s=0.02))
    run_frames(channel, 10, on_frame=lambda i: setattr(det, "delay_s", 0.05 if i % 2 else 0.0))
    assert_no_raw(output_frames(channel.publisher._sink), 10)


def test_missing_model_publishes_only_slate_and_says_why():
    channel = make_channel(None, error="YuNet face model not found at /nope")
    run_frames(channel, 10)
    assert_no_raw(output_frames(channel.publisher._sink), 10)
    assert channel.reason == "YuNet face model not found at /nope"


def test_overload_old_frames_are_withheld():
    det = FixedDetector(box=(0, 0, 0.01, 0.01))  # would leak if these frames were used
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det)]))
    run_frames(channel, 10, capture_s=NOW - 60)  # a minute behind: overload, dropped
    assert_no_raw(output_frames(channel.publisher._sink), 0)
    assert det.calls == 0 and "overload" in channel.reason


def test_gap_resets_held_regions():
    det = FixedDetector()
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det, interval_s=100)], hold_s=100))
    run_frames(channel, 3)
    channel.on_gap("gap: 12 packets missing")
    run_frames(channel, 3, capture_s=NOW + 1)
    assert det.calls == 2


def test_idle_camera_gets_slate_segments():
    t = [NOW]
    channel = make_channel(None, error="model missing", clock=lambda: t[0])

    async def go():
        for _ in range(24):  # 6 s of 0.25 s ticks
            t[0] += 0.25
            for seg in channel.idle_tick():
                await channel.publish(seg)
    asyncio.run(go())
    # slate in real time: the 2 s of silence, then 5.75 s of ticks, at 10 fps -> 7 segments of 1 s
    assert 6 <= channel.segments_written <= 8
    assert "hls/cam-1/index.m3u8" in channel.publisher._sink.objects
    assert_no_raw(output_frames(channel.publisher._sink), channel.segments_written * 10)


def test_a_frame_finishing_while_the_idle_check_waits_leaves_the_camera_live():
    """Under load a frame takes longer than an idle tick; the tick must not re-pause the camera
    that frame just made live (it did, on every frame, while CI was busy)."""
    t = [NOW]
    det = FixedDetector()
    channel = make_channel(FrameAnonymizer(camera(), [Scheduled(det)]), clock=lambda: t[0])
    t[0] += 5
    channel.idle_tick()  # no frames yet: the paused slate
    assert not channel.live
    det.delay_s = 0.5
    frame = threading.Thread(target=channel.process, args=(noise(seed=1), int(t[0] * 1e6)))
    frame.start()
    time.sleep(0.1)  # the frame is being anonymized and holds the encoder
    tick = threading.Thread(target=channel.idle_tick)
    tick.start()
    frame.join()
    tick.join()
    assert channel.live, channel.reason


def test_frames_beyond_the_public_fps_are_skipped():
    channel = make_channel(FrameAnonymizer(camera(public_view={"fps": 5}), [Scheduled(FixedDetector())]))
    run_frames(channel, 10)  # 10 fps in, 5 fps public
    assert_no_raw(output_frames(channel.publisher._sink), 5)
