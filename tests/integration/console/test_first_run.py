"""First run (issue 10): models fetched with checksums from a (local) upstream, clear messages when
they cannot be, and a default counting line for `--source` cameras."""
from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest

from roadcam.cli.main import main
from roadcam.common.camconfig import parse_config
from roadcam.devstack.models import FetchError, Source, explain_missing, fetch, missing
from roadcam.devstack.sources import default_line, source_camera

MODEL = b"not really a model, but bytes with a known hash" * 100


@pytest.fixture
def upstream():
    """A local HTTP server standing in for GitHub: the asset and its release JSON with a digest."""
    files = {"/yolov8n.pt": MODEL, "/release": json.dumps({"assets": [
        {"name": "yolov8n.pt", "digest": "sha256:" + hashlib.sha256(MODEL).hexdigest()}]}).encode(),
        "/bad-release": json.dumps({"assets": [{"name": "yolov8n.pt", "digest": "sha256:" + "0" * 64}]}).encode()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = files.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_fetch_keeps_a_file_only_when_its_sha256_matches(tmp_path: Path, upstream: str) -> None:
    good = Source("yolov8n.pt", f"{upstream}/yolov8n.pt", digest_api=f"{upstream}/release")
    assert fetch(tmp_path / "m", (good,), timeout=5) == [tmp_path / "m" / "yolov8n.pt"]
    assert (tmp_path / "m" / "yolov8n.pt").read_bytes() == MODEL
    bad = Source("yolov8n.pt", f"{upstream}/yolov8n.pt", digest_api=f"{upstream}/bad-release")
    with pytest.raises(FetchError, match="does not match"):
        fetch(tmp_path / "n", (bad,), timeout=5)
    assert list((tmp_path / "n").iterdir()) == []  # nothing half-kept
    pinned_wrong = Source("y.onnx", f"{upstream}/yolov8n.pt", sha256="1" * 64)
    with pytest.raises(FetchError, match="does not match"):
        fetch(tmp_path / "p", (pinned_wrong,), timeout=5)
    # One failure does not stop the others: the good one is kept, the error names the bad one.
    with pytest.raises(FetchError, match="y.onnx"):
        fetch(tmp_path / "q", (pinned_wrong, good), timeout=5)
    assert [p.name for p in (tmp_path / "q").iterdir()] == ["yolov8n.pt"]


def test_offline_fetch_names_the_missing_files_and_the_offline_way(tmp_path: Path) -> None:
    target = tmp_path / "models"
    offline = Source("yolov8n.pt", "http://127.0.0.1:9/yolov8n.pt", sha256="0" * 64)
    with pytest.raises(FetchError, match="cannot download yolov8n.pt"):
        fetch(target, (offline,), timeout=2)
    text = explain_missing(target, missing(target))
    for needed in ("yolov8n*.pt", "face_detection_yunet*.onnx", "counter", "anonymizer",
                   "roadcam models fetch", "roadcam up --models DIR"):
        assert needed in text, needed


def test_models_check_passes_on_the_development_set(shared_data: Path, capsys) -> None:
    assert main(["models", "check", "--dir", str(shared_data / "models")]) == 0
    assert "all models present" in capsys.readouterr().out
    assert main(["models", "check", "--dir", str(shared_data / "no-such-folder")]) == 1


def test_source_camera_gets_a_valid_default_line(videos: Path) -> None:
    camera = source_camera(1, str(videos / "crosswalk_peds_bikes_13s.mp4"))
    assert camera["frame_size"] == [640, 352]
    line = camera["counting_lines"][0]
    assert line["id"] == "default-line" and line["start"][1] == line["end"][1] == 211
    notice = {"operator": "o", "purpose": "p", "contact": "c"}
    parse_config({"version": 1, "cameras": [{**camera, "purposes": ["road_management", "traffic_survey"],
                                             "department": "local", "notice": notice}]}, "test")
    assert "counting_lines" not in source_camera(2, str(videos / "no-such-clip.mp4"))


def test_default_line_spans_the_frame() -> None:
    line = default_line(1920, 1080)
    assert line["start"] == [96, 648] and line["end"] == [1824, 648]
