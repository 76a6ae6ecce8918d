"""Liveness, readiness and Prometheus metrics (O1)."""
from __future__ import annotations


from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from services.api import metrics as api_metrics
from services.api.alerts import offline_alerts, view_alerts
from services.api.deps import CamerasDep, ClockDep, OperationsDep, ReadinessDep, SettingsDep, ViewHealthDep, allow
from services.api.schemas import ReadyOut

router = APIRouter(tags=["health"])


@router.get("/healthz", name="health.live", dependencies=[Depends(allow("health.live"))])
def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/readyz", name="health.ready", response_model=ReadyOut,
            responses={503: {"model": ReadyOut, "description": "not ready"}},
            dependencies=[Depends(allow("health.ready"))])
def ready(readiness: ReadinessDep, response: Response) -> ReadyOut:
    state = readiness.check()
    response.status_code = 200 if state.ready else 503
    return ReadyOut(ready=state.ready, database=state.database, schema_revision=state.schema_revision,
                    consumers=state.consumers)


@router.get("/metrics", name="health.metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}}, dependencies=[Depends(allow("health.metrics"))])
def metrics(cameras: CamerasDep, operations: OperationsDep, clock: ClockDep, settings: SettingsDep,
            views: ViewHealthDep) -> Response:
    # Offline alerts as a gauge too, so Prometheus/Alertmanager can page on them (O1).
    ids = [c.id for c in cameras.all]
    alerts = offline_alerts(ids, operations.health(), clock.now_us(), settings.offline_after_s)
    alerts += view_alerts(ids, views.current())
    api_metrics.CAMERA_ALERT.clear()
    for alert in alerts:
        api_metrics.CAMERA_ALERT.labels(alert.camera_id, alert.kind).set(1)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


