"""`roadcam recordings export|break-glass` and `roadcam verify-export` as an operator runs them."""
from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roadcam.common.timeutil import now_us
from services.api.auth.roles import Role
from services.api.store.audit import AuditFilter
from tests.integration.disclosure.flow import CAMERA, record_footage
from tests.integration.disclosure.test_footage_flow import middle_range
from tests.integration.recorder.support import SECRET, frame_hashes
from tests.unit.api.apikit import make_api
from tests.unit.disclosure.kit import DOCUMENT_KEY, SIGNING_KEY, register

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, s3_server, videos):
    api = make_api(tmp_path)
    footage = record_footage(s3_server, videos)
    footage.setup_api(api, s3_server, tmp_path / "exports")
    # The command line runs on the wall clock, the api under test on its own: accounts valid for both.
    api.add_account("op-roads", Role.OPERATOR, departments=("roads",), expires_us=now_us() + 86_400_000_000)
    api.add_account("boss", Role.MANAGER)
    storage = {"S3__ENDPOINT": s3_server.endpoint, "S3__CA_FILE": str(s3_server.ca_file), "S3__ACCESS_KEY": "test",
               "S3_SECRET_KEY": SECRET, "MASTER_KEY": footage.master}
    env = {**os.environ, "ROADCAM_SECRETS_DIR": "/nonexistent", "ROADCAM_RECORDER_BUCKET": footage.bucket,
           **{f"ROADCAM_RECORDER_{k}": v for k, v in storage.items()},
           **{f"ROADCAM_API_{k}": v for k, v in storage.items()},
           "ROADCAM_API_RECORDINGS_BUCKET": footage.bucket, "ROADCAM_API_DATABASE_URL": f"sqlite:///{tmp_path / 'api.sqlite3'}",
           "ROADCAM_API_CONFIG_FILE": str(tmp_path / "cameras.yaml"), "ROADCAM_API_JWT_SECRET": "x" * 40,
           "ROADCAM_API_DOCUMENT_KEY": DOCUMENT_KEY, "ROADCAM_API_EXPORT_SIGNING_KEY": SIGNING_KEY,
           "ROADCAM_API_EXPORT_DIR": str(tmp_path / "exports")}
    yield api, footage, env
    api.client.close()
    api.parts.engine.dispose()


def roadcam(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "roadcam.cli.main", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_export_needs_a_request_id_and_runs_the_api_path(world, tmp_path: Path) -> None:
    api, footage, env = world
    refused = roadcam(env, "recordings", "export", "--as", "op-roads", "--out", str(tmp_path / "out"))
    assert refused.returncode == 2 and "--request" in refused.stderr
    req = register(api, "op-roads", **middle_range(footage))
    pending = roadcam(env, "recordings", "export", "--request", str(req["id"]), "--as", "op-roads", "--out", str(tmp_path / "out"))
    assert pending.returncode == 2 and "only an approved data provision" in pending.stderr
    api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "照会書確認"},
                    headers=api.headers("boss"))
    done = roadcam(env, "recordings", "export", "--request", str(req["id"]), "--as", "op-roads", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    package = tmp_path / "out" / f"request-{req['id']}-{CAMERA}.zip"
    assert stat.S_IMODE(package.stat().st_mode) == 0o600
    with zipfile.ZipFile(io.BytesIO(package.read_bytes())) as z:
        z.extractall(tmp_path / "x")
    clip = tmp_path / "x" / f"request-{req['id']}-{CAMERA}.mp4"
    check = roadcam(env, "verify-export", str(clip), str(clip.with_name(clip.stem + ".manifest.json")))
    assert check.returncode == 0, check.stdout
    actions = [(e.record.actor, e.record.action) for e in api.parts.audit.entries(AuditFilter())]
    assert ("op-roads", "export_created") in actions and any(a == "export_downloaded" for _, a in actions)


def test_break_glass_is_audited_before_reading_and_writes_private_files(world, tmp_path: Path, videos) -> None:
    api, footage, env = world
    tokyo = ZoneInfo("Asia/Tokyo")
    local = lambda us: datetime.fromtimestamp(us / 1e6, tokyo).replace(tzinfo=None).isoformat()  # noqa: E731
    span = ["--from", local(footage.metas[0].start_us), "--to", local(footage.metas[-1].end_us)]  # local, no zone
    out = tmp_path / "glass.mp4"
    by_operator = roadcam(env, "recordings", "break-glass", CAMERA, *span, "--out", str(out), "--as", "op-roads",
                          "--reason", "api database down, court order 2026-7")
    assert by_operator.returncode == 2 and "needs manager" in by_operator.stderr and not out.exists()
    done = roadcam(env, "recordings", "break-glass", CAMERA, *span, "--out", str(out), "--as", "boss",
                   "--reason", "api database down, court order 2026-7")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.with_suffix(".manifest.json").stat().st_mode) == 0o600
    assert frame_hashes(out) == frame_hashes(videos / "bridge_dense_5s.mp4")  # local times read right (not UTC)
    glass = [e.record for e in api.parts.audit.entries(AuditFilter(action="break_glass"))]
    assert [r.details["stage"] for r in glass] == ["before reading", "written"]
    assert glass[0].actor == "boss" and glass[0].camera_id == CAMERA and "court order" in glass[0].reason
    assert api.parts.audit.verify().ok
