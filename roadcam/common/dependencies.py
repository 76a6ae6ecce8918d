"""Honest readiness: what a service depends on (bus, Redis, object storage), probed in the background.

`roadcam.common.runner.serve` creates one `Dependencies` per service process and makes it current
while the service is wired; `roadcam.common.wiring` adds a probe for each adapter it opens. /readyz
is then ready only while the service itself is ready *and* every dependency answered its last probe.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[object]]  # raises (or times out) when the dependency is unusable
_CURRENT: ContextVar["Dependencies | None"] = ContextVar("roadcam_dependencies", default=None)


class Dependencies:
    def __init__(self, interval_s: float = 2.0, timeout_s: float = 2.0) -> None:
        self.interval_s, self.timeout_s = interval_s, timeout_s
        self._probes: dict[str, Probe] = {}
        self._state: dict[str, str] = {}
        self._since: dict[str, float] = {}

    def add(self, name: str, probe: Probe) -> None:
        self._probes[name] = probe
        self._state.setdefault(name, "unchecked")

    async def check_once(self) -> None:
        for name, probe in list(self._probes.items()):
            try:
                await asyncio.wait_for(probe(), self.timeout_s)
                state = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure of a probe means "not usable"
                state = f"unreachable: {type(exc).__name__}: {exc}"[:200]
            if state != self._state.get(name):
                log.log(logging.INFO if state == "ok" else logging.WARNING, "dependency %s: %s", name, state)
                self._since[name] = time.time()
            self._state[name] = state

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.check_once()
            try:
                await asyncio.wait_for(stop.wait(), self.interval_s)
            except asyncio.TimeoutError:
                pass

    def snapshot(self) -> tuple[bool, dict[str, str]]:
        return all(s == "ok" for s in self._state.values()), dict(self._state)


def current_dependencies() -> Dependencies | None:
    """The dependencies of the service being wired in this task (None outside `serve`)."""
    return _CURRENT.get()


def use_dependencies(dependencies: Dependencies):
    """Make `dependencies` current for this task; returns the token to reset it with."""
    return _CURRENT.set(dependencies)


def reset_dependencies(token) -> None:
    _CURRENT.reset(token)


def tcp_probe(servers: str) -> Probe:
    """Connects to any of `host:port[,host:port...]` (e.g. Kafka bootstrap servers)."""
    addresses = [s.strip().rsplit(":", 1) for s in servers.split(",") if s.strip()]

    async def probe() -> None:
        errors = []
        for host, port in addresses:
            try:
                _, writer = await asyncio.open_connection(host, int(port))
            except OSError as exc:
                errors.append(f"{host}:{port} {exc.strerror or exc}")
                continue
            writer.close()
            return
        raise ConnectionError("; ".join(errors) or "no servers")

    return probe
