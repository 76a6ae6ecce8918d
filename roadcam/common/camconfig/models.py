"""Pydantic models for the camera configuration: one model per concern, unknown keys rejected.

Coordinates (masks, lines, calibration) are pixels of the camera's `frame_size`; services scale
them to whatever resolution they actually decode, so a camera may change resolution safely.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Purpose = Literal["road_management", "traffic_survey", "crime_prevention"]
# The one id pattern (cameras, lines, departments, secrets); the api validates path and query ids with it.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


def is_slug(value: str) -> bool:
    """Whole-string match: unlike `re.match` with `$`, a trailing newline does not pass."""
    return _SLUG.fullmatch(value) is not None
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Point = tuple[Annotated[float, Field(ge=0, le=16384)], Annotated[float, Field(ge=0, le=16384)]]
_USERINFO = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*@")
_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "file://", "/", "./", "../")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(Strict):
    url: str = Field(description="rtsp(s)://, http(s)://, file:// or a path; no credentials inline")
    credentials_secret: Slug | None = Field(
        None, description="name of a secret file holding 'user:password' for this camera"
    )
    transport: Literal["tcp", "udp"] = Field("tcp", description="RTSP transport")
    loop: bool = Field(False, description="replay a file source forever (demos, tests)")
    open_timeout_s: float = Field(10.0, gt=0, le=120, description="connect/open timeout")
    read_timeout_s: float = Field(10.0, gt=0, le=120, description="no-data timeout while streaming")

    @field_validator("url")
    @classmethod
    def _url_is_clean(cls, url: str) -> str:
        if _USERINFO.match(url):
            raise ValueError("credentials must not be written in the URL; use credentials_secret")
        if not url.startswith(_SCHEMES) and ":" in url.split("/", 1)[0]:
            # FFmpeg reads `name:` as a protocol (concat:, pipe:, subfile,,...:) that reads or runs anything.
            raise ValueError(f"unsupported scheme in {url.split(':')[0]!r}; use rtsp(s)://, http(s)://, "
                             "file:// or a file path")
        return url


class PrivacyMask(Strict):
    name: Text
    polygon: list[Point] = Field(min_length=3, max_length=64)


class CountingLine(Strict):
    id: Slug
    start: Point
    end: Point
    pos_name: Text = Field(description="name of the direction toward the positive side, e.g. 上り")
    neg_name: Text = Field(description="name of the opposite direction, e.g. 下り")

    @model_validator(mode="after")
    def _has_length(self) -> CountingLine:
        if self.start == self.end:
            raise ValueError("a counting line needs two different points")
        return self


class Calibration(Strict):
    """Four image points and the same four points on the road plane, in metres (T3)."""

    image_points: list[Point] = Field(min_length=4, max_length=4)
    ground_points_m: list[tuple[float, float]] = Field(min_length=4, max_length=4)


class Lane(Strict):
    """One approach lane for queue length (T3), in pixels of `frame_size`."""

    id: Slug
    polygon: list[Point] = Field(min_length=3, max_length=32, description="lane area")
    head: Point = Field(description="where the queue starts (middle of the stop line)")


class PublicNotice(Strict):
    """What the public page says about this camera (A7)."""

    operator: Text
    purpose: Text
    contact: Text
    manager: Text | None = None


class Location(Strict):
    """Where the camera stands (WGS 84), for the public map (X6)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    direction: Text | None = Field(None, description="which way it looks, e.g. 北向き")


PUBLIC_MAX = (640, 360)  # V1: the public view is a downscale; configurable only downwards
NEAR_SOURCE = 0.75  # a public side above this share of the source side is "at or near source resolution"


class PublicView(Strict):
    width: int = Field(PUBLIC_MAX[0], ge=160, le=PUBLIC_MAX[0], description="public stream width (downscale, V1)")
    height: int = Field(PUBLIC_MAX[1], ge=90, le=PUBLIC_MAX[1])
    fps: float = Field(10, gt=0, le=30)
    blur_persons: bool = Field(True, description="blur whole person figures, not only faces")


class Recording(Strict):
    enabled: bool = Field(False, description="record original footage (needs a recording purpose)")
    segment_seconds: float = Field(10, ge=2, le=60)


