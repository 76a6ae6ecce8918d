"""Every route of the app as a concrete request (path parameters filled in), for the isolate tests."""
from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.routing import Mount, Route

SAMPLE = {"camera": "bridge-1", "camera_id": "bridge-1", "file": "index.m3u8", "path": "roadcam.css"}


def _routes(routes) -> list[Route]:
    found: list[Route] = []
    for route in routes:
        if isinstance(route, Route):
            found.append(route)
        elif isinstance(route, Mount):
            found += _routes(route.routes)
        elif hasattr(route, "original_router"):
            found += _routes(route.original_router.routes)
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE.get(m.group(1), "1"), path)


def every_request(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route, each method; HEAD is covered by GET."""
    out = set()
    for route in _routes(app.routes):
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                out.add((method, concrete(route.path)))
    return sorted(out)
