"""Anchors of the audit chain head kept outside the database (A2).

Someone who can write the database can delete the newest entries and rewind `audit_head`; the
chain then still verifies. So the head (seq, hash) is also written, at intervals and after every
sensitive action, where the database cannot reach: a write-once object under S3 object lock
(COMPLIANCE mode), or write-once files in a separate directory for a single host. `verify`
checks the chain against the newest anchor.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
PREFIX = "audit-anchors/"
SENSITIVE = frozenset({"config_change", "view", "export", "download", "release", "hold", "delete", "key_destroyed",
                       "segments_listed", "audit_read", "isolate", "lift"})


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    time_us: int

    def to_json(self) -> bytes:
        return json.dumps({"seq": self.seq, "hash": self.hash, "time_us": self.time_us}).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Anchor:
        d = json.loads(raw)
        return cls(int(d["seq"]), str(d["hash"]), int(d["time_us"]))


class AnchorStore(Protocol):
    def put(self, anchor: Anchor) -> None: ...
    def latest(self) -> Anchor | None: ...


def _name(seq: int) -> str:
    return f"{seq:020d}.json"  # fixed width: name order = seq order


class DirectoryAnchors:
    """Write-once files (created exclusively, read-only): for one host, on a separate mount."""

    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, anchor: Anchor) -> None:
        try:
            fd = os.open(self._dir / _name(anchor.seq), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        except FileExistsError:
            return  # this head is anchored already
        with os.fdopen(fd, "wb") as f:
            f.write(anchor.to_json())

    def latest(self) -> Anchor | None:
        names = sorted(p.name for p in self._dir.glob("*.json"))
        return Anchor.from_json((self._dir / names[-1]).read_bytes()) if names else None


class S3Anchors:
    """Objects under object lock in COMPLIANCE mode: nobody, not even the bucket owner, deletes them early."""

    def __init__(self, client, bucket: str, retain_days: int = 3650) -> None:
        self._client, self._bucket, self._retain_days = client, bucket, retain_days

    def ensure_bucket(self) -> None:
        if not self._client.bucket_exists(self._bucket):
            self._client.make_bucket(self._bucket, object_lock=True)

    def put(self, anchor: Anchor) -> None:
        from minio.retention import COMPLIANCE, Retention

        until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=self._retain_days)
        data = anchor.to_json()
        self._client.put_object(self._bucket, PREFIX + _name(anchor.seq), io.BytesIO(data), len(data),
                                content_type="application/json", retention=Retention(COMPLIANCE, until))

    def latest(self) -> Anchor | None:
        names = [o.object_name for o in self._client.list_objects(self._bucket, prefix=PREFIX)]
        if not names:
            return None
        response = self._client.get_object(self._bucket, max(names))
        try:
            return Anchor.from_json(response.read())
        finally:
            response.close()
            response.release_conn()


@dataclass(frozen=True)
class AnchorPolicy:
    """When to anchor: after a sensitive action, or once `every` entries were added since the last."""

    every: int = 100

    def due(self, actions: set[str], seq: int, last_anchored: int) -> bool:
        return bool(actions & SENSITIVE) or seq - last_anchored >= self.every
