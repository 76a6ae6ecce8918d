"""Reads the public HLS objects (and the view state) from object storage; the client is made on
first use so the pages work without S3."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from roadcam.common.s3 import minio_client


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    modified_s: float


class HlsStore:
    def __init__(self, settings) -> None:
        self._settings = settings
        self._client = None

    async def get(self, key: str) -> bytes | None:
        found = await self.fetch(key)
        return found.data if found else None

    async def fetch(self, key: str) -> StoredObject | None:
        return await asyncio.to_thread(self._get, key)

    def _get(self, key: str) -> StoredObject | None:
        from minio.error import S3Error

        if self._client is None:
            self._client = minio_client(self._settings.s3, self._settings.s3_secret_key.get_secret_value())
        try:
            response = self._client.get_object(self._settings.public_bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket"):
                return None
            raise
        try:
            modified = response.headers.get("Last-Modified")
            return StoredObject(response.read(), _http_date_s(modified))
        finally:
            response.close()
            response.release_conn()


def _http_date_s(value: str | None) -> float:
    from email.utils import parsedate_to_datetime

    if not value:
        return 0.0
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return 0.0
