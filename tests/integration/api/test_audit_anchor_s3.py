"""Audit chain anchors as write-once objects under S3 object lock (moto over TLS)."""
from __future__ import annotations

import uuid

import pytest
from minio.error import S3Error

from roadcam.common.s3 import minio_client
from roadcam.common.settings import S3Settings
from services.api.audit_anchor import PREFIX, Anchor, S3Anchors

pytestmark = pytest.mark.slow


def test_anchors_are_locked_and_the_newest_is_found(s3_server) -> None:
    client = minio_client(S3Settings(endpoint=s3_server.endpoint, ca_file=s3_server.ca_file, access_key="test"),
                          "test-secret", timeout_s=3)
    anchors = S3Anchors(client, f"anchors-{uuid.uuid4().hex[:10]}")
    anchors.ensure_bucket()
    assert anchors.latest() is None
    for seq in (9, 10, 120):
        anchors.put(Anchor(seq, f"{seq:064x}", seq * 1000))
    assert anchors.latest() == Anchor(120, f"{120:064x}", 120_000)
    name = f"{PREFIX}{120:020d}.json"
    version = client.stat_object(anchors._bucket, name).version_id  # noqa: SLF001
    with pytest.raises(S3Error):  # COMPLIANCE mode: not even the owner deletes it early
        client.remove_object(anchors._bucket, name, version_id=version)  # noqa: SLF001
