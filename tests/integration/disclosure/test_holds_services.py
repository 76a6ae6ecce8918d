"""Holds end to end (R4, issue 11 item 2): the api service and the recorder service, each from its own
bootstrap, on a real broker (tansu) and S3 (moto); nothing carried in process.

Registering a request places a preservation hold that travels as a recorder command; the recorder
locks the footage and confirms with its signed audit event; the api and its console show the hold
confirmed. Approval makes it a legal hold; refusal, withdrawal and closing end exactly their own
hold (two requests over the same footage), and the recorder confirms each release. Footage under a
pending request survives the recorder's retention sweep while its unheld neighbours are deleted.
"""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import SecretStr

from roadcam.common.timeutil import now_us
from services.api.bootstrap import bootstrap as api_bootstrap
from services.api.settings import Settings as ApiSettings
from services.recorder.bootstrap import bootstrap as recorder_bootstrap
from services.recorder.chain import DAY_US
from services.recorder.crypto import generate_master_key
from services.recorder.holds import HoldBook
from services.recorder.sweeper import Sweeper
from tests.integration.console.consolekit import csrf_of
from tests.integration.recorder.harness import TEST_AUDIT_MASTER, camera, recorder_settings
from tests.integration.recorder.support import clip_batches, new_store
from tests.integration.recorder.test_store_roundtrip import record
from tests.support.services import running_service, wait_for
from tests.unit.api.apikit import write_config
from tests.unit.disclosure.kit import DOCUMENT_KEY, SIGNING_KEY, police_request

pytestmark = pytest.mark.slow
CAMERA = "bridge-1"
TOKYO = ZoneInfo("Asia/Tokyo")
ADMIN_PASSWORD = "first-manager-password"
OPERATOR_PASSWORD = "operator-password-for-tests"
BUS_S = 120.0  # a round trip api -> bus -> recorder -> S3 -> bus -> api, on a loaded 2-core machine


@dataclass
class Installation:
    client: httpx.AsyncClient
    admin: dict
    operator: dict
    store: object
    keyring: object
    metas: list

    async def post(self, path: str, who: dict, body: dict) -> dict:
        r = await self.client.post(path, json=body, headers=who)
        assert r.status_code in (200, 201), r.text
        return r.json()

    async def holds_of(self, request_id: int) -> list[dict]:
        return (await self.client.get(f"/api/v1/requests/{request_id}", headers=self.admin)).json()["holds"]

    async def until_hold(self, request_id: int, field: str) -> dict:
        """The request's hold once `field` (confirmed, release_confirmed_at) is set by the recorder's event."""
        async def ready():
            hold = (await self.holds_of(request_id))[0]
            return hold if hold[field] else None
        found = await wait_for(ready, BUS_S, 0.3)
        assert found, f"request {request_id}: the recorder never confirmed ({field}): {await self.holds_of(request_id)}"
        return found

    def recorder_holds(self) -> list[str]:
        """The holds the recorder persisted, as a restarted recorder reads them."""
        book = HoldBook(self.store, self.keyring)
        book.load()
        return sorted(h.command_id for h in book.active(CAMERA))

    def held_segments(self) -> list[int]:
        return [i for i in self.stored_segments() if self.store.is_held(self.metas[i].object_key)]

    def stored_segments(self) -> list[int]:
        return [i for i, m in enumerate(self.metas) if self.store.headers(m.object_key) is not None]

    def sweep_a_month_later(self) -> None:
        """The recorder's retention sweeper over the same bucket, its clock 30 days on (7-day retention)."""
        book = HoldBook(self.store, self.keyring)
        book.load()
        later = now_us() + 30 * DAY_US
        Sweeper(self.store, self.keyring, book, {CAMERA: 7}.get, lambda: later).sweep()


def local(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, TOKYO).replace(tzinfo=None).isoformat()


def api_settings(tmp_path: Path, kafka) -> ApiSettings:
    tmp_path.mkdir()
    return ApiSettings(
        config_file=write_config(tmp_path / "cameras.yaml"), kafka=kafka, http_host="127.0.0.1", http_port=0,
        database_url=SecretStr(f"sqlite:///{tmp_path / 'api.sqlite3'}"), jwt_secret=SecretStr("k" * 40),
        group_id="api-holds", session_timeout_ms=2000, bootstrap_manager_password=SecretStr(ADMIN_PASSWORD),
        audit_signing_key=SecretStr(TEST_AUDIT_MASTER.decode()), hold_send_interval_s=0.2,
        document_key=SecretStr(DOCUMENT_KEY), export_signing_key=SecretStr(SIGNING_KEY),
        export_dir=tmp_path / "exports", audit_anchor_dir=tmp_path / "anchors")


