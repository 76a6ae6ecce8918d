"""Where HLS segments and playlists go: object storage (S3) behind the ObjectSink protocol."""
from __future__ import annotations

import asyncio
import io
import logging
from typing import Protocol

from roadcam.common.errors import RoadcamError
from roadcam.common.s3 import minio_client

log = logging.getLogger(__name__)


class PublishError(RoadcamError):
    """A segment or playlist could not be written to object storage."""


class ObjectSink(Protocol):
    async def put(self, key: str, data: bytes, content_type: str, cache_control: str) -> None: ...

    async def delete(self, key: str) -> None: ...


def hls_prefix(camera_id: str) -> str:
    return f"hls/{camera_id}/"


class S3Sink:
    """A minio client (sync) used from worker threads; creates the public bucket if missing."""

    def __init__(self, client, bucket: str) -> None:
        self._client, self._bucket = client, bucket
        self._checked = False

    async def put(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        def _put() -> None:
            if not self._checked:
                if not self._client.bucket_exists(self._bucket):
                    self._client.make_bucket(self._bucket)
                self._checked = True
            self._client.put_object(self._bucket, key, io.BytesIO(data), len(data), content_type=content_type,
                                    metadata={"Cache-Control": cache_control})
        try:
            await asyncio.to_thread(_put)
        except Exception as exc:  # noqa: BLE001 - minio/urllib3 errors are untyped here
            raise PublishError(f"cannot write s3://{self._bucket}/{key}: {exc}") from exc

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._client.remove_object, self._bucket, key)
        except Exception as exc:  # noqa: BLE001 - a stale old segment is harmless
            log.warning("cannot delete s3://%s/%s: %s", self._bucket, key, exc)


def make_minio(s3, secret_key: str):
    """A minio client for S3Settings (TLS with an optional private CA)."""
    return minio_client(s3, secret_key)
