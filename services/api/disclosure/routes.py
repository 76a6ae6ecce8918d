"""The disclosure routers, in the order create_app includes them."""
from __future__ import annotations


def routers() -> tuple:
    from services.api.disclosure import routes_holds, routes_registers, routes_requests

    return routes_requests.router, routes_holds.router, routes_registers.router