class CameraConfig(Strict):
    id: Slug
    name: Text
    source: SourceConfig
    purposes: list[Purpose] = Field(min_length=1, max_length=3)
    department: Slug
    retention_days: int = Field(7, ge=1, le=31, description="recording retention (R3), at most 31")
    frame_size: tuple[Annotated[int, Field(ge=16, le=16384)], Annotated[int, Field(ge=16, le=16384)]] | None = Field(
        None, description="[width, height] the coordinates below refer to"
    )
    privacy_masks: list[PrivacyMask] = Field(default_factory=list, max_length=64)
    counting_lines: list[CountingLine] = Field(default_factory=list, max_length=32)
    calibration: Calibration | None = None
    lanes: list[Lane] = Field(default_factory=list, max_length=16, description="queue-length lanes (T3)")
    notice: PublicNotice
    location: Location | None = None
    public_view: PublicView = Field(default_factory=PublicView)
    recording: Recording = Field(default_factory=Recording)
    monitoring_permitted: bool = Field(
        False, description="operators may watch this camera live in the console (X5: Midori 4(2) allows it, "
        "Isesaki forbids it); only the anonymized view is ever shown live, never raw footage (R6)")

    @field_validator("purposes")
    @classmethod
    def _unique_purposes(cls, purposes: list[str]) -> list[str]:
        if len(set(purposes)) != len(purposes):
            raise ValueError("purposes are listed twice")
        return purposes

    @model_validator(mode="after")
    def _consistent(self) -> CameraConfig:
        purposes = set(self.purposes)
        if self.counting_lines and "traffic_survey" not in purposes:
            raise ValueError("counting_lines need the traffic_survey purpose (P1)")
        if self.recording.enabled and not purposes & {"crime_prevention", "road_management"}:
            raise ValueError("recording needs the crime_prevention or road_management purpose (P1)")
        if len({line.id for line in self.counting_lines}) != len(self.counting_lines):
            raise ValueError("counting line ids must be unique within a camera")
        if self.monitoring_permitted and "road_management" not in purposes:
            raise ValueError("monitoring_permitted needs the road_management purpose: the only live picture is the "
                             "anonymized public view; raw footage is never watched live (R6)")
        if self.lanes and self.calibration is None:
            raise ValueError("lanes need a calibration (queue length is measured in metres)")
        if len({lane.id for lane in self.lanes}) != len(self.lanes):
            raise ValueError("lane ids must be unique within a camera")
        self._check_points_inside_frame()
        self._check_downscale()
        return self

    def _check_downscale(self) -> None:
        """V1: with a known source size the public view must be a real downscale."""
        if self.frame_size is None or not self.publishes:
            return
        (fw, fh), v = self.frame_size, self.public_view
        if v.width > NEAR_SOURCE * fw or v.height > NEAR_SOURCE * fh:
            raise ValueError(f"public_view {v.width}x{v.height} is at or near the source frame_size {fw}x{fh}: "
                             f"the public view must be downscaled to at most {NEAR_SOURCE:.0%} of the source (V1)")

    @model_validator(mode="before")
    @classmethod
    def _fit_public_view(cls, data):
        """An unset public size fits the cap and at most half of a known source (V1)."""
        if not isinstance(data, dict) or not isinstance(data.get("public_view", {}), dict):
            return data
        view = dict(data.get("public_view") or {})
        try:
            fw, fh = (int(x) for x in data["frame_size"])
        except (KeyError, TypeError, ValueError):
            return data  # no (valid) source size: the field validation reports what is wrong
        if "width" in view or "height" in view or fw <= 0 or fh <= 0:
            return data
        scale = min(1.0, PUBLIC_MAX[0] / (fw / 2), PUBLIC_MAX[1] / (fh / 2))
        view.update(width=max(160, round(fw / 4 * scale) * 2), height=max(90, round(fh / 4 * scale) * 2))
        return {**data, "public_view": view}

    def _check_points_inside_frame(self) -> None:
        points = [p for m in self.privacy_masks for p in m.polygon]
        points += [p for line in self.counting_lines for p in (line.start, line.end)]
        points += self.calibration.image_points if self.calibration else []
        points += [p for lane in self.lanes for p in (*lane.polygon, lane.head)]
        if not points:
            return
        if self.frame_size is None:
            raise ValueError("frame_size is required when masks, lines or calibration are given")
        w, h = self.frame_size
        outside = [p for p in points if p[0] > w or p[1] > h]
        if outside:
            raise ValueError(f"points {outside[:3]} lie outside frame_size {w}x{h}")

    @property
    def records(self) -> bool:
        """P1: only a camera declared for recording purposes is ever recorded."""
        return self.recording.enabled

    @property
    def publishes(self) -> bool:
        return "road_management" in self.purposes

    @property
    def counts(self) -> bool:
        return "traffic_survey" in self.purposes


class RoadcamConfig(Strict):
    version: Literal[1] = 1
    cameras: list[CameraConfig] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _unique_ids(self) -> RoadcamConfig:
        seen: set[str] = set()
        for cam in self.cameras:
            if cam.id in seen:
                raise ValueError(f"camera id {cam.id!r} is used twice")
            seen.add(cam.id)
        return self

    def camera(self, camera_id: str) -> CameraConfig:
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        raise KeyError(camera_id)
