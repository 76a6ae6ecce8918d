"""The detection models a local stack needs: which are missing, and fetching the defaults from
their upstream sources with checksums (issue 10, first run).

Checksums: YuNet is pinned (OpenCV Zoo, 2023mar). Ultralytics publishes yolov8n.pt as a GitHub
release asset; GitHub states each asset's sha256 ("digest"), which is checked before the file is
kept. A file that fails its check is deleted; nothing half-downloaded is ever left in place.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from roadcam.common.errors import RoadcamError

log = logging.getLogger(__name__)
DEFAULT_DIR = Path(os.environ.get("ROADCAM_HOME", Path.home() / ".roadcam")) / "models"


@dataclass(frozen=True)
class Need:
    """One model a service needs: glob patterns it accepts, who needs it, and what fetch provides."""

    patterns: tuple[str, ...]
    used_by: str
    what: str


NEEDS = (
    Need(("yolov8n*.tflite", "yolov8n*.pt", "yolov8n*.onnx"), "counter", "YOLOv8n detector (Ultralytics)"),
    Need(("face_detection_yunet*.onnx",), "anonymizer", "YuNet face detector (OpenCV Zoo)"),
    Need(("yolov8n*.tflite",), "anonymizer", "YOLOv8n person detector as TFLite (not downloadable: "
         "`yolo export model=yolov8n.pt format=tflite int8=True` with TensorFlow installed)"),
)


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    sha256: str | None = None          # pinned
    digest_api: str | None = None      # a GitHub release API URL that states the asset's sha256


SOURCES = (
    Source("yolov8n.pt", "https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8n.pt",
           digest_api="https://api.github.com/repos/ultralytics/assets/releases/tags/v8.2.0"),
    Source("face_detection_yunet_2023mar.onnx",
           "https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx",
           sha256="8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"),
)


class FetchError(RoadcamError):
    pass


def missing(models_dir: Path | None) -> list[Need]:
    if models_dir is None or not models_dir.is_dir():
        return list(NEEDS)
    return [n for n in NEEDS if not any(any(models_dir.glob(p)) for p in n.patterns)]


def explain_missing(models_dir: Path | None, needs: list[Need]) -> str:
    """What `roadcam up` prints: the files, who needs them, and both ways to provide them."""
    where = f"in {models_dir}" if models_dir else "(no --models folder given)"
    lines = [f"models missing {where}:"]
    lines += [f"  - {' or '.join(n.patterns)}: {n.what}, needed by the {n.used_by}" for n in needs]
    lines += [
        "Without them the public view stays paused and the counter does not count (fail closed).",
        f"Online:  roadcam models fetch            (downloads with checksums into {DEFAULT_DIR})",
        "Offline: copy the files into a folder and run  roadcam up --models DIR",
        "         (the development set has them in ../shared/data/models)",
    ]
    return "\n".join(lines)


def _get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "roadcam-models-fetch"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed https URLs
        return response.read()


def expected_sha256(source: Source, timeout: float) -> str:
    if source.sha256:
        return source.sha256
    release = json.loads(_get(source.digest_api, timeout))
    for asset in release.get("assets", []):
        digest = str(asset.get("digest") or "")
        if asset.get("name") == source.name and digest.startswith("sha256:"):
            return digest.removeprefix("sha256:")
    raise FetchError(f"{source.name}: the release does not state a sha256 for it; not downloaded")


def fetch(target: Path, sources: tuple[Source, ...] = SOURCES, timeout: float = 60.0) -> list[Path]:
    """Download each source into `target` unless present; verify the sha256 before keeping it.
    Every source is tried; FetchError at the end names each one that failed."""
    target.mkdir(parents=True, exist_ok=True)
    done, failed = [], []
    for source in sources:
        path = target / source.name
        try:
            if not path.exists():
                _fetch_one(source, path, timeout)
            done.append(path)
        except FetchError as exc:
            failed.append(str(exc))
    if failed:
        raise FetchError("; ".join(failed))
    return done


def _fetch_one(source: Source, path: Path, timeout: float) -> None:
    try:
        want = expected_sha256(source, timeout)
        data = _get(source.url, timeout)
    except OSError as exc:  # URLError, timeouts, DNS: offline
        raise FetchError(f"cannot download {source.name} from {source.url}: {exc}") from exc
    got = hashlib.sha256(data).hexdigest()
    if got != want:
        raise FetchError(f"{source.name}: sha256 {got} does not match the expected {want}; not kept")
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".part-") as part:
        part.write(data)
    Path(part.name).replace(path)
    log.info("fetched %s (%d bytes, sha256 %s)", path, len(data), got)
