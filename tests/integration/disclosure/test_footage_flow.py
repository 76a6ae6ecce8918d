"""Holds, exports and links against recorded footage in the local S3 (R4, A4), and the registers (A5)."""
from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from services.api.auth.roles import Role
from services.recorder.sweeper import Sweeper
from services.recorder.chain import DAY_US
from tests.integration.disclosure.flow import CAMERA, deliver_holds, record_footage
from tests.unit.api.apikit import make_api
from tests.unit.disclosure.kit import register

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, s3_server, videos):
    api = make_api(tmp_path)
    footage = record_footage(s3_server, videos)
    footage.setup_api(api, s3_server, tmp_path / "exports")
    api.add_account("op-roads", Role.OPERATOR, departments=("roads",))
    api.add_account("boss", Role.MANAGER)
    yield api, footage
    api.client.close()
    api.parts.engine.dispose()


def middle_range(footage) -> dict:
    """A request for the 2nd-4th segments, as local times without a zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    first, last = footage.metas[1], footage.metas[3]
    iso = lambda us: datetime.fromtimestamp(us / 1e6, tokyo).replace(tzinfo=None).isoformat()  # noqa: E731
    return {"start": iso(first.start_us + 1), "end": iso(last.end_us - 1)}


async def test_pending_request_footage_survives_a_sweep_that_deletes_its_neighbours(world) -> None:
    api, footage = world
    req = register(api, "op-roads", **middle_range(footage))
    assert await deliver_holds(api, footage) == 1
    hold = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("op-roads")).json()["holds"][0]
    assert hold["confirmed"] and hold["segments"] == 3  # the recorder confirmed it, with what it locked
    sweeper = Sweeper(footage.store, footage.keyring, footage.holds, lambda cam: 7, lambda: footage.metas[-1].end_us + 30 * DAY_US)
    sweeper.sweep()
    left = [m.object_key for m in footage.metas if footage.store.headers(m.object_key) is not None]
    assert left == [m.object_key for m in footage.metas[1:4]]  # neighbours 0 and 4 are gone
    # withdrawal releases it, and the recorder confirms the release; the next sweep erases the rest
    api.client.post(f"/api/v1/requests/{req['id']}/withdraw", json={"reason": "取下げ"}, headers=api.headers("op-roads"))
    await deliver_holds(api, footage)
    hold = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("op-roads")).json()["holds"][0]
    assert hold["released_at"] and footage.holds.active(CAMERA) == []
    sweeper.sweep()
    assert all(footage.store.headers(m.object_key) is None for m in footage.metas)


def verify_export(clip: Path, manifest: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "roadcam.cli.main", "verify-export", str(clip), str(manifest)],
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


async def test_approved_export_downloads_once_and_verifies_offline(world, tmp_path: Path) -> None:
    api, footage = world
    req = register(api, "op-roads", **middle_range(footage))
    await deliver_holds(api, footage)
    r = api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "照会書確認"},
                        headers=api.headers("boss"))
    assert r.json()["state"] == "approved"
    exports = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert exports.status_code == 201, exports.text
    link = exports.json()[0]
    package = next((tmp_path / "exports").iterdir())
    assert stat.S_IMODE(package.stat().st_mode) == 0o600 and stat.S_IMODE(package.parent.stat().st_mode) == 0o700
    first = api.client.get(link["download_url"])
    assert first.status_code == 200 and not package.exists()  # the package leaves with its one download
    assert api.client.get(link["download_url"]).status_code == 410  # second use refused
    with zipfile.ZipFile(io.BytesIO(first.content)) as z:
        z.extractall(tmp_path / "got")
    clip = tmp_path / "got" / f"request-{req['id']}-{CAMERA}.mp4"
    manifest = clip.with_name(clip.stem + ".manifest.json")
    doc = json.loads(manifest.read_text())
    assert doc["request_id"] == req["id"] and doc["approved_by"] == ["boss"] and doc["exported_by"] == "op-roads"
    assert len(doc["segments"]) == 3 and doc["exported_at"].endswith("+09:00")
    code, out = verify_export(clip, manifest)
    assert code == 0 and out.startswith("OK"), out
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0x01
    clip.write_bytes(bytes(data))
    code, out = verify_export(clip, manifest)
    assert code == 1 and "clip changed" in out
    state = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("boss")).json()["state"]
    assert state == "fulfilled"
    actions = [e["action"] for e in api.client.get("/api/v1/audit?limit=1000", headers=api.headers("boss")).json()]
    for step in ("request_registered", "hold_requested", "hold", "request_approved", "legal_hold", "export_created",
                 "export_downloaded", "export_link_refused"):
        assert step in actions, step
    assert api.client.get("/api/v1/audit/verify", headers=api.headers("boss")).json()["ok"] is True
