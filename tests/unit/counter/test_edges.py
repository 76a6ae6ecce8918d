"""Crossings cut by the start or the end of a stream (pure: `edges` and `TripLine`)."""
from __future__ import annotations

import pytest

from services.counter.edges import StreamEdges, line_time
from services.counter.geometry import TrackPoint, TripLine

H = 40.0  # box height: band half-width max(2, 0.1 * 40) = 4 px around the line y = 100 (down = POS)
STEP_US = 100_000


def hline() -> TripLine:
    return TripLine.across("l", (0, 100), (199, 100), frame_size=(200, 200))


def feed(line: TripLine, paths: dict[int, list], first: int = 0) -> list[tuple[int, int]]:
    """paths: track id -> y per frame (None: not seen); frame numbers from `first`. (frame, direction)."""
    got = []
    for i in range(max(len(p) for p in paths.values())):
        tracks = [TrackPoint(tid, (100.0, p[i]), H) for tid, p in paths.items() if i < len(p) and p[i] is not None]
        got += [(first + i, c.direction) for c in line.trigger(tracks, (first + i) * STEP_US)]
    return got


def closed(line: TripLine, frame: int) -> list[int]:
    return [c.direction for c in line.close(frame * STEP_US)]


@pytest.mark.parametrize("ys, expected", [
    ([98, 101, 104.5, 108], [(2, 1)]),              # first seen on the line, still short of it: crossed
    ([101, 99, 97, 95], [(3, -1)]),                 # the same going up
    ([None, None, None, 101, 104.5, 108], [(4, 1)]),  # first seen just past it, fast: crossed ~0.27 s in
    ([101, 104.5, 108], [(1, 1)]),                  # past it in the first frame, crossed ~0.03 s before it
    ([102.5, 104.25, 106], []),                     # ... ~0.14 s before it: not this stream's crossing
    ([None, 103.5, 103.75, 104, 104.25], []),       # crawling: it passed the line ~1.3 s before the start
    ([100, 102, 99, 101, 98, 106, 100, 101], []),   # parked on the line, its box jitters: never steady
    ([99, 99, 99, 99, 99, 99], []),                 # standing on the line
    ([99, 99, 99, 80], []),                         # stood just short of it, then left the way it came
])
def test_an_object_inside_the_band_at_the_start(ys, expected):
    # track 2 far from the line opens the stream at frame 0
    assert feed(hline(), {2: [50] * len(ys), 1: ys}) == expected


def test_mid_stream_a_track_born_inside_the_band_counts_only_from_short_of_the_line():
    # 2 s into the stream: it came into the picture (or out of the detector's blind spot) inside the
    # band, short of the line, and crossed it steadily: counted. First seen already past the line:
    # it crossed unseen or under an old id, so the line cannot tell (the start rule's extrapolation
    # holds only while the stream opens).
    assert feed(hline(), {9: [50.0] * 25, 1: [None] * 20 + [98, 101, 104.5, 108]}) == [(22, 1)]
    assert feed(hline(), {9: [50.0] * 25, 1: [None] * 20 + [101, 104.5, 108]}) == []
    assert feed(hline(), {9: [50.0] * 25, 1: [None] * 20 + [98, 99, 98, 97, 80]}) == []  # went back


def test_an_id_switch_inside_the_band_after_the_count_does_not_count_again():
    # counted leaving the band at 105; the detector loses it and a new id appears 3 px behind
    paths = {1: [80, 90, 97, 105, None], 2: [None] * 5 + [102, 108, 114]}
    assert feed(hline(), paths) == [(3, 1)]


