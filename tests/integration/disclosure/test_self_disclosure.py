"""A person's own disclosure request (issue 11 item 4) on real recorded footage: the export keeps the
marked person and destroys everyone else, is a signed redacted derivative that verifies offline, and
is refused outright when the api cannot load the detector models."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import av
import cv2
import numpy as np
import pytest

from services.api.auth.roles import Role
from services.api.disclosure.redacted_clip import ClipRedactor
from services.api.disclosure.redaction import iou
from services.api.disclosure.settings import RedactionSettings
from services.recorder.export import export_clip
from tests.integration.disclosure.flow import CAMERA, record_footage
from tests.integration.disclosure.test_footage_flow import verify_export
from tests.unit.api.apikit import make_api
from tests.unit.disclosure.kit import register

pytestmark = pytest.mark.slow
CLIP = "crosswalk_peds_bikes_13s.mp4"  # pedestrians and cyclists crossing; 2.6 s segments
DESTROYED, KEPT = 0.4, 0.7  # detail ratios (../shared/tools/anon_score.py: < 0.4 = anonymized, JPEG q90 >= 0.99)


def detail(original: np.ndarray, output: np.ndarray, box) -> float:
    """Share of the box's fine detail that survives (anon_score.py): both crops scaled so the box is
    8 px high, then <L_orig, L_out> / <L_orig, L_orig> of their 3x3 Laplacians."""
    h, w = original.shape[:2]
    x1, y1 = max(0, int(box.x1)), max(0, int(box.y1))
    x2, y2 = min(w, int(np.ceil(box.x2))), min(h, int(np.ceil(box.y2)))
    crops = [cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY).astype(np.float32) for img in (original, output)]
    f = 8 / max(y2 - y1, 1)
    size = (max(3, round((x2 - x1) * f)), max(3, round((y2 - y1) * f)))
    la, lb = (cv2.Laplacian(cv2.resize(c, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC),
                            cv2.CV_32F) for c in crops)
    energy = float((la * la).sum())
    return float((la * lb).sum()) / energy if energy > 1e-6 else 1.0


def frames(mp4: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(mp4)) as c:
        return [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]


def local(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, ZoneInfo("Asia/Tokyo")).replace(tzinfo=None).isoformat()


@pytest.fixture
def world(tmp_path: Path, s3_server, videos):
    models = videos.parent / "models"
    redaction = RedactionSettings(yunet_model=models / "face_detection_yunet_2026may.onnx",
                                  yolo_model=models / "yolov8n_int8.tflite")
    if redaction.plate_model is None:
        pytest.skip("the platedet wheel (licence-plate model) is not installed")
    api = make_api(tmp_path)
    footage = record_footage(s3_server, videos, CLIP)
    api.add_account("op-roads", Role.OPERATOR, departments=("roads",))
    api.add_account("boss", Role.MANAGER)
    seg = footage.metas[1]  # one 2.6 s segment: ~29 frames, each searched by every detector
    req = register(api, "op-roads", legal_basis="self_disclosure", requester_org="本人 山田花子",
                   start=local(seg.start_us + 1), end=local(seg.end_us - 1))
    decided = api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "本人確認済み"},
                              headers=api.headers("boss"))
    assert decided.json()["state"] == "approved"
    original = export_clip(footage.store, footage.keyring, CAMERA, seg.start_us + 1, seg.end_us - 1).mp4
    configure = lambda settings: footage.setup_api(api, s3_server, tmp_path / "exports", redaction=settings)  # noqa: E731
    yield api, configure, req, redaction, original
    api.client.close()
    api.parts.engine.dispose()


def others_on(detections, requester):
    return [b for b in detections if b.kind == "person" and iou(b, requester) < 0.05]


def test_the_marked_person_stays_sharp_everyone_else_is_destroyed_and_the_copy_verifies(world, tmp_path: Path) -> None:
    api, configure, req, redaction, original = world
    configure(redaction)
    detector = ClipRedactor(redaction)
    source = frames(original)
    mark_frame = len(source) // 2
    persons = [b for b in detector.detect(source[mark_frame]) if b.kind == "person"]
    assert len(persons) >= 2, "the test needs the marked person and someone else on the marked frame"
    requester = max(persons, key=lambda b: (b.x2 - b.x1) * (b.y2 - b.y1))
    box = [float(v) for v in (requester.x1, requester.y1, requester.x2, requester.y2)]
    made = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"),
                           json={"keep": [{"camera": CAMERA, "frame": mark_frame, "box": box}]})
    assert made.status_code == 201, made.text
    got = api.client.get(made.json()[0]["download_url"])
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        z.extractall(tmp_path / "got")
    clip = tmp_path / "got" / f"request-{req['id']}-{CAMERA}.mp4"
    manifest_path = clip.with_name(clip.stem + ".manifest.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["derivative"] == "redacted_self_disclosure"
    assert manifest["original_mp4_sha256"] == hashlib.sha256(original).hexdigest() != manifest["mp4_sha256"]
    assert manifest["mp4_sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    marked = manifest["redaction"]
    assert marked["marked_frame"] == mark_frame and marked["marked_box"] == [round(v, 1) for v in box]
    assert marked["marked_by"] == "op-roads" and marked["frames"] == len(source) and manifest["segments"]
    code, out = verify_export(clip, manifest_path)
    assert code == 0 and out.startswith("OK") and manifest["original_mp4_sha256"] in out, out

    output = frames(clip.read_bytes())
    assert len(output) == len(source)
    assert detail(source[mark_frame], output[mark_frame], requester) >= KEPT
    for other in others_on(persons, requester):
        assert detail(source[mark_frame], output[mark_frame], other) < DESTROYED, other
    # every frame: nobody but (at most) one followed person keeps detail; the requester is followed on most
    sharp_frames = 0
    for t, (before, after) in enumerate(zip(source, output)):
        sharp = [b for b in detector.detect(before) if b.kind in ("person", "face") and detail(before, after, b) >= DESTROYED]
        assert len([b for b in sharp if b.kind == "person"]) <= 1, (t, sharp)
        sharp_frames += bool(sharp)
    assert marked["frames_requester_kept"] >= len(source) // 2 and sharp_frames >= len(source) // 2
    audit = [e for e in api.client.get("/api/v1/audit?action=export_created", headers=api.headers("boss")).json()]
    assert audit and audit[0]["details"]["derivative"] == "redacted_self_disclosure"


def test_without_the_models_or_without_a_mark_nothing_is_exported(world, tmp_path: Path) -> None:
    api, configure, req, redaction, _ = world
    keep = {"keep": [{"camera": CAMERA, "frame": 0, "box": [10, 10, 60, 150]}]}
    configure(RedactionSettings(yunet_model=None, yolo_model=redaction.yolo_model))
    refused = api.client.post(f"/api/v1/requests/{req['id']}/exports", json=keep, headers=api.headers("op-roads"))
    assert refused.status_code == 503 and "ROADCAM_API_REDACTION__YUNET_MODEL" in refused.text, refused.text
    configure(redaction)
    unmarked = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert unmarked.status_code == 422 and "mark the requester" in unmarked.text, unmarked.text
    assert not (tmp_path / "exports").exists() or not any((tmp_path / "exports").iterdir())
    state = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("op-roads")).json()["state"]
    assert state == "approved"
    actions = [e["action"] for e in api.client.get("/api/v1/audit?limit=1000", headers=api.headers("boss")).json()]
    assert "export_created" not in actions
