"""Every hand-counted clip, native and downscaled to 320/352 px wide (as road-authority CCTV is),
counted by the service's own stages at 10 fps: the worst direction must reach 97 % (issue 14).
The same clips and scoring as `bench/counter.py --lowres`."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from bench.counter import load_clips, lowres_clips, score
from services.counter.detector import YoloDetector
from services.counter.offline import count_file

pytestmark = pytest.mark.slow

BAR = 0.97
NATIVE = ["autobahn_overpass_10s", "crosswalk_peds_bikes_13s", "freeway_overhead_33s", "highway_curve_7s",
          "motorway_nl_overpass_11s"]
DOWNSCALED = [(name, width) for name in NATIVE if name != "freeway_overhead_33s" for width in (320, 352)]
# The hardest point: at 320 px the crosswalk's cyclist along the far curb is 9 px wide and only ever
# a 0.13-0.27 "person", in the first half second (before the background model knows the scene):
# persistence (`services/counter/persistence.py`) is what starts its track.


@pytest.fixture(scope="module")
def detector(shared_data: Path) -> YoloDetector:
    return YoloDetector.load(shared_data / "models" / "yolov8n_int8.tflite")


def counted(clip: dict, detector: YoloDetector) -> tuple[float, str]:
    result = count_file(clip["path"], [("l", tuple(clip["line"][:2]), tuple(clip["line"][2:]))], detector, 10)
    counts = {"pos": Counter(), "neg": Counter()}
    for c in result.crossings:
        counts["pos" if c.direction > 0 else "neg"][c.object_class] += 1
    return score(counts, clip["truth"])


@pytest.mark.parametrize("name", NATIVE)
def test_native_clip_reaches_the_bar(name: str, shared_data: Path, detector: YoloDetector) -> None:
    clip = {c["name"]: c for c in load_clips(shared_data)}[name]
    worst, detail = counted(clip, detector)
    assert worst >= BAR, f"{name}: {detail}"


@pytest.mark.parametrize("name, width", DOWNSCALED)
def test_downscaled_clip_reaches_the_bar(name: str, width: int, shared_data: Path, detector: YoloDetector,
                                         tmp_path: Path) -> None:
    if not shutil.which("ffmpeg"):
        pytest.fail("ffmpeg is needed to downscale the clips (apt install ffmpeg)")
    clip = {c["name"]: c for c in load_clips(shared_data)}[name]
    [small] = [c for c in lowres_clips([clip], shared_data, tmp_path) if c["name"].endswith(f"@ {width} px wide")]
    worst, detail = counted(small, detector)
    assert worst >= BAR, f"{name} at {width} px: {detail}"
