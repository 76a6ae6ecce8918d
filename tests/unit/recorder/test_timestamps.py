"""Container timestamps of a segment (issue 16: B-frame RTSP segments the MPEG-TS muxer refused)."""
from fractions import Fraction

from roadcam.common.media import EncodedPacket
from services.recorder.timestamps import Timeline, mux_timestamps, valid_for_muxing

# Decode order of an H.264 GOP with B-frames (crosswalk clip, 1/600 s ticks): I P B B P B B ...
CAMERA_PTS = [0, 220, 120, 60, 160, 440, 340, 280, 380]
CAMERA_DTS = [-120, -60, 0, 40, 100, 160, 220, 260, 320]


def packets(pts, dts):
    return [EncodedPacket(i, p, d, i == 0, 1_000_000 + i, 60, b"x") for i, (p, d) in enumerate(zip(pts, dts))]


def test_valid_timestamps_are_kept_unchanged():
    assert mux_timestamps(packets(CAMERA_PTS, CAMERA_DTS)) == list(zip(CAMERA_PTS, CAMERA_DTS))
    plain = list(range(0, 900, 100))
    assert mux_timestamps(packets(plain, plain)) == list(zip(plain, plain))


def test_unknown_dts_of_b_frames_is_rebuilt_from_the_presentation_order():
    # Over RTSP the DTS is unknown at first and ingest passes the PTS as DTS: it runs backwards.
    stamps = mux_timestamps(packets(CAMERA_PTS, CAMERA_PTS))
    assert [p for p, _ in stamps] == CAMERA_PTS  # presentation untouched
    assert valid_for_muxing(stamps)
    # the presentation times in order, delayed by the deepest reordering (100 ticks here)
    assert [d for _, d in stamps] == [-100, -40, 20, 60, 120, 180, 240, 280, 340]


def test_a_guessed_first_timestamp_that_repeats_a_real_one_is_made_distinct():
    # RTSP's first packet may come without a timestamp; ingest then gives it 0, like the next real one.
    stamps = mux_timestamps(packets([0, 0, 3600, 1800], [0, 0, 3600, 1800]))
    assert valid_for_muxing(stamps)
    assert [p for p, _ in stamps] == [0, 1, 3600, 1800]


def test_validity_rules():
    assert valid_for_muxing([(0, 0), (2, 1)])
    assert not valid_for_muxing([(0, 0), (5, 0)])  # DTS not strictly increasing
    assert not valid_for_muxing([(0, 1)])  # shown before decoded


def test_timeline_continues_across_restarted_and_missing_timestamps():
    line, s = Timeline(), Fraction
    assert line.place(s(10), s(10), s(1, 10)) == (0, 0)
    assert line.place(s(103, 10), s(101, 10), s(1, 10)) == (s(3, 10), s(1, 10))
    # a new camera session starts again near zero: placed one frame after the last decode time
    assert line.place(s(0), s(0), s(1, 10)) == (s(2, 10), s(2, 10))
    assert line.place(s(1, 10), s(1, 10), None) == (s(3, 10), s(3, 10))
    # an elementary stream has no timestamps: one frame interval apart
    assert line.place(None, None, None) == (s(4, 10), s(4, 10))
    assert line.place(None, None, None) == (s(5, 10), s(5, 10))
