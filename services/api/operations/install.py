"""Wires the operations package into the api app: its parts, routes, the isolate gate, the leak scan."""
from __future__ import annotations

from fastapi import FastAPI

from services.api.operations import routes_admin, routes_complaints, routes_rules
from services.api.operations.gate import IsolateGate
from services.api.operations.parts import open_operations
from services.api.parts import ApiParts

ROUTERS = (routes_admin.router, routes_complaints.router, routes_rules.router)
LEAK_SCAN_S = 30.0


def include_routes(app: FastAPI, responses: dict) -> None:
    for router in ROUTERS:
        app.include_router(router, responses=responses)


def install_gate(app: FastAPI, parts: ApiParts) -> None:
    """Call last in create_app: the gate must be the outermost middleware, in front of everything."""
    ops = app.state.ops = open_operations(parts)
    app.add_middleware(IsolateGate, switch=ops.switch, managers=ops.managers, key_uses=ops.key_uses,
                       now_us=parts.clock.now_us)
    # Background work the api service starts beside the HTTP server (ApiService.run).
    background = getattr(app.state, "background", {})
    background["leak-scan"] = lambda: ops.leaks.run(LEAK_SCAN_S)
    background["isolate-poll"] = lambda: ops.switch.run()  # keeps the gauge current on an idle replica
    app.state.background = background
