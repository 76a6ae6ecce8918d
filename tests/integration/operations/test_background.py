"""The api service runs the leak scan and the isolate poll beside its HTTP server (real uvicorn)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import REGISTRY

from services.api.audit_trail import system_record
from services.api.operations.isolation import IsolationState, IsolationStore
from services.api.service import ApiService
from tests.support.services import wait_for
from tests.unit.api.apikit import T0_US, make_api


def test_service_scans_for_leaks_and_follows_the_switch(tmp_path: Path) -> None:
    api = make_api(tmp_path)
    for i in range(11):  # the download limit is 10 an hour
        api.parts.audit.append(system_record("ito", "download", "x", T0_US - i * 60_000_000, "test"))
    app = api.client.app
    settings = api.parts.settings.model_copy(update={"http_host": "127.0.0.1", "http_port": 0})

    async def scenario() -> None:
        stop = asyncio.Event()
        service = ApiService(settings, app, None)
        running = asyncio.create_task(service.run(stop))
        try:
            async def alerted():
                return app.state.ops.leaks.alerts(True)

            async def isolated():
                return REGISTRY.get_sample_value("roadcam_api_isolated") == 1

            assert await wait_for(alerted, timeout=20)
            # another replica flips the row; no request reaches this one, yet its gauge follows
            IsolationStore(api.parts.engine).write(IsolationState(True, T0_US, "boss", "from another replica"))
            assert await wait_for(isolated, timeout=10)
        finally:
            stop.set()
            await running

    asyncio.run(scenario())
    assert [a.rule for a in app.state.ops.leaks.alerts(True)] == ["volume"]
    api.client.close()
    api.parts.engine.dispose()
