"""HTTP body of an export: for a self-disclosure request, the requester to keep on each camera."""
from __future__ import annotations

from pydantic import Field

from services.api.disclosure.redaction import Mark
from services.api.disclosure.schemas import CameraId
from services.api.errors import ApiError
from services.api.schemas import Body


class KeepIn(Body):
    """The requester to keep in a self-disclosure export: a box on one frame of the camera's clip."""

    camera: CameraId
    frame: int = Field(ge=0, le=10_000_000, description="frame of the clip the box is drawn on (0 = first)")
    box: list[float] = Field(min_length=4, max_length=4, description="x1, y1, x2, y2 in the clip's pixels")


class ExportIn(Body):
    keep: list[KeepIn] = Field([], max_length=20, description="self-disclosure only: the requester, per camera; "
                                                             "everyone else is blurred")

    def marks(self) -> dict[str, Mark]:
        cameras = [k.camera for k in self.keep]
        if len(set(cameras)) != len(cameras):
            raise ApiError("one mark per camera", 422)
        return {k.camera: Mark(k.frame, tuple(k.box)) for k in self.keep}
