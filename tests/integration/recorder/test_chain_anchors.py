"""The chain head's write-once anchors: truncating the chain and rewinding the head is detected."""
from __future__ import annotations

import io
import json

import pytest
from minio.error import S3Error
from prometheus_client import REGISTRY

from services.recorder.anchors import ANCHOR_PREFIX, anchor_key
from services.recorder.integrity import IntegrityCheck
from services.recorder.sealer import ChainHead, head_key
from services.recorder.verify import verify_range
from tests.integration.recorder.test_store_roundtrip import CAM, recorded  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


def truncate(store, metas, keep: int) -> None:
    """What an intruder with the recorder's S3 rights does: drop the last segments, rewind the head."""
    for meta in metas[keep:]:
        store.delete_all_versions(meta.object_key)
    store.delete_all_versions(head_key(CAM))
    store.put_json(head_key(CAM), ChainHead.of(metas[keep - 1]).__dict__)


def test_truncated_chain_with_rewound_head_fails_verify(recorded):
    store, keyring, _, metas = recorded
    assert verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us).status == "OK"
    truncate(store, metas, keep=3)
    report = verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us)
    assert report.status == "INCOMPLETE", report.findings
    assert [(f.kind, f.object_key) for f in report.findings] == [("missing", metas[2].object_key)]
    assert metas[-1].object_key in report.findings[0].detail


def test_anchors_are_write_once_and_survive_delete_markers(recorded):
    store, keyring, _, metas = recorded
    newest = anchor_key(CAM, metas[-1].end_us)
    assert store.client.stat_object(store.bucket, newest).metadata["x-amz-object-lock-mode"] == "COMPLIANCE"
    versions = [v for v in store.versions(ANCHOR_PREFIX) if v.object_name == newest]
    with pytest.raises(S3Error):  # compliance mode: no one deletes a version before it expires
        store.client.remove_object(store.bucket, newest, version_id=versions[0].version_id)
    truncate(store, metas, keep=4)
    for name in store.names(f"{ANCHOR_PREFIX}{CAM}/"):
        store.client.remove_object(store.bucket, name)  # allowed: only hides them behind markers
    assert not list(store.names(ANCHOR_PREFIX))
    report = verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us)
    assert [f.kind for f in report.findings] == ["missing"], report.findings


def test_a_forged_anchor_is_reported_not_trusted(recorded):
    store, keyring, _, metas = recorded
    later = metas[-1].end_us + 10_000_000
    fake = {"camera_id": CAM, "end_us": metas[2].end_us, "chain_hash": metas[2].chain_hash,
            "object_key": metas[2].object_key}  # an older head under a newer name
    data = json.dumps(fake).encode()
    store.client.put_object(store.bucket, anchor_key(CAM, later), io.BytesIO(data), len(data))
    truncate(store, metas, keep=3)
    report = verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us)
    assert report.status == "TAMPERED" and report.findings[0].detail.endswith("(forged)")


async def test_scheduled_integrity_check_reports_truncation_as_metrics(recorded):
    store, keyring, _, metas = recorded
    check = IntegrityCheck(store, keyring, [CAM, "cam-idle"], window_s=3600, interval_s=3600,
                           clock=lambda: metas[-1].end_us + 60_000_000)
    assert await check.check_once() == {CAM: "OK", "cam-idle": "EMPTY"}
    assert sample("roadcam_recorder_verify_ok", {"camera": CAM}) == 1
    assert sample("roadcam_recorder_verify_ok", {"camera": "cam-idle"}) == 1  # nothing recorded is no damage
    truncate(store, metas, keep=3)
    assert (await check.check_once())[CAM] == "INCOMPLETE"
    assert sample("roadcam_recorder_verify_ok", {"camera": CAM}) == 0
    assert sample("roadcam_recorder_verify_findings", {"camera": CAM, "kind": "missing"}) == 1
    assert sample("roadcam_recorder_verify_last_run_timestamp_seconds", {"camera": CAM}) > 0


def sample(name: str, labels: dict[str, str]) -> float | None:
    return REGISTRY.get_sample_value(name, labels)
