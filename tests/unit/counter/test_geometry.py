"""The counting line against the ways real traffic fools naive counters (pure, no I/O)."""
from __future__ import annotations

import pytest

from services.counter.geometry import Anchor, TripLine, TrackPoint, path_crosses, reference_point

# A horizontal line y=100 from x=0 to x=200 in a 200x200 frame; "down" (y increasing) is POS:
# (x2-x1)(y-y1) - (y2-y1)(x-x1) = 200*(y-100) > 0 below the line.
H = 40.0  # box height: band half-width = max(2, 0.1*40) = 4 px


def run(line: TripLine, paths: dict[int, list], settle_frames: int | None = None) -> list[tuple[int, int]]:
    """paths: track id -> list of (x, y) or None (not seen in that frame). Returns the standing
    crossings as (frame, dir); a withdrawal voids its object's standing crossing. With
    `settle_frames`, a crossing that stood that long is settled (final), as the counter does."""
    frames = max(len(p) for p in paths.values())
    standing: dict[int, tuple[int, int]] = {}
    done = []
    for i in range(frames):
        tracks = [TrackPoint(tid, p[i], H) for tid, p in paths.items() if i < len(p) and p[i] is not None]
        for c in line.trigger(tracks, i * 100_000):
            if c.withdrawn:
                assert standing.pop(c.object_id)[1] == c.direction
            else:
                standing[c.object_id] = (i, c.direction)
        for oid, (frame, direction) in list(standing.items()):
            if settle_frames is not None and i - frame >= settle_frames:
                line.settle(oid)
                done.append(standing.pop(oid))
    return sorted(done + list(standing.values()), key=lambda crossing: crossing[0])


def hline(**kw) -> TripLine:
    return TripLine.across("l", (20, 100), (180, 100), frame_size=(200, 200), **kw)


@pytest.mark.parametrize("ys, expected", [
    ([80, 90, 99, 101, 99, 102, 98, 110, 120], [1]),            # jitter on the line: one count
    ([80, 97, 103, 97, 103, 97, 103, 97], []),                  # jitter inside the band only: none
    ([80, 90, 100, 100, 100, 100, 101, 100, 115], [1]),         # stop-and-go on the line
    ([80, 99, 99, 99, 99, 99, 99, 99, 130], [1]),              # long stop just before it, then go
    ([120, 110, 101, 99, 98, 80], [-1]),                       # moving up: NEG
    ([80, 110, 80, 110, 80], []),                               # back and forth, ends where it began
    ([80, 110, 80, 110], [1]),                                  # ... ends across: one count
    ([150, 150, 90, 150, 150], []),                             # parked; its box glitched over the line
    ([60, 140], [1]),                                           # jumped over between two frames
    ([90, 96], []),                                             # approached, never crossed
], ids=["jitter", "band-only", "stop-and-go", "long-stop", "neg", "back-forth", "forth-back-forth", "glitch",
        "jump", "no-cross"])
def test_one_count_per_object(ys, expected):
    got = run(hline(), {1: [(100, y) for y in ys]})
    assert [d for _, d in got] == expected


def test_a_settled_count_is_final():
    ys = [80, 110, 120, 130, 120, 90, 80, 110]  # crosses, stays 3 frames, then back and forth again
    assert run(hline(), {1: [(100, y) for y in ys]}, settle_frames=3) == [(1, 1)]


@pytest.mark.parametrize("ys, frame", [
    ([80, 98, 102, 103, 104, 120], 5),  # within the band nothing is decided ...
    ([80, 98, 102, 103, 104.5], 4),     # ... it counts once the point leaves the band (4 px)
])
def test_direction_decided_with_hysteresis(ys, frame):
    assert run(hline(), {1: [(100, y) for y in ys]}) == [(frame, 1)]


def test_band_scales_with_object_size():
    line = hline()
    tracks = [(100, 80), (100, 106)]  # 6 px past the line: outside a 4 px band, inside a 10 px one
    small = [line.trigger([TrackPoint(1, p, 40)], i) for i, p in enumerate(tracks)]
    big_line = hline()
    big = [big_line.trigger([TrackPoint(1, p, 100)], i) for i, p in enumerate(tracks)]
    assert sum(map(len, small)) == 1 and sum(map(len, big)) == 0


