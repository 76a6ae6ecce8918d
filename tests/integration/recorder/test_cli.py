"""`roadcam recordings verify/export` as an operator runs them, against the local S3."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from services.recorder.crypto import generate_master_key
from tests.integration.recorder.support import SECRET, clip_batches, new_store
from tests.integration.recorder.test_store_roundtrip import CAM, record

pytestmark = pytest.mark.slow


@pytest.fixture
def world(s3_server, videos):
    bucket, master = f"cli-{uuid.uuid4().hex[:10]}", generate_master_key()
    store, keyring, _ = new_store(s3_server, bucket=bucket, master_key=master)
    store.ensure_bucket()
    metas = record(store, keyring, clip_batches(videos / "bridge_dense_5s.mp4", CAM))
    env = {**os.environ, "ROADCAM_SECRETS_DIR": "/nonexistent", "ROADCAM_RECORDER_BUCKET": bucket,
           "ROADCAM_RECORDER_MASTER_KEY": master, "ROADCAM_RECORDER_S3__ENDPOINT": s3_server.endpoint,
           "ROADCAM_RECORDER_S3__CA_FILE": str(s3_server.ca_file), "ROADCAM_RECORDER_S3_SECRET_KEY": SECRET,
           "ROADCAM_RECORDER_S3__ACCESS_KEY": "test"}
    return store, metas, env


def roadcam(env, *args):
    done = subprocess.run([sys.executable, "-m", "roadcam.cli.main", "recordings", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout


def span(metas):
    return ["--from", str(metas[0].start_us), "--to", str(metas[-1].end_us)]


def test_verify_ok_then_tampered_then_missing(world):
    store, metas, env = world
    code, out = roadcam(env, "verify", CAM, *span(metas))
    assert code == 0 and out.strip().endswith(f"{CAM}: OK, 5 segments verified, 0 findings")
    blob = bytearray(store.get(metas[3].object_key))
    blob[100] ^= 0x80
    store.put(metas[3].object_key, bytes(blob), metas[3].to_headers())
    code, out = roadcam(env, "verify", CAM, *span(metas))
    assert code == 1 and f"TAMPERED   {metas[3].object_key}" in out and "TAMPERED," in out
    store.delete_all_versions(metas[1].object_key)
    code, out = roadcam(env, "verify", CAM, *span(metas))
    assert code == 1 and f"MISSING    {metas[2].object_key}" in out


def test_export_without_a_request_is_refused(world, tmp_path):
    # Footage leaves only for an approved request (issue 11); the request path and the audited
    # break-glass read are tested in tests/integration/disclosure/test_cli_export.py.
    _, metas, env = world
    done = subprocess.run([sys.executable, "-m", "roadcam.cli.main", "recordings", "export", CAM, *span(metas),
                           "--out", str(tmp_path / "clip.mp4")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--request" in done.stderr and not (tmp_path / "clip.mp4").exists()


def test_missing_master_key_is_a_clear_error(world):
    _, metas, env = world
    env = {k: v for k, v in env.items() if k != "ROADCAM_RECORDER_MASTER_KEY"}
    done = subprocess.run([sys.executable, "-m", "roadcam.cli.main", "recordings", "verify", CAM, *span(metas)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "master_key is not set" in done.stderr


def test_empty_and_reversed_ranges_are_not_ok(world):
    _, metas, env = world
    code, out = roadcam(env, "verify", CAM, "--from", "2020-01-01T00:00:00", "--to", "2020-01-02T00:00:00")
    assert code == 1 and out.strip().endswith(f"{CAM}: EMPTY, 0 segments verified, 0 findings")
    done = subprocess.run([sys.executable, "-m", "roadcam.cli.main", "recordings", "verify", CAM,
                           "--from", str(metas[-1].end_us), "--to", str(metas[0].start_us)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "must be after --from" in done.stderr
