"""Camera self-diagnosis on real dev clips with synthetic faults applied from 10 s on: each
fault is flagged (and the right one) within 30 s, and nothing fires on the unmodified clips."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from services.counter.motion import GreyFrame
from services.counter.view_check import ViewCheck

VIDEOS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "videos"
FAULT_AT_S = 10.0
pytestmark = pytest.mark.skipif(not VIDEOS.is_dir(), reason="dev clips not available")


def sampled(path: Path, fps: float = 10.0, loops: int = 1):
    """(capture time us, BGR frame) at `fps`, the clip played `loops` times back to back."""
    offset = 0.0
    for _ in range(loops):
        cap = cv2.VideoCapture(str(path))
        src, n, next_t, t = cap.get(cv2.CAP_PROP_FPS) or 25.0, 0, 0.0, 0.0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            t = n / src
            n += 1
            if t + 1e-6 >= next_t:
                next_t += 1 / fps
                yield int((offset + t) * 1e6), frame
        cap.release()
        offset += t + 1 / src


def frozen(frame, state):
    state.setdefault("still", frame)
    return state["still"]


def covered(frame, _):
    return (cv2.blur(frame, (81, 81)) * 0.35 + 20).astype(np.uint8)  # a hand/bag: dark and featureless


def defocused(frame, _):
    return cv2.GaussianBlur(frame, (0, 0), frame.shape[1] / 160)


def darkened(frame, _):
    return (frame * 0.12).astype(np.uint8)


def shifted(frame, _):
    h, w = frame.shape[:2]
    return cv2.warpAffine(frame, np.float32([[1, 0, 0.08 * w], [0, 1, 0.05 * h]]), (w, h), borderMode=cv2.BORDER_REPLICATE)


def glaring(frame, _):
    out = frame.copy()
    out[: frame.shape[0] // 2] = 255  # the sun in the upper half of the view
    return out


def run(path: Path, fault=None, loops: int = 2) -> list[tuple[float, list[str]]]:
    check, state, out = ViewCheck(), {}, []
    for t, frame in sampled(path, loops=loops):
        if fault is not None and t >= FAULT_AT_S * 1e6:
            frame = fault(frame, state)
        out.append((t / 1e6, check.update(GreyFrame.of(frame).pixels, t)))  # what the engine hands it
    return out


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["residential_street_73s.mp4", "freeway_overhead_33s.avi"])
@pytest.mark.parametrize("fault,name", [(frozen, "frozen"), (covered, "covered"), (defocused, "defocus"),
                                        (darkened, "dark"), (shifted, "moved"), (glaring, "glare")])
def test_a_fault_is_flagged_within_30_s(clip, fault, name):
    history = run(VIDEOS / clip, fault)
    assert all(not faults for t, faults in history if t < FAULT_AT_S), "fired before the fault"
    flagged = [t for t, faults in history if name in faults]
    assert flagged and flagged[0] - FAULT_AT_S <= 30, f"{name} not flagged within 30 s"
    # it stays flagged while the fault lasts, and no unrelated fault is claimed alongside it
    assert all(name in faults for t, faults in history if t >= flagged[0])
    others = {f for t, faults in history for f in faults} - {name}
    assert others <= {"covered", "defocus"} if name in ("covered", "defocus") else not others, others


@pytest.mark.slow
@pytest.mark.parametrize("clip", sorted(p.name for p in VIDEOS.glob("*")) if VIDEOS.is_dir() else [])
def test_nothing_fires_on_the_unmodified_dev_clips(clip):
    assert [(t, f) for t, f in run(VIDEOS / clip, loops=1) if f] == []


def test_a_short_odd_moment_is_no_fault():
    rng = np.random.default_rng(1)
    scene = rng.integers(0, 255, (240, 320, 3), np.uint8)
    scene = cv2.normalize(cv2.GaussianBlur(scene, (0, 0), 3), None, 0, 255, cv2.NORM_MINMAX)
    check = ViewCheck()
    for i in range(100):  # 10 s healthy, with sensor noise
        check.update(np.clip(scene + rng.normal(0, 2, scene.shape), 0, 255).astype(np.uint8), i * 100_000)
    for i in range(100, 110):  # 1 s black (a truck right in front of the lens)
        assert check.update(np.zeros_like(scene), i * 100_000) == []
