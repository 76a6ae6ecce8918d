"""Public per-camera notices (A7): who operates the camera, why, how long footage is kept, contact."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from roadcam.common.camconfig.models import SLUG_PATTERN
from services.api.deps import CamerasDep, allow
from services.api.errors import NotFound
from services.api.schemas import NoticeOut
from roadcam.common.camconfig.models import CameraConfig

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])
CameraId = Path(pattern=SLUG_PATTERN, description="camera id")


def notice(cam: CameraConfig) -> NoticeOut:
    recorded = cam.records
    retention = f"{cam.retention_days} days, then deleted" if recorded else "not recorded"
    return NoticeOut(
        camera_id=cam.id, camera_name=cam.name, operator=cam.notice.operator, manager=cam.notice.manager,
        purpose=cam.notice.purpose, purposes=list(cam.purposes), recorded=recorded, retention=retention,
        retention_days=cam.retention_days if recorded else None, contact=cam.notice.contact,
        monitoring_permitted=cam.monitoring_permitted,
    )


@router.get("", name="notices.list", dependencies=[Depends(allow("notices.list"))])
def list_notices(cameras: CamerasDep) -> list[NoticeOut]:
    return [notice(c) for c in cameras.all]


@router.get("/{camera_id}", name="notices.get", dependencies=[Depends(allow("notices.get"))])
def get_notice(cameras: CamerasDep, camera_id: str = CameraId) -> NoticeOut:
    try:
        return notice(cameras.camera(camera_id))
    except KeyError:
        raise NotFound(f"no camera {camera_id!r}") from None