async def bearer(client: httpx.AsyncClient, username: str, password: str) -> dict:
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def add_operator(client: httpx.AsyncClient, admin: dict) -> dict:
    expires = (datetime.now(TOKYO) + timedelta(days=1)).replace(tzinfo=None).isoformat(timespec="seconds")
    r = await client.post("/api/v1/accounts", headers=admin, json={
        "username": "op-roads", "password": OPERATOR_PASSWORD, "role": "operator", "departments": ["roads"],
        "expires_at": expires})
    assert r.status_code == 201, r.text
    return await bearer(client, "op-roads", OPERATOR_PASSWORD)


@asynccontextmanager
async def installation(tmp_path: Path, kafka, s3_server, videos: Path) -> AsyncIterator[Installation]:
    """Two hours ago the camera recorded 5 segments; then the recorder and the api start on them."""
    bucket, master = f"holds-{uuid.uuid4().hex[:10]}", generate_master_key()
    store, keyring, _ = new_store(s3_server, bucket=bucket, master_key=master)
    store.ensure_bucket()
    metas = record(store, keyring, clip_batches(videos / "bridge_dense_5s.mp4", CAMERA,
                                                t0_us=now_us() - 2 * 3_600_000_000), camera=CAMERA)
    recorder = recorder_settings(tmp_path, [camera(CAMERA, retention_days=7)], kafka, s3_server, bucket, master)
    async with running_service(recorder_bootstrap, recorder), running_service(
            api_bootstrap, api_settings(tmp_path / "api", kafka)) as api:
        while not (api._server and api._server.started):  # noqa: SLF001 - the bound port exists once serving
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api.port}", timeout=30) as client:
            admin = await bearer(client, "admin", ADMIN_PASSWORD)
            yield Installation(client, admin, await add_operator(client, admin), store, keyring, metas)


async def console_holds_page(base_url: httpx.URL) -> str:
    """/console/holds as the operator sees it, signed in through the real form."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as browser:
        login = await browser.get("/console/login")
        r = await browser.post("/console/login", data={"csrf": csrf_of(login.text), "username": "op-roads",
                                                      "password": OPERATOR_PASSWORD, "next": "/console"})
        assert r.status_code == 303, r.text
        return (await browser.get("/console/holds")).text


async def test_holds_travel_to_the_recorder_and_back(tmp_path: Path, kafka_settings, s3_server, videos) -> None:
    async with installation(tmp_path, kafka_settings, s3_server, videos) as site:
        middle = {"start": local(site.metas[1].start_us + 1), "end": local(site.metas[3].end_us - 1)}
        a, b, c = [(await site.post("/api/v1/requests", site.operator, police_request(**middle)))["id"]
                   for _ in range(3)]  # three requests over the same camera and range
        for request_id in (a, b, c):
            hold = await site.until_hold(request_id, "confirmed")
            assert hold["kind"] == "preservation" and hold["segments"] == 3  # what the recorder locked
        assert site.recorder_holds() == sorted(f"request-{n}-{CAMERA}" for n in (a, b, c))
        page = await console_holds_page(site.client.base_url)
        assert page.count("確認済み（3セグメント）") == 3 and "未確認" not in page
        assert all(f'href="/console/requests/{n}"' in page for n in (a, b, c))

        await asyncio.to_thread(site.sweep_a_month_later)  # pending requests: their footage survives
        assert site.stored_segments() == [1, 2, 3] and site.held_segments() == [1, 2, 3]

        approved = await site.post(f"/api/v1/requests/{a}/decision", site.admin, {"approve": True, "reason": "照会書確認"})
        assert approved["state"] == "approved" and approved["holds"][0]["kind"] == "legal"
        refused = await site.post(f"/api/v1/requests/{b}/decision", site.admin, {"approve": False, "reason": "根拠不足"})
        assert refused["state"] == "refused"
        withdrawn = await site.post(f"/api/v1/requests/{c}/withdraw", site.operator, {"reason": "取下げ"})
        assert withdrawn["state"] == "withdrawn"
        for request_id in (b, c):
            assert (await site.until_hold(request_id, "release_confirmed_at"))["released_at"]
        # each release ended its own hold only: the approved request's footage stays locked
        assert site.recorder_holds() == [f"request-{a}-{CAMERA}"] and site.held_segments() == [1, 2, 3]
        assert (await site.holds_of(a))[0]["release_confirmed_at"] is None

        await site.post(f"/api/v1/requests/{a}/close", site.admin, {"reason": "提供完了"})
        assert (await site.until_hold(a, "release_confirmed_at"))["kind"] == "legal"
        assert site.recorder_holds() == [] and site.held_segments() == []
        await asyncio.to_thread(site.sweep_a_month_later)
        assert site.stored_segments() == []

        audit = (await site.client.get("/api/v1/audit?limit=1000", headers=site.admin)).json()
        recorded = [(e["action"], e["method"]) for e in audit]
        assert recorded.count(("hold", "recorder")) == 3 and recorded.count(("release", "recorder")) == 3
        assert (await site.client.get("/api/v1/audit/verify", headers=site.admin)).json()["ok"] is True
