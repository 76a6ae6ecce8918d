"""The recordings bucket on S3/MinIO through the `minio` SDK (TLS). Synchronous: the service
calls it from worker threads. Layout: see `chain.py`.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED, AndOperator, Filter, Tags
from minio.error import S3Error
from minio.lifecycleconfig import Expiration, LifecycleConfig, NoncurrentVersionExpiration, Rule
from minio.retention import COMPLIANCE, Retention
from minio.versioningconfig import VersioningConfig

from roadcam.common.errors import RoadcamError
from roadcam.common.settings import S3Settings
from services.recorder.chain import SegmentMeta, SegmentName, parse_segment_key
from roadcam.common.s3 import minio_client

log = logging.getLogger(__name__)
RETENTION_CLASSES = (7, 14, 30, 31)  # lifecycle backstops; the sweeper enforces exact days
CLASS_TAG = "retention-class"
WAS_TAG = "retention-class-before-hold"
HELD = "held"  # no lifecycle rule matches it


class StorageError(RoadcamError):
    """The object store refused or could not be reached."""


def retention_class(days: int) -> int:
    """The smallest lifecycle class that never expires footage before `days`."""
    return next(c for c in RETENTION_CLASSES if c >= days) if days <= RETENTION_CLASSES[-1] else RETENTION_CLASSES[-1]


def make_client(s3: S3Settings, secret_key: str, timeout_s: float = 10.0) -> Minio:
    return minio_client(s3, secret_key, timeout_s=timeout_s, sdk_retries=0)  # the service retries with backoff


def lifecycle_rules() -> LifecycleConfig:
    rules = []
    for days in RETENTION_CLASSES:
        for kind, extra in (("segment", 1), ("key", 2)):  # keys outlive their footage by a day
            rules.append(Rule(
                ENABLED, rule_id=f"{kind}-{days}d",
                rule_filter=Filter(and_operator=AndOperator(tags=_tags({CLASS_TAG: f"{kind}-{days}"}))),
                expiration=Expiration(days=days + extra),
                noncurrent_version_expiration=NoncurrentVersionExpiration(noncurrent_days=1),
            ))
    # Chain heads are rewritten per segment: drop their old versions.
    rules.append(Rule(ENABLED, rule_id="heads-old-versions", rule_filter=Filter(prefix="_heads/"),
                      noncurrent_version_expiration=NoncurrentVersionExpiration(noncurrent_days=1)))
    # Anchors outlive the longest footage; object lock keeps each until its own retain-until date.
    rules.append(Rule(ENABLED, rule_id="anchors", rule_filter=Filter(prefix="_anchors/"),
                      expiration=Expiration(days=RETENTION_CLASSES[-1] + 2),
                      noncurrent_version_expiration=NoncurrentVersionExpiration(noncurrent_days=1)))
    return LifecycleConfig(rules)


def _tags(values: dict[str, str]) -> Tags:
    tags = Tags.new_object_tags()
    tags.update(values)
    return tags


class RecordingStore:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client, self.bucket = client, bucket

    def ensure_bucket(self) -> None:
        """Create the bucket with object lock (implies versioning) and the lifecycle rules."""
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket, object_lock=True)
                log.info("created bucket %s with object lock", self.bucket)
            self.client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
            self.client.set_bucket_lifecycle(self.bucket, lifecycle_rules())
        except (S3Error, urllib3.exceptions.HTTPError) as exc:
            raise StorageError(f"bucket {self.bucket}: {exc}") from exc

    # -- generic ----------------------------------------------------------------------------
    def put(self, key: str, data: bytes, headers: dict[str, str] | None = None,
            tag: str | None = None, hold: bool = False) -> None:
        tags = ({CLASS_TAG: HELD, WAS_TAG: tag} if hold else {CLASS_TAG: tag}) if tag else None
        self.client.put_object(
            self.bucket, key, io.BytesIO(data), len(data), metadata=headers or {},
            tags=_tags(tags) if tags else None, legal_hold=hold,
        )

    def put_locked(self, key: str, data: bytes, retain_until: dt.datetime) -> None:
        """A write-once version: object lock in COMPLIANCE mode until `retain_until`."""
        self.client.put_object(self.bucket, key, io.BytesIO(data), len(data),
                               content_type="application/json", retention=Retention(COMPLIANCE, retain_until))

    def versions(self, prefix: str) -> Iterator[Any]:
        """Every version and delete marker under `prefix`, in name order (minio `Object`s)."""
        return self.client.list_objects(self.bucket, prefix=prefix, recursive=True, include_version=True)

    def get_version(self, key: str, version_id: str) -> bytes:
        return self.get(key, version_id)

    def get(self, key: str, version_id: str | None = None) -> bytes:
        response = self.client.get_object(self.bucket, key, version_id=version_id)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def get_optional(self, key: str) -> bytes | None:
        try:
            return self.get(key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchVersion"):
                return None
            raise

    def headers(self, key: str) -> dict[str, str] | None:
        try:
            return dict(self.client.stat_object(self.bucket, key).metadata)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchVersion", "NotFound"):
                return None
            raise

    def names(self, prefix: str, recursive: bool = True) -> Iterator[str]:
        for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=recursive):
            yield obj.object_name

    def names_with_hidden(self, prefix: str) -> list[str]:
        """Object names under `prefix` that have any version, also those hidden behind a delete marker."""
        found = self.client.list_objects(self.bucket, prefix=prefix, recursive=True, include_version=True)
        return sorted({o.object_name for o in found})

    def delete_all_versions(self, key: str) -> int:
        """Remove every version and delete marker of `key`; raises S3Error if one is locked."""
        versions = [o.version_id for o in self.client.list_objects(
            self.bucket, prefix=key, include_version=True) if o.object_name == key]
        for version in versions:
            self.client.remove_object(self.bucket, key, version_id=version)
        return len(versions)

    def set_hold(self, key: str, on: bool) -> None:
        """Object-lock legal hold, plus the retention tag swapped for `held` so lifecycle
        expiry (which would hide the object behind a delete marker) skips it meanwhile."""
        tags = dict(self.client.get_object_tags(self.bucket, key) or {})
        current = tags.get(CLASS_TAG, "")
        if on and current != HELD:
            tags.update({CLASS_TAG: HELD, WAS_TAG: current})
        elif not on and current == HELD:
            tags[CLASS_TAG] = tags.pop(WAS_TAG, "")
        if tags.get(CLASS_TAG, "") != current:
            self.client.set_object_tags(self.bucket, key, _tags({k: v for k, v in tags.items() if v}))
        if on:
            self.client.enable_object_legal_hold(self.bucket, key)
        else:
            self.client.disable_object_legal_hold(self.bucket, key)

    def retention_tag(self, key: str) -> str:
        return dict(self.client.get_object_tags(self.bucket, key) or {}).get(CLASS_TAG, "")

    def is_held(self, key: str) -> bool:
        return self.client.is_object_legal_hold_enabled(self.bucket, key)

    # -- segments ---------------------------------------------------------------------------
    def put_segment(self, meta: SegmentMeta, blob: bytes, retention_days: int, hold: bool) -> None:
        self.put(meta.object_key, blob, meta.to_headers(), f"segment-{retention_class(retention_days)}", hold)

    def segment_meta(self, key: str) -> tuple[SegmentMeta, str] | None:
        headers = self.headers(key)
        return SegmentMeta.from_headers(headers) if headers is not None else None

    def segments(self, camera_id: str, prefix: str) -> list[SegmentName]:
        names = (parse_segment_key(n) for n in self.names(prefix))
        return sorted((n for n in names if n is not None and n.camera_id == camera_id), key=lambda n: n.start_us)

    def cameras(self) -> list[str]:
        return [p.rstrip("/") for p in self.names("", recursive=False) if not p.startswith("_") and p.endswith("/")]

    # -- small JSON documents (heads, holds) -----------------------------------------------------
    def put_json(self, key: str, doc: dict) -> None:
        self.put(key, json.dumps(doc, sort_keys=True).encode(), {"Content-Type": "application/json"})

    def get_json(self, key: str) -> dict | None:
        data = self.get_optional(key)
        return json.loads(data) if data is not None else None
