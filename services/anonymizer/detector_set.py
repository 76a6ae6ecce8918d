"""Build the detector set and the frame anonymizer from settings, one way for the service, the
CLI and the benchmark. Missing models raise ModelMissingError (fail closed)."""
from __future__ import annotations

from roadcam.vision.detectors import CenterFaces, PersonDetector, PlateDetector, YuNetFaces
from services.anonymizer.motion_gate import MotionGate
from services.anonymizer.pipeline import FrameAnonymizer, Scheduled
from services.anonymizer.settings import DetectionSettings
from roadcam.common.camconfig.models import CameraConfig


def build_detectors(d: DetectionSettings, still: bool = False) -> list[Scheduled]:
    """Video: each detector at its interval. Stills (`still`): every detector on every image,
    faces searched at 2x so small faces are caught."""
    upscale = 2.0 if still else d.face_upscale
    detectors = [
        Scheduled(YuNetFaces(d.yunet_model, d.face_threshold, upscale=upscale), 0 if still else d.face_interval_s),
        Scheduled(PlateDetector(d.plate_model, threads=d.threads), 0 if still else d.plate_interval_s),
        Scheduled(PersonDetector(d.yolo_model, threads=d.threads), 0 if still else d.yolo_interval_s),
    ]
    if d.centerface_model is not None and (still or d.centerface_on_video):
        detectors.append(Scheduled(CenterFaces(d.centerface_model, upscale=upscale), 0 if still else d.centerface_interval_s))
    return detectors


def build_anonymizer(camera: CameraConfig, d: DetectionSettings, still: bool = False, still_width: int | None = None,
                     timeout_s: float | None = None) -> FrameAnonymizer:
    """The camera's FrameAnonymizer: stills run every detector on every image; video runs the
    schedule (motion-gated unless `d.motion_gate` is off)."""
    gate = MotionGate(d.gate_cells, d.gate_threshold) if d.motion_gate and not still else None
    return FrameAnonymizer(
        camera, build_detectors(d, still=still), d.hold_s, d.growth_per_s, d.detect_max_width,
        d.frame_timeout_s if timeout_s is None else timeout_s, still_width=still_width,
        vehicle_plate_min_px=d.vehicle_plate_min_px, gate=gate, look_idle_s=d.look_idle_s,
    )
