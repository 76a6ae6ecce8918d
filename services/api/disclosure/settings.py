"""Disclosure settings, mixed into the api's Settings (ROADCAM_API_* variables, /run/secrets files)."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from roadcam.vision.detectors import packaged_model


class RedactionSettings(BaseModel):
    """Self-disclosure exports (ROADCAM_API_REDACTION__*): the api runs the detectors itself, so it
    names its own model files. A missing required model refuses the export (never unblurred)."""

    model_config = ConfigDict(extra="forbid")

    yunet_model: Path | None = Field(None, description="YuNet face ONNX (face_detection_yunet*.onnx); required")
    yolo_model: Path | None = Field(None, description="YOLOv8 TFLite for persons and vehicles (yolov8n*.tflite); required")
    plate_model: Path | None = Field(
        default_factory=lambda: packaged_model("platedet", "artifacts/platedet.onnx"),
        description="platedet licence-plate ONNX (default: the one in the platedet wheel); required")
    centerface_model: Path | None = Field(None, description="CenterFace ONNX, an optional second face detector")
    face_threshold: float = Field(0.05, gt=0, lt=1, description="YuNet score threshold (low: a missed face leaks)")
    large_face_px: int = Field(48, ge=8, le=2000, description="a face at least this high (clip pixels) ...")
    large_face_score: float = Field(0.5, gt=0, le=1, description="... needs this score (low-score giants are texture)")
    face_upscale: float = Field(2.0, ge=0.5, le=3, description="faces are searched at this scale (small faces)")
    person_threshold: float = Field(0.25, gt=0, lt=1, description="YOLO score threshold for persons and vehicles")
    detect_max_width: int = Field(1280, ge=320, le=3840, description="detectors see at most this width")
    crf: int = Field(18, ge=10, le=35, description="x264 quality of the redacted copy")
    min_iou: float = Field(0.3, gt=0, lt=1, description="overlap that continues the requester to the next frame")
    ambiguity: float = Field(0.15, ge=0, lt=1, description="two people this close in overlap: requester lost")
    max_gap_frames: int = Field(2, ge=0, le=30, description="frames without the requester before it is lost")
    hold_frames: int = Field(2, ge=0, le=30, description="others' boxes are also blurred this many frames around")
    threads: int = Field(1, ge=1, le=16, description="inference threads per detector")


class DisclosureSettings(BaseModel):
    document_key: SecretStr | None = Field(
        None, description="base64 of 32 random bytes sealing request documents (照会書); missing = uploads refused")
    export_signing_key: SecretStr | None = Field(
        None, description="base64 Ed25519 seed signing custody manifests; missing = exports refused")
    export_dir: Path = Field(Path("roadcam-exports"), description="where export packages wait (mode 0600)")
    export_link_hours: float = Field(24.0, gt=0, le=24 * 14, description="lifetime of a one-time download link")
    second_approval: bool = Field(False, description="approval needs a second manager (決裁)")
    recordings_bucket: str = Field("roadcam-recordings", min_length=3, max_length=63,
                                   description="the recorder's bucket (exports read from it)")
    master_key: SecretStr | None = Field(
        None, description="the recorder's master key (exports decrypt with it); missing = exports refused")
    master_key_id: str = Field("local-1", min_length=1, max_length=100, description="name of the master key")
    redaction: RedactionSettings = Field(default_factory=RedactionSettings,
                                         description="detectors for self-disclosure exports (others blurred)")
    hold_send_interval_s: float = Field(1.0, gt=0, le=60, description="how often pending hold commands are sent")
