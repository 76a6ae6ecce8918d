"""The isolate gate (O2): an ASGI middleware in front of every route of the api process.

While isolated, only managers get through: every other caller (public pages and HLS, open data,
exports and download links, other users' tokens, sessions and API keys) is refused: 401 without
credentials, 403 for a signed-in account of another role, both with `X-Roadcam-Isolated: 1`. Because it sits
in front of routing, a route added later is covered without listing it. What stays open is listed
in `OPEN_WHILE_ISOLATED` (probes, and what a manager needs to sign in); a sign-in post passes only
when it names a manager account.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

import anyio.to_thread

from services.api.operations import metrics
from services.api.operations.callers import Caller, KeyUses, ManagerCheck, sign_in_name
from services.api.operations.isolation import IsolationSwitch

log = logging.getLogger(__name__)
# (method or "*", exact path or prefix ending in "/"): no footage, no data, nothing but getting a manager in.
OPEN_WHILE_ISOLATED = (("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/console/login"),
                       ("GET", "/console/static/"), ("POST", "/console/logout"))
SIGN_IN = (("POST", "/api/v1/auth/token"), ("POST", "/console/login"))
MAX_SIGN_IN_BODY = 16_384
REFUSED = json.dumps({"detail": "access is suspended (isolate switch on, O2); only managers may sign in"}).encode()


def open_while_isolated(method: str, path: str) -> bool:
    return any(m in ("*", method) and (path == p or (p.endswith("/") and path.startswith(p)))
               for m, p in OPEN_WHILE_ISOLATED)


class IsolateGate:
    def __init__(self, app, switch: IsolationSwitch, managers: ManagerCheck, key_uses: KeyUses | None,
                 now_us: Callable[[], int]) -> None:
        self.app, self._switch, self._managers, self._keys, self._now_us = app, switch, managers, key_uses, now_us

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        await self._note_key_use(scope, headers)
        if self._switch.stale():
            await anyio.to_thread.run_sync(self._switch.refresh)
        if not self._switch.isolated:
            await self.app(scope, receive, send)
            return
        method, path = scope.get("method", "GET"), scope.get("path", "")
        if open_while_isolated(method, path):
            await self.app(scope, receive, send)
            return
        if (method, path) in SIGN_IN:
            await self._sign_in(scope, receive, send, headers)
            return
        caller = await anyio.to_thread.run_sync(self._managers, headers, self._now_us())
        if caller is Caller.MANAGER:
            await self.app(scope, receive, send)
            return
        await refuse(scope, send, 403 if caller is Caller.SIGNED_IN else 401)

    async def _sign_in(self, scope, receive, send, headers: dict[str, str]) -> None:
        """Read the (small) body, let it through only if it names a manager, then replay it."""
        body, more = b"", True
        while more and len(body) <= MAX_SIGN_IN_BODY:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        name = sign_in_name(headers.get("content-type", ""), body) if not more else ""
        if not name or not await anyio.to_thread.run_sync(self._managers.named_manager, name, self._now_us()):
            await refuse(scope, send, 401)
            return
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _note_key_use(self, scope, headers: dict[str, str]) -> None:
        key = headers.get("x-api-key")
        address = (scope.get("client") or ("", 0))[0]
        if key and self._keys is not None and self._keys.is_new(key, address):
            await anyio.to_thread.run_sync(self._keys.record, key, address, self._now_us())


async def refuse(scope, send, status: int) -> None:
    """401 without a manager's credentials, 403 for another role; the header tells it is the switch."""
    metrics.ISOLATE_REFUSED.inc()
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"cache-control", b"no-store"), (b"x-roadcam-isolated", b"1"), (b"content-length", str(len(REFUSED)).encode())]})
    await send({"type": "http.response.body", "body": REFUSED})
