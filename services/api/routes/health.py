"""Liveness, readiness and Prometheus metrics (O1)."""
from __future__ import annotations


from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from services.api import metrics as api_metrics
from services.api.alerts import offline_alerts
from services.api.db.engine import head_revision, schema_revision
from services.api.deps import Ctx, allow
from services.api.schemas import ReadyOut

router = APIRouter(tags=["health"])


@router.get("/healthz", name="health.live", dependencies=[Depends(allow("health.live"))])
def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/readyz", name="health.ready", response_model=ReadyOut,
            responses={503: {"model": ReadyOut, "description": "not ready"}},
            dependencies=[Depends(allow("health.ready"))])
def ready(ctx: Ctx, response: Response) -> ReadyOut:
    try:
        revision, database = schema_revision(ctx.engine), "ok"
    except SQLAlchemyError as exc:
        revision, database = None, f"unreachable: {type(exc).__name__}"
    consumers = ctx.consumer_ready()
    ok = revision == head_revision() and consumers
    if database == "ok" and revision != head_revision():
        database = f"schema at {revision}, expected {head_revision()}"
    response.status_code = 200 if ok else 503
    return ReadyOut(ready=ok, database=database, schema_revision=revision, consumers=consumers)


@router.get("/metrics", name="health.metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}}, dependencies=[Depends(allow("health.metrics"))])
def metrics(ctx: Ctx) -> Response:
    # Offline alerts as a gauge too, so Prometheus/Alertmanager can page on them (O1).
    alerts = offline_alerts([c.id for c in ctx.config.cameras], ctx.operations.health(), ctx.clock_us(),
                            ctx.settings.offline_after_s)
    api_metrics.CAMERA_ALERT.clear()
    for alert in alerts:
        api_metrics.CAMERA_ALERT.labels(alert.camera_id, alert.kind).set(1)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


