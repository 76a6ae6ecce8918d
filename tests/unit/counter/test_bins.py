"""Count bins on the cameras' capture clock."""
from __future__ import annotations

from services.counter.bins import BinAggregator, bin_start

MIN = 60_000_000
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00Z, a whole hour


def test_bin_start():
    assert bin_start(T0 + 7 * MIN + 5, 300) == T0 + 5 * MIN
    assert bin_start(T0 + 59 * MIN, 3600) == T0


def test_counts_land_in_every_bin_size():
    bins = BinAggregator((300, 900, 3600))
    for minute in (1, 4, 6, 14, 16):
        bins.add("cam", "l", 1, "car", T0 + minute * MIN)
    counts = {(b.bin_seconds, (b.bin_start_us - T0) // MIN): b.count for b in bins.open_bins()}
    assert counts == {(300, 0): 2, (300, 5): 1, (300, 10): 1, (300, 15): 1,
                      (900, 0): 4, (900, 15): 1, (3600, 0): 5}
    assert all(not b.final for b in bins.open_bins())


def test_bins_close_on_capture_time_after_grace():
    bins = BinAggregator((300,), grace_s=10)
    bins.add("cam", "l", -1, "person", T0 + MIN)
    bins.add("other", "l", -1, "person", T0 + MIN)
    bins.advance("cam", T0 + 5 * MIN + 9_000_000)
    assert bins.close_due() == []  # still within the grace period
    bins.advance("cam", T0 + 5 * MIN + 10_000_000)
    done = bins.close_due()
    assert [(b.camera_id, b.count, b.final) for b in done] == [("cam", 1, True)]
    assert [b.camera_id for b in bins.open_bins()] == ["other"]  # its camera has not moved on


def test_keys_separate_line_direction_and_class():
    bins = BinAggregator((300,))
    for line, direction, cls in [("a", 1, "car"), ("a", -1, "car"), ("b", 1, "car"), ("a", 1, "bus"), ("a", 1, "car")]:
        bins.add("cam", line, direction, cls, T0)
    got = {(b.line_id, b.direction, b.object_class): b.count for b in bins.close_all()}
    assert got == {("a", 1, "car"): 2, ("a", -1, "car"): 1, ("b", 1, "car"): 1, ("a", 1, "bus"): 1}
    assert bins.open_bins() == []


def test_bins_carry_the_cameras_picture_quality_and_unseen_bins_are_never_empty_roads():
    agg = BinAggregator((300,))
    lines = ("l",)
    for i in range(300 * 10):  # 5 minutes at 10 fps: healthy, then frozen from 200 s on
        t = i * 100_000
        agg.observe("cam", t, ["frozen"] if t >= 200_000_000 else [], lines)
    agg.add("cam", "l", 1, "car", 50_000_000)
    for i in range(300 * 10, 600 * 10):  # the next 5 minutes frozen throughout: nothing counted
        agg.observe("cam", i * 100_000, ["frozen"], lines)
    agg.advance("cam", 611_000_000)
    done = {(b.bin_start_us, b.line_id, b.direction, b.object_class): b for b in agg.close_due()}
    first = done[(0, "l", 1, "car")]
    assert (first.count, first.quality, first.quality_reason) == (1, "degraded", "frozen")
    assert done[(0, "l", -1, "")].count == 0 and done[(0, "l", -1, "")].quality == "degraded"
    second = [b for k, b in done.items() if k[0] == 300_000_000]
    assert {(b.direction, b.object_class, b.count, b.quality) for b in second} == {(1, "", 0, "unusable"), (-1, "", 0, "unusable")}


def test_a_healthy_camera_adds_no_rows():
    agg = BinAggregator((300,))
    for i in range(3100):
        agg.observe("cam", i * 100_000, [], ("l",))
    agg.add("cam", "l", 1, "car", 50_000_000)
    agg.advance("cam", 311_000_000)
    assert [(b.object_class, b.count, b.quality) for b in agg.close_due()] == [("car", 1, "ok")]


def test_census_class_by_size_is_part_of_the_bin_and_the_size_basis_is_reported():
    agg = BinAggregator((300,))
    agg.add("cam", "l", 1, "truck", T0, "小型車", "image_size")  # a pickup
    agg.add("cam", "l", 1, "truck", T0 + MIN, "大型車", "image_size")
    agg.add("cam", "l", 1, "truck", T0 + 2 * MIN, "大型車", "class_only")
    rows = {(b.object_class, b.census_class): (b.count, b.size_basis) for b in agg.close_all()}
    assert rows == {("truck", "小型車"): (1, "image_size"), ("truck", "大型車"): (2, "class_only,image_size")}
