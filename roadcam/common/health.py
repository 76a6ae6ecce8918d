"""A tiny HTTP endpoint for probes and Prometheus: /healthz, /readyz, /metrics.

Kept dependency-free (plain asyncio) so every service, not only the api, can expose it.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

log = logging.getLogger(__name__)

# A readiness check returns (ready, details). Details are shown in /readyz as JSON.
ReadinessCheck = Callable[[], tuple[bool, dict]]


class HealthServer:
    def __init__(self, host: str, port: int, readiness: ReadinessCheck) -> None:
        self._host, self._port = host, port
        self._readiness = readiness
        self._server: asyncio.AbstractServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self._host, self._port)
        log.info("health endpoint on http://%s:%d", self._host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _respond(self, path: str) -> tuple[int, str, bytes]:
        if path == "/healthz":
            return 200, "application/json", b'{"status": "alive"}'
        if path == "/readyz":
            ready, details = self._readiness()
            body = json.dumps({"ready": ready, **details}, default=str).encode()
            return (200 if ready else 503), "application/json", body
        if path == "/metrics":
            return 200, CONTENT_TYPE_LATEST, generate_latest(REGISTRY)
        return 404, "text/plain", b"not found"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            parts = request.split(b" ", 2)
            path = parts[1].decode("latin-1").split("?")[0] if len(parts) > 1 else "/"
            status, ctype, body = self._respond(path)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
            status, ctype, body = 400, "text/plain", b"bad request"
        head = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        try:
            writer.write(head.encode() + body)
            await writer.drain()
        finally:
            writer.close()
