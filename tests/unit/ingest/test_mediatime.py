"""MediaClock: a batch's seconds of video follow the stream's PTS, as RTSP delivers them."""
from __future__ import annotations

from fractions import Fraction

import pytest

from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from services.ingest.mediatime import NOMINAL_INTERVAL_S, MediaClock

# Over RTSP PyAV reports no average rate; ingest's StreamInfo then carries avg_fps 0.
RTSP = StreamInfo("h264", b"", 1280, 720, Fraction(1, 90000), avg_fps=0.0, reorder_depth=2)
# crosswalk_peds_bikes_13s.mp4 (about 11 fps, B-frames) served by the GStreamer RTSP fixture, as
# PyAV demuxed it: decode order, the first packet without a PTS (ingest places it at 0), and
# durations 0 and then 3000 (the nominal 30 fps, three times too short).
PROBED_PTS = [
    0, 32999, 18000, 9000, 23999, 65999, 50999, 41999, 56999, 99000, 81000, 74999, 90000, 131999,
    113999, 108000, 122999, 164999, 146999, 140999, 155999, 198000, 180000, 171000, 189000, 230999,
    212999, 203999, 221999, 236999, 270000, 254999, 245999, 261000, 302999, 288000, 279000, 293999,
    335999, 320999, 311999, 326999, 369000, 351000, 344999, 360000, 383999, 378000, 401999, 392999,
    434999, 416999, 410999, 425999, 468000, 450000, 441000, 459000, 473999, 506999, 491999, 482999,
]


def rtsp_packets(pts_list: list[int | None], start_seq: int = 0) -> list[EncodedPacket]:
    return [
        EncodedPacket(start_seq + i, pts, pts or 0, i == 0, 1_000_000, 0 if i < 30 else 3000, b"x")
        for i, pts in enumerate(pts_list)
    ]


def batches_of(packets: list[EncodedPacket], size: int, session: str = "s") -> list[PacketBatch]:
    return [PacketBatch("cam", session, 0, RTSP, packets[i:i + size]) for i in range(0, len(packets), size)]


def media_seconds(pts_list: list[int]) -> float:
    """The media time the frames cover: first to last presentation, plus the average interval."""
    span = (max(pts_list) - min(pts_list)) / 90000
    return span + span / (len(pts_list) - 1)


def test_rtsp_batches_of_seven_count_their_media_time_not_the_nominal_rate() -> None:
    clock = MediaClock()
    counted = [clock.seconds(b) for b in batches_of(rtsp_packets(PROBED_PTS), 7)]
    assert all(s > 0 for s in counted)
    assert sum(counted) == pytest.approx(media_seconds(PROBED_PTS), rel=0.02)
    # The bug: 7 packets counted as 0.23 s (7 x 1/30); at about 11 fps they hold about 0.64 s.
    steady = counted[1:-1]
    assert sum(steady) / len(steady) == pytest.approx(7 * 0.0909, rel=0.1)


def test_any_stretch_of_consecutive_batches_matches_its_media_time() -> None:
    clock = MediaClock()
    batches = batches_of(rtsp_packets(PROBED_PTS), 4)
    counted = [clock.seconds(b) for b in batches]
    stretch = slice(3, 12)  # as if the bus were away for these batches
    next_pts = min(batches[12].packets[0].pts, *(p.pts for p in batches[12].packets))
    first_pts = max(p.pts for b in batches[:3] for p in b.packets)  # what was shown before the stretch
    assert sum(counted[stretch]) == pytest.approx((next_pts - first_pts) / 90000, rel=0.1)


def test_a_batch_of_only_reordered_b_frames_is_never_zero_and_the_total_holds() -> None:
    clock = MediaClock()
    packets = rtsp_packets(PROBED_PTS)
    # Cut right after a P-frame so the next batch is only the B-frames shown before it.
    cuts = [0, 2, 4, 6, 8, len(packets)]
    counted = [clock.seconds(PacketBatch("cam", "s", 0, RTSP, packets[a:b])) for a, b in zip(cuts, cuts[1:])]
    assert counted[1] > 0  # packets 2-3 are B-frames (18000, 9000) behind the P-frame at 32999
    assert sum(counted) == pytest.approx(media_seconds(PROBED_PTS), rel=0.05)


def test_missing_pts_are_skipped_and_a_lone_first_packet_uses_a_fallback() -> None:
    clock = MediaClock()
    assert clock.seconds(PacketBatch("cam", "s", 0, RTSP, rtsp_packets([0]))) == pytest.approx(NOMINAL_INTERVAL_S)
    with_holes = [None if i % 5 == 2 else pts for i, pts in enumerate(PROBED_PTS[1:])]
    counted = clock.seconds(PacketBatch("cam", "s", 0, RTSP, rtsp_packets(with_holes, 1)))
    assert counted == pytest.approx((max(PROBED_PTS)) / 90000, rel=0.01)
    with_fps = StreamInfo("h264", b"", 1280, 720, Fraction(1, 90000), avg_fps=10.0)
    assert MediaClock().seconds(PacketBatch("cam", "s", 0, with_fps, rtsp_packets([5]))) == pytest.approx(0.1)


def test_wrap_restart_and_new_session_start_a_new_epoch_instead_of_counting_the_jump() -> None:
    clock = MediaClock()
    steady = [i * 9000 for i in range(20)]  # 10 fps
    assert clock.seconds(PacketBatch("cam", "s", 0, RTSP, rtsp_packets(steady))) == pytest.approx(2.0)
    wrapped = [2**33 - 3 * 9000 + i * 9000 for i in range(3)] + [i * 9000 for i in range(7)]
    near_wrap = [p % 2**33 for p in wrapped]
    clock2 = MediaClock()
    clock2.seconds(PacketBatch("cam", "s", 0, RTSP, rtsp_packets([near_wrap[0] - 9000])))
    assert clock2.seconds(PacketBatch("cam", "s", 0, RTSP, rtsp_packets(near_wrap))) == pytest.approx(1.0, rel=0.15)
    # The encoder restarted: timestamps jump back to 0; 10 frames, not minus 1.7 s.
    restarted = [i * 9000 for i in range(10)]
    assert clock.seconds(PacketBatch("cam", "s", 0, RTSP, rtsp_packets(restarted))) == pytest.approx(1.0, rel=0.15)
    # A new connection starts afresh even when its timestamps are close to the old ones.
    again = [190_000 + i * 9000 for i in range(10)]
    assert clock.seconds(PacketBatch("cam", "s2", 0, RTSP, rtsp_packets(again))) == pytest.approx(1.0, rel=0.15)
