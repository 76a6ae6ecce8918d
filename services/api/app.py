"""The FastAPI application factory: routes per resource, one error policy, the public page."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api import console, metrics
from services.api.auth.roles import MATRIX, Role
from services.api.operations import install as operations
from services.api.parts import ApiParts
from services.api.readiness import Readiness, always_ready
from services.api.errors import ApiError, StoreError, TooManyAttempts
from services.api.routes import accounts, audit, auth, cameras, counts, docs, health, measures, notices, segments
from services.api.disclosure.routes import routers as disclosure_routers
from services.api.schemas import ErrorOut
from services.api.settings import Settings
from roadcam.common.errors import RoadcamError

log = logging.getLogger(__name__)
ERROR_RESPONSES: dict = {
    status: {"model": ErrorOut, "description": text} for status, text in (
        (400, "malformed request body"), (401, "no or bad credentials"), (403, "the role may not use this endpoint"), (404, "not found"),
        (409, "conflict"), (422, "invalid input; `errors` names the fields"), (429, "too many attempts"),
        (503, "database unavailable"))
}
ROUTERS = (health.router, auth.router, accounts.router, cameras.router, notices.router, counts.router,
           audit.router, segments.router, docs.router, measures.router, *disclosure_routers())


def create_app(settings: Settings, parts: ApiParts | None = None,
               consumers_running: Callable[[], bool] = always_ready) -> FastAPI:
    """`parts` are opened by `services.api.parts.open_parts` unless a test passes its own."""
    if parts is None:
        from services.api.parts import open_parts  # a real database; tests usually pass theirs

        parts = open_parts(settings)
    # No public /docs, /redoc or /openapi.json: the schema is served to signed-in callers only (docs.py).
    app = FastAPI(title="roadcam API", version="1", description=__doc__, openapi_url=None, docs_url=None,
                  redoc_url=None, openapi_tags=[{"name": "counts", "description": "traffic counts (T2)"}])
    app.state.parts = parts  # read one field each by services.api.deps, never handed out whole
    app.state.readiness = Readiness(parts.engine, consumers_running)
    for router in ROUTERS:
        app.include_router(router, responses=ERROR_RESPONSES)
    operations.include_routes(app, ERROR_RESPONSES)
    _include_public(app, settings, parts)
    app.include_router(console.create_router())
    _error_policy(app)
    app.add_middleware(MeasureMiddleware)
    operations.install_gate(app, parts)  # outermost: the isolate switch is checked before anything else
    check_matrix_coverage(app)
    _document_optional_auth(app)
    return app


def _document_optional_auth(app: FastAPI) -> None:
    """Mark endpoints open to the public role as "credentials optional" (`{}`) in the OpenAPI."""
    public = {r.path: r.name for r in own_routes(app) if Role.PUBLIC in MATRIX[r.name]}
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            for path, operations in schema.get("paths", {}).items():
                for op in operations.values():
                    if path in public and isinstance(op, dict) and op.get("security"):
                        op["security"] = [{}, *op["security"]]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _include_public(app: FastAPI, settings: Settings, parts: ApiParts) -> None:
    try:
        from services.api.public import create_router
    except ImportError:
        log.info("public page not installed (services.api.public missing)")
        return
    app.include_router(create_router(settings, parts.cameras))


def _flatten(routes) -> list[APIRoute]:
    # Newer FastAPI keeps included routers as branches (original_router) instead of copying routes.
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _flatten(route.original_router.routes)
    return found


def own_routes(app: FastAPI) -> list[APIRoute]:
    """The api's routes (those every role is checked on): /api/*, /healthz, /readyz, /metrics, /openapi.json."""
    return [r for r in _flatten(app.routes)
            if r.path.startswith("/api/") or r.path in ("/healthz", "/readyz", "/metrics", "/openapi.json")]


def endpoint_id(route: APIRoute) -> str | None:
    for dep in route.dependant.dependencies:
        found = getattr(dep.call, "endpoint_id", None)
        if found:
            return found
    return None


def check_matrix_coverage(app: FastAPI) -> None:
    """Every route must be guarded by `allow(<its name>)`: the matrix is the one place of truth."""
    for route in own_routes(app):
        if endpoint_id(route) != route.name:
            raise RoadcamError(f"route {route.path} ({route.name}) is not guarded by allow({route.name!r})")


def _error_policy(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not request.url.path.startswith("/api/"):  # other routers (the public page) keep FastAPI's shape
            return await request_validation_exception_handler(request, exc)
        errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid input')}" + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")
        return JSONResponse({"detail": message, "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first matching route's methods
            headers["Allow"] = ", ".join(sorted(_methods_for(app, request.url.path)))
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyAttempts) else None
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)

    @app.exception_handler(OperationalError)
    async def db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return JSONResponse({"detail": "database unavailable; try again"}, status_code=503)

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        log.error("store error: %s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=503)


def _methods_for(app: FastAPI, path: str) -> set[str]:
    methods: set[str] = set()
    for route in _flatten(app.routes):
        if route.path_regex.match(path):
            methods |= route.methods or set()
    return methods


class MeasureMiddleware:
    """Request count and latency per endpoint name (plain ASGI: no extra task per request)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def send_status(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            name = getattr(scope.get("route"), "name", None) or "unmatched"
            metrics.REQUESTS.labels(name, str(status[0])).inc()
            metrics.LATENCY.labels(name).observe(time.perf_counter() - started)
