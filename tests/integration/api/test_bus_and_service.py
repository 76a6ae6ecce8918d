"""The api service end to end: real Kafka (tansu), uvicorn on a real port, replay from scratch."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from services.api.bootstrap import bootstrap
from services.api.messages import TOPICS
from services.api.settings import Settings
from roadcam.common.bus import BusProducer, wait_for_topics
from roadcam.common.settings import KafkaSettings
from roadcam.devstack.processes import port_open, spawn
from roadcam.common.devhooks import StackInfo
from roadcam.devstack.stack import service_env
from tests.unit.api import busdata
from tests.unit.api.apikit import T0_US, write_config

pytestmark = pytest.mark.slow
PASSWORD = "first-manager-password"


def api_settings(tmp_path: Path, kafka: KafkaSettings, group: str) -> Settings:
    return Settings(config_file=write_config(tmp_path / "cameras.yaml"), kafka=kafka,
                    database_url=SecretStr(f"sqlite:///{tmp_path / 'api.sqlite3'}"), jwt_secret=SecretStr("k" * 40),
                    http_host="127.0.0.1", http_port=0, group_id=group, session_timeout_ms=2000,
                    bootstrap_manager_password=SecretStr(PASSWORD),
                    audit_signing_key=SecretStr(busdata.AUDIT_MASTER.decode()))


async def publish(kafka: KafkaSettings, records) -> None:
    producer = BusProducer(kafka, None, client_id="test")
    await producer.start()
    try:
        for r in records:
            await producer.send(r.topic, r.key, r.value)
        await producer.flush()
    finally:
        await producer.stop()


def table_sizes(client: httpx.Client, headers: dict) -> tuple[int, int, int, int]:
    audit = client.get("/api/v1/audit", params={"action": "view"}, headers=headers).json()
    live = client.get("/api/v1/counts/live", params={"minutes": 1440}, headers=headers).json()["rows"]
    cams = client.get("/api/v1/cameras", headers=headers).json()
    segs = client.get("/api/v1/segments", params={"start": "2026-05-31T00:00:00", "end": "2026-06-02T00:00:00"},
                      headers=headers).json()
    return len(audit), sum(r["count"] for r in live), sum(c["health"] is not None for c in cams), len(segs)


async def consume_until(settings: Settings, want: tuple[int, int, int, int], deadline_s: float = 60) -> tuple:
    stop = asyncio.Event()
    async with bootstrap(settings, clock_us=lambda: T0_US + 60_000_000) as service:  # the test data's day
        task = asyncio.create_task(service.run(stop))
        while not (service._server and service._server.started):  # noqa: SLF001
            await asyncio.sleep(0.05)
        base = f"http://127.0.0.1:{service.port}"
        seen: tuple = ()
        async with asyncio.timeout(deadline_s):
            while seen != want:
                seen = await asyncio.to_thread(_sizes, base)
                if seen != want:
                    await asyncio.sleep(0.3)
        await asyncio.sleep(1.0)  # anything extra (a duplicate) would land now
        seen = await asyncio.to_thread(_sizes, base)
        ready = service.ready()
        stop.set()
        await task
    return seen, ready


def _sizes(base: str) -> tuple:
    with httpx.Client(base_url=base, timeout=10) as client:
        token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
        return table_sizes(client, {"Authorization": f"Bearer {token}"})


def batch(tag: str, n: int):
    return ([busdata.crossing("bridge-1", T0_US + i) for i in range(n)]
            + [busdata.health("bridge-1", T0_US + n), busdata.segment("bridge-1", T0_US, n)]
            + [busdata.audit(f"{tag}-{i}", T0_US + i) for i in range(n)])


async def test_consumes_and_a_full_replay_changes_nothing(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    await wait_for_topics(kafka_settings, None, TOPICS)
    await publish(kafka_settings, batch("a", 3))
    seen, ready = await consume_until(api_settings(tmp_path, kafka_settings, "g1"), (3, 3, 1, 1))
    assert seen == (3, 3, 1, 1) and ready[0] is True
    # A new consumer group re-reads every topic from the start into the same database.
    await publish(kafka_settings, [busdata.audit("marker", T0_US + 50), busdata.crossing("bridge-2", T0_US + 50)])
    seen, _ = await consume_until(api_settings(tmp_path, kafka_settings, "g2"), (4, 4, 1, 1))
    assert seen == (4, 4, 1, 1)


def test_roadcam_up_starts_the_api(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    """`python -m services.api` with the environment `roadcam up` gives it (devstack hook included)."""
    (tmp_path / "secrets").mkdir()
    infra = StackInfo(str(tmp_path), str(write_config(tmp_path / "cameras.yaml")), kafka_settings.bootstrap_servers,
                      "redis://127.0.0.1:1/0", "127.0.0.1:1", "")
    env, _ = service_env("api", infra, health_port=0)
    env["ROADCAM_API_SESSION_TIMEOUT_MS"] = "2000"
    port = int(env["ROADCAM_API_HTTP_PORT"])
    assert env["ROADCAM_API_PUBLIC_URL"] == f"http://127.0.0.1:{port}/"
    child = spawn("api", [sys.executable, "-m", "services.api"], tmp_path / "logs", env=env,
                  ready=lambda: port_open(port), timeout=60)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.get("/api/v1/notices/bridge-1").json()["operator"] == "群馬県 県土整備部"
            password = (tmp_path / "api-manager-password.txt").read_text().strip()
            r = client.post("/api/v1/auth/token", json={"username": "admin", "password": password})
            assert r.status_code == 200
        assert (tmp_path / "api.sqlite3").exists()
    finally:
        child.stop()
    assert child.process.returncode == 0, (tmp_path / "logs" / "api.log").read_text()[-2000:]
