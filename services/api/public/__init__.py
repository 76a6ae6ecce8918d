"""The public site (V3, A7, Gunma 5): camera list, one page per camera with only its player, a map,
open data; HLS from object storage. Japanese by default, `?lang=en` for English.

`create_router(settings, cameras)` needs `config_file`, `s3`, `s3_secret_key`, `public_bucket` of the
api Settings (and reads `map_tile_url` / `map_attribution` when present) and the api's camera
directory, which follows the newest saved configuration version (without one, e.g. a page served
on its own, the config file is read). The open-data page draws from the public
`/api/v1/open-data/counts` endpoint in the browser.
"""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from roadcam.common.camconfig.models import is_slug
from services.api.console.rendering import render, static_file
from services.api.public.hls_store import HlsStore
from services.api.public.view_state import read_state

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SITE_STATIC = "/static/site"
_FILE = re.compile(r"index\.m3u8|seg-[0-9]{8,12}\.ts")
_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}
GSI_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'
NAV = (("/", "nav_cameras"), ("/map", "nav_map"), ("/opendata", "nav_opendata"))


def nav_for(path: str) -> list[dict]:
    return [{"href": href, "label": label, "active": href == path} for href, label in NAV]


class FileCameras:
    """The config file's cameras, for a public site served without the api's camera directory."""

    def __init__(self, config_file) -> None:
        self._file = config_file

    @property
    def all(self) -> list:
        from roadcam.common.camconfig import load_config

        return list(load_config(self._file).cameras)

    def publishing(self) -> frozenset[str]:
        return publishing_ids(self._file)


_publishing: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}


def publishing_ids(config_file) -> frozenset[str]:
    """Ids of the cameras whose public view is on; re-read only when the config file changes."""
    stat = Path(config_file).stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _publishing.get(str(config_file))
    if cached is None or cached[0] != stamp:
        from roadcam.common.camconfig import load_config

        cached = _publishing[str(config_file)] = (stamp, frozenset(
            c.id for c in load_config(config_file).cameras if c.publishes))
    return cached[1]


def create_router(settings, cameras=None) -> APIRouter:
    """`cameras`: the api's CameraDirectory (default: the config file's cameras)."""
    router = APIRouter()
    store = HlsStore(settings)
    directory = cameras if cameras is not None else FileCameras(settings.config_file)

    def public_cameras() -> list:
        return [c for c in directory.all if c.publishes]

    def page(request: Request, template: str, **values) -> HTMLResponse:
        return render(request, template, static_base=SITE_STATIC, nav=nav_for(request.url.path), **values)

    @router.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> HTMLResponse:
        cameras = public_cameras()
        states = {c.id: await _state(store, c.id) for c in cameras}
        return page(request, "public/index.html", cameras=cameras, states=states)

    @router.get("/cameras/{camera_id}", response_class=HTMLResponse)
    async def camera_page(request: Request, camera_id: str) -> HTMLResponse:
        camera = next((c for c in public_cameras() if c.id == camera_id), None)
        if camera is None:
            return page(request, "public/not_found.html", status=404)
        return page(request, "public/camera.html", camera=camera, state=await _state(store, camera.id))

    @router.get("/map", response_class=HTMLResponse)
    def map_page(request: Request) -> HTMLResponse:
        tiles = getattr(settings, "map_tile_url", None) or GSI_TILES
        attribution = getattr(settings, "map_attribution", None) or GSI_ATTRIBUTION
        return page(request, "public/map.html", cameras=public_cameras(), tile_url=tiles,
                    attribution=attribution)

    @router.get("/opendata", response_class=HTMLResponse)
    def open_data_page(request: Request) -> HTMLResponse:
        counting = [c for c in public_cameras() if c.counts]
        return page(request, "public/opendata.html", cameras=counting,
                    license=getattr(settings, "open_data_license", "CC BY 4.0"))

    _media_routes(router, store, directory)
    return router


def _media_routes(router: APIRouter, store: HlsStore, directory) -> None:
    """hls.js, the site's static files and the public HLS objects."""
    @router.get("/static/hls.min.js")
    def hls_js() -> FileResponse:
        return FileResponse(STATIC / "hls.min.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get(SITE_STATIC + "/{path:path}")
    def site_static(path: str) -> FileResponse:
        return static_file(path)

    @router.get("/hls/{camera}/{file}")
    async def hls(camera: str, file: str) -> Response:
        # A camera taken off the public view may still have objects in the bucket: never serve them.
        if not is_slug(camera) or not _FILE.fullmatch(file) or camera not in directory.publishing():
            raise HTTPException(404, "not found")
        data = await store.get(f"hls/{camera}/{file}")
        if data is None:
            raise HTTPException(404, "not found")
        suffix = Path(file).suffix
        cache = "no-cache" if suffix == ".m3u8" else "public, max-age=60"
        return Response(data, media_type=_TYPES[suffix], headers={"Cache-Control": cache})


async def _state(store: HlsStore, camera_id: str):
    try:
        return await read_state(store, camera_id, time.time())
    except Exception as exc:  # noqa: BLE001 - storage down: say paused, never guess live
        log.warning("view state of %s unavailable: %s", camera_id, exc)
        from services.api.public.view_state import ViewState

        return ViewState(False, "storage_unavailable", 0.0)
