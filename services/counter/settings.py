"""Counter settings: ROADCAM_COUNTER_* variables and /run/secrets files.

There are deliberately no S3 settings: the counter holds no credentials that could read
recordings (T5).
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from roadcam.common.settings import ConsumerSettings, service_config
from services.counter.counting import CountingTuning
from services.counter.detections import CLASS_IDS

DEFAULT_CENSUS = {
    "person": "歩行者", "bicycle": "自転車", "motorcycle": "二輪車",
    "car": "小型車", "bus": "大型車", "truck": "大型車",
}


class Settings(ConsumerSettings):
    model_config = service_config("counter")

    model: Path = Field(Path("models/yolov8n.pt"), description="detector model (.pt, .onnx, .tflite)")
    imgsz: int = Field(640, ge=160, le=1920, description="detector input size (fixed for exported models)")
    detector_threads: int = Field(0, ge=0, le=64, description="TFLite inference threads; 0 = Ultralytics' default")
    target_fps: float = Field(10.0, gt=0, le=60, description="frames per second analysed per camera")
    tile_min_keep: float = Field(
        0.85, gt=0, le=2,
        description="pack frames into one detector input if each keeps this share of its scale (>1: never)",
    )
    counting: CountingTuning = Field(default_factory=CountingTuning)
    census_classes: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_CENSUS), description="COCO name -> census class (T1)"
    )
    bin_seconds: list[int] = Field(default_factory=lambda: [300, 900, 3600], min_length=1, max_length=6)
    open_bin_interval_s: float = Field(30.0, ge=1, le=3600, description="how often open bins are re-published")
    silent_camera_s: float = Field(
        5.0, gt=0, le=600, description="a camera without frames this long has its pending crossings settled"
    )
    queue_interval_s: float = Field(5.0, ge=0.5, le=300, description="queue-length sampling period")
    from_beginning: bool = Field(
        False, description="a new consumer group starts at the oldest retained video instead of live"
    )
    tally_ttl_s: int = Field(2 * 86400, ge=60, le=31 * 86400, description="lifetime of live tallies in Redis")

    @field_validator("census_classes")
    @classmethod
    def _known_classes(cls, mapping: dict[str, str]) -> dict[str, str]:
        missing = set(CLASS_IDS) - set(mapping)
        if missing:
            raise ValueError(f"census_classes lacks {sorted(missing)}")
        return mapping

    @field_validator("bin_seconds")
    @classmethod
    def _bins_divide_an_hour(cls, bins: list[int]) -> list[int]:
        bad = [b for b in bins if b <= 0 or 3600 % b and b % 3600]
        if bad:
            raise ValueError(f"bin lengths {bad} must divide an hour or be whole hours")
        return bins