@pytest.mark.parametrize("x, frame_size, counts", [
    (199.5, (200, 200), True),  # line touches the right edge: a half-cut object leaving counts
    (199.5, None, False),       # without the frame size the segment ends at x=198
    (100, None, True),
])
def test_line_touching_frame_edge(x, frame_size, counts):
    line = TripLine.across("edge", (20, 100), (198, 100), frame_size=frame_size)
    got = run(line, {1: [(x, 80), (x, 120)]})
    assert (got == [(1, 1)]) is counts


def test_full_width_line_counts_at_both_edges():
    line = TripLine.across("w", (0, 100), (199, 100), frame_size=(200, 200))
    assert run(line, {1: [(1, 80), (1, 120)], 2: [(198.5, 120), (198.5, 80)]}) == [(1, 1), (1, -1)]


@pytest.mark.parametrize("path, counts", [
    ([(10, 80), (10, 120)], False),    # passes beside the segment end (x=20): not a crossing
    ([(10, 80), (40, 120)], True),     # path meets the segment even though both points are beside it
    ([(0, 0), (199, 199)], True),      # diagonal jump
])
def test_segment_intersection_of_successive_points(path, counts):
    assert bool(run(hline(), {1: path})) is counts


@pytest.mark.parametrize("paths, expected", [
    # id 1 crosses, is lost right after the line and reappears as id 2: one count
    ({1: [(100, 80), (100, 110)], 2: [None, None, (100, 115), (100, 130)]}, [(1, 1)]),
    # id switch just before the line: the new id inherits the approach and counts once
    ({1: [(100, 60), (100, 90)], 2: [None, None, (101, 93), (101, 120)]}, [(3, 1)]),
    # switch inside the band after counting, with jitter back past the band: still one count
    # (the jitter back withdraws the first crossing, the final one stands)
    ({1: [(100, 80), (100, 106), None], 2: [None, None, (100, 103), (100, 95), (100, 110)]}, [(4, 1)]),
    # two different objects far apart are never merged
    ({1: [(30, 80), (30, 120)], 2: [None, None, (160, 80), (160, 120)]}, [(1, 1), (3, 1)]),
])
def test_id_switch_next_to_the_line(paths, expected):
    assert run(hline(), paths) == expected


def test_handover_expires():
    line = hline(handover_s=0.5)
    paths = {1: [(100, 80), (100, 110)], 2: [None] * 8 + [(100, 90), (100, 120)]}
    # 0.8 s later a new object at the same spot is a different object, armed fresh on its side
    assert run(line, paths) == [(1, 1), (9, 1)]


@pytest.mark.parametrize("anchor, expected", [
    (Anchor.BOTTOM_CENTER, (15.0, 40.0)),
    (Anchor.CENTER, (15.0, 25.0)),
    (Anchor.TOP_CENTER, (15.0, 10.0)),
])
def test_reference_point(anchor, expected):
    assert reference_point((10, 10, 20, 40), anchor) == expected


def test_per_class_reference_point_decides_crossing():
    # A tall person whose centre crossed but whose feet did not: only the centre rule counts.
    boxes = [(95, 20, 105, 90), (95, 60, 105, 98)]  # feet at 90 then 98 (inside band), centre 55 -> 79
    line = TripLine.across("l", (0, 70), (199, 70), frame_size=(200, 200))
    feet = [line.trigger([TrackPoint(1, reference_point(b), 10)], i) for i, b in enumerate(boxes)]
    line2 = TripLine.across("l", (0, 70), (199, 70), frame_size=(200, 200))
    centre = [line2.trigger([TrackPoint(1, reference_point(b, Anchor.CENTER), 10)], i) for i, b in enumerate(boxes)]
    assert sum(map(len, feet)) == 0 and sum(map(len, centre)) == 1


def test_direction_sign_matches_the_issue_formula():
    # vertical line (440,175)->(440,352): moving right gives (0)(..) - (177)(x-440) < 0 -> NEG
    line = TripLine.across("v", (440, 175), (440, 352), frame_size=(640, 352))
    assert [c.direction for c in line.trigger([TrackPoint(1, (400, 300), 40)], 0)
            + line.trigger([TrackPoint(1, (480, 300), 40)], 1)] == [-1]


def test_path_crosses_rays():
    assert not path_crosses((-10, 0), (-10, 10), (0, 5), (10, 5))
    assert path_crosses((-10, 0), (-10, 10), (0, 5), (10, 5), ray_a=True)
    assert not path_crosses((0, 0), (10, 0), (0, 5), (10, 5))


def test_degenerate_line_rejected():
    with pytest.raises(ValueError):
        TripLine.across("x", (1, 1), (1, 1))