@pytest.mark.parametrize("ys, expected", [
    ([None, 95, 80, 65], [(3, -1)]),   # first seen past the band going up, crossed just after the start
    ([None, 90, 75, 60], [(3, -1)]),   # ... crossed half a frame before its first sighting
    ([None, 80, 75, 70], []),          # ... at its speed it crossed 2 s before the start
    ([None, 90, 90.5, 90, 90], []),    # standing past the line
    ([None, 80, 90, 97, 105], [(4, 1)]),  # first seen short of the band: the ordinary rule
])
def test_born_past_the_band_as_the_stream_opens(ys, expected):
    # the tracker confirms a track a frame or two after the detector first sees it
    assert feed(hline(), {2: [50] * len(ys), 1: ys}) == expected


def test_past_the_band_beyond_the_end_of_the_segment_does_not_count():
    line = TripLine.across("l", (50, 100), (150, 100), frame_size=(200, 200))
    got = []
    for i, y in enumerate([None, 95, 80, 65]):
        tracks = [TrackPoint(2, (100.0, 50.0), H)] + ([TrackPoint(1, (180.0, y), H)] if y else [])
        got += [c.direction for c in line.trigger(tracks, i * STEP_US)]
    assert got == []


def test_a_track_armed_fresh_on_the_line_still_counts_normally_afterwards():
    line = hline()
    assert feed(line, {1: [99, 99, 99, 80, 70, 80, 110]}) == [(6, 1)]  # left up, then came down across


@pytest.mark.parametrize("ys, expected", [
    ([80, 90, 97, 101], [1]),      # passed the line itself, steadily, in the last frame: crossed
    ([120, 110, 103, 99], [-1]),   # the same going up
    ([80, 90, 96, 99.5], [1]),     # 0.5 px short, at 3.5 px a frame: passes it within half a frame
    ([80, 90, 96, 98], []),        # 2 px short at 2 px a frame: passes it after this frame's half interval
    ([80, 90, 97, 102, 99, 101], []),  # on the line but not steady (came back)
])
def test_an_object_inside_the_band_at_the_end_of_a_file(ys, expected):
    line = hline()
    assert feed(line, {1: ys}) == []
    assert closed(line, len(ys) - 1) == expected


def test_the_end_rule_needs_the_object_in_the_last_frame():
    line = hline()
    feed(line, {1: [80, 90, 97, 101, None], 2: [50] * 5})
    assert closed(line, 4) == []


def test_counted_or_settled_objects_do_not_count_again_at_the_end():
    line = hline()
    assert feed(line, {1: [80, 90, 110, 102, 101]}) == [(2, 1)]
    assert closed(line, 4) == []


@pytest.mark.parametrize("cut", range(1, 12))
def test_a_survey_cut_into_two_clips_counts_an_object_at_most_once(cut):
    ys = [86 + 2.5 * i for i in range(12)]  # crosses y = 100 between frames 5 (98.5) and 6 (101)
    first, second = hline(), hline()
    counts = len(feed(first, {1: ys[:cut], 2: [50] * cut})) + len(closed(first, cut - 1))
    counts += len(feed(second, {1: ys[cut:], 2: [50] * (12 - cut)}, first=cut))
    assert counts == 1


def test_line_time_of_a_steady_trail():
    assert line_time([(0, -4.0), (100_000, -1.0), (200_000, 2.0)]) == pytest.approx(133_333, abs=1)
    assert line_time([(0, 3.0), (100_000, 3.0)]) is None  # not moving: never meets it
    assert not StreamEdges().steady([(0, 1.0)], 1)


def test_the_edge_rules_need_the_detector():
    # a blob the background model alone reports (an object entering along the line, a ghost of its
    # warm-up) is too weak evidence where the approach or the exit was not seen
    start, end = hline(), hline()
    blob = [(1, [TrackPoint(1, (100.0, y), H, detected=False)]) for y in (98, 101, 104.5, 108)]
    assert [c for i, (_, pts) in enumerate(blob) for c in start.trigger(pts, i * STEP_US)] == []
    for i, y in enumerate((80, 90, 97, 101)):
        end.trigger([TrackPoint(1, (100.0, y), H, detected=False)], i * STEP_US)
    assert closed(end, 3) == []
