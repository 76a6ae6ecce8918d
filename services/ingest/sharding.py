"""Which ingest replica pulls which camera: a stable hash of the camera id, modulo replicas.

Every replica reads the same configuration and keeps the cameras whose shard is its own ordinal
(ROADCAM_INGEST_SHARD_INDEX of ROADCAM_INGEST_SHARD_COUNT, from the StatefulSet). Adding a camera
never moves another; changing the replica count re-spreads them, and each camera is then briefly
offline while the new owner connects.
"""
from __future__ import annotations

import hashlib


def shard_of(camera_id: str, shard_count: int) -> int:
    digest = hashlib.sha256(camera_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % shard_count


def owns(camera_id: str, shard_index: int, shard_count: int) -> bool:
    return shard_of(camera_id, shard_count) == shard_index
