"""Build the detector set from settings. Missing models raise ModelMissingError (fail closed)."""
from __future__ import annotations

from services.anonymizer.detectors import CenterFaces, PersonDetector, PlateDetector, YuNetFaces
from services.anonymizer.pipeline import Scheduled
from services.anonymizer.settings import DetectionSettings


def build_detectors(d: DetectionSettings, still: bool = False) -> list[Scheduled]:
    """Video: each detector at its interval. Stills (`still`): every detector on every image,
    faces searched at 2x so small faces are caught."""
    upscale = 2.0 if still else d.face_upscale
    detectors = [
        Scheduled(YuNetFaces(d.yunet_model, upscale=upscale), 0 if still else d.face_interval_s),
        Scheduled(PlateDetector(d.plate_model, threads=d.threads), 0 if still else d.plate_interval_s),
        Scheduled(PersonDetector(d.yolo_model, threads=d.threads), 0 if still else d.yolo_interval_s),
    ]
    if d.centerface_model is not None and (still or d.centerface_on_video):
        detectors.append(Scheduled(CenterFaces(d.centerface_model, upscale=upscale), 0 if still else d.centerface_interval_s))
    return detectors
