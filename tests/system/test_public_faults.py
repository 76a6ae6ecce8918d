"""Nothing un-anonymized is ever published: the detector failing or too slow pauses the view.

Every public HLS segment that appears during the fault is downloaded as it appears, decoded,
and every frame must be the paused slate. Recording is unaffected (it keeps the original).
"""
from __future__ import annotations

import shutil
import time

from tests.system.conftest import CORE
from tests.system.public_view import PublicWatcher, frames, is_slate
from tests.system.stack import wait_until


def _all_slate(watcher: PublicWatcher) -> tuple[int, int, list[str]]:
    total, raw_frames, raw_segments = 0, 0, []
    for key, data in sorted(watcher.segments.items()):
        images = frames(data)
        total += len(images)
        bad = sum(not is_slate(i) for i in images)
        raw_frames += bad
        if bad:
            raw_segments.append(key)
    return total, raw_frames, raw_segments


def _check_paused(stack, seconds: float) -> None:
    watchers = [PublicWatcher(stack, cam["id"]) for cam in stack.cameras]
    for w in watchers:
        w.__enter__()
    try:
        time.sleep(seconds)
    finally:
        for w in watchers:
            w.__exit__(None)
    for w in watchers:
        total, raw, bad = _all_slate(w)
        print(f"\n{w.camera_id}: {len(w.segments)} public segments, {total} frames decoded, {raw} not slate")
        assert w.segments and total > 0, f"{w.camera_id}: nothing published at all (expected the slate)"
        assert raw == 0, f"{w.camera_id}: un-anonymized frames published in {bad}"
    _, body = stack.ready("anonymizer")
    assert all(not info["live"] for info in body["cameras"].values()), body


def test_detector_failing_pauses_the_view_and_publishes_no_raw_frame(make_stack, models, tmp_path) -> None:
    broken = tmp_path / "broken-models"
    broken.mkdir()
    for f in models.glob("face_detection_yunet*.onnx"):
        shutil.copy(f, broken / f.name)
    (broken / "yolov8n_int8.tflite").write_bytes(b"\x00not a model\x00" * 100)
    stack = make_stack(models_dir=broken, wait_live=False)
    # The counter needs the same model, so it fails closed too; video still flows and is recorded.
    wait_until(lambda: stack.all_ready(["ingest", "recorder"]), 120, 1, "ready")
    wait_until(lambda: all(stack.recorded(c["id"]) for c in stack.cameras), 120, 1, "recording")
    _check_paused(stack, 20)
    _, body = stack.ready("anonymizer")
    print(f"anonymizer says: {body['cameras']}")


def test_detector_too_slow_pauses_the_view_and_publishes_no_raw_frame(make_stack) -> None:
    # Every frame exceeds its time budget: as a detector slower than real time would.
    stack = make_stack(env={"ROADCAM_ANONYMIZER_DETECTION__FRAME_TIMEOUT_S": "0.001"}, wait_live=False)
    wait_until(lambda: stack.all_ready([s for s in CORE if s not in ("api", "anonymizer")]), 120, 1, "ready")
    _check_paused(stack, 20)
