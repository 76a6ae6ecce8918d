"""Offline anonymization (the CLI): same FrameAnonymizer and detectors as the service."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import av
import cv2

from services.anonymizer.detector_set import build_anonymizer
from services.anonymizer.pipeline import FrameAnonymizer
from services.anonymizer.settings import Settings
from roadcam.common.camconfig import load_config
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import ConfigError

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def default_camera() -> CameraConfig:
    """Without a camera file: no masks, persons blurred, generic notice."""
    return CameraConfig.model_validate({
        "id": "offline", "name": "offline", "source": {"url": "/dev/null"}, "purposes": ["road_management"],
        "department": "offline", "notice": {"operator": "-", "purpose": "-", "contact": "-"},
    })


class OfflineJob:
    def __init__(self, settings: Settings, camera: CameraConfig, width: int) -> None:
        self._settings, self._camera, self._width = settings, camera, width

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> OfflineJob:
        settings = Settings()
        for name in ("yunet", "plate", "yolo", "centerface"):
            path = getattr(args, f"{name}_model", None)
            if path is not None:
                setattr(settings.detection, f"{name}_model", path)
        camera = default_camera()
        if args.camera_config:
            config = load_config(args.camera_config)
            try:
                camera = config.camera(args.camera) if args.camera else config.cameras[0]
            except KeyError:
                raise ConfigError(f"camera {args.camera!r} is not in {args.camera_config}") from None
        return cls(settings, camera, args.width)

    def run(self, source: Path, out_dir: Path) -> int:
        if not source.exists():
            raise ConfigError(f"{source}: no such file or directory")
        out_dir.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            images = sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            return sum(self._image(p, out_dir / p.name) for p in images)
        if source.suffix.lower() in IMAGE_SUFFIXES:
            return self._image(source, out_dir / source.name)
        return self._video(source, out_dir / (source.stem + ".mp4"))

    def _anonymizer(self, still: bool) -> FrameAnonymizer:
        return build_anonymizer(self._camera, self._settings.detection, still, self._width, timeout_s=60.0)

    def _image(self, path: Path, out: Path) -> int:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            log.error("%s: not a readable image, skipped", path)
            return 0
        if not hasattr(self, "_still"):
            self._still = self._anonymizer(still=True)
        self._still.reset()  # every image is a new scene
        cv2.imwrite(str(out), self._still.anonymize(image, 0.0))
        return 1

    def _video(self, path: Path, out: Path) -> int:
        anonymizer = self._anonymizer(still=False)
        try:
            src = av.open(str(path))
        except av.error.FFmpegError as exc:
            raise ConfigError(f"{path}: not a readable image or video: {exc}") from None
        with src, av.open(str(out), "w") as dst:
            vin = src.streams.video[0]
            rate = vin.average_rate or 25
            vout = None
            for frame in src.decode(vin):
                t = float(frame.time) if frame.time is not None else 0.0
                image = anonymizer.anonymize(frame.to_ndarray(format="bgr24"), t)
                if vout is None:
                    vout = dst.add_stream("libx264", rate=rate)
                    vout.width, vout.height, vout.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
                for packet in vout.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                    dst.mux(packet)
            if vout is not None:
                for packet in vout.encode():
                    dst.mux(packet)
        return 1
