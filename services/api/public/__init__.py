"""The public page (V3, A7): cameras with their notice and a live player; HLS from object storage.

`create_router(settings)` needs only `config_file`, `s3`, `s3_secret_key`, `public_bucket` of the
api Settings. hls.js is served from ./static (no CDN); Japanese by default, `?lang=en` for English.
"""
from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import FileResponse, HTMLResponse

from roadcam.common.camconfig.models import is_slug
from services.api.public.page import render_page
from roadcam.common.s3 import minio_client

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
_FILE = re.compile(r"index\.m3u8|seg-[0-9]{8,12}\.ts")
_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}


def create_router(settings) -> APIRouter:
    router = APIRouter()
    store = _HlsStore(settings)

    @router.get("/", response_class=HTMLResponse)
    def index(lang: str = Query("ja", pattern="^(ja|en)$")) -> HTMLResponse:
        from roadcam.common.camconfig import load_config

        cameras = [c for c in load_config(settings.config_file).cameras if c.publishes]
        return HTMLResponse(render_page(cameras, lang), headers={"Cache-Control": "no-cache"})

    @router.get("/static/hls.min.js")
    def hls_js() -> FileResponse:
        return FileResponse(STATIC / "hls.min.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/hls/{camera}/{file}")
    async def hls(camera: str, file: str) -> Response:
        if not is_slug(camera) or not _FILE.fullmatch(file):
            raise HTTPException(404, "not found")
        data = await store.get(f"hls/{camera}/{file}")
        if data is None:
            raise HTTPException(404, "not found")
        suffix = Path(file).suffix
        cache = "no-cache" if suffix == ".m3u8" else "public, max-age=60"
        return Response(data, media_type=_TYPES[suffix], headers={"Cache-Control": cache})

    return router


class _HlsStore:
    """Reads public HLS objects; the client is made on first use so the page works without S3."""

    def __init__(self, settings) -> None:
        self._settings = settings
        self._client = None

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, key)

    def _get(self, key: str) -> bytes | None:
        from minio.error import S3Error

        if self._client is None:
            self._client = _minio(self._settings)
        try:
            response = self._client.get_object(self._settings.public_bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket"):
                return None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()


def _minio(settings):
    return minio_client(settings.s3, settings.s3_secret_key.get_secret_value())
