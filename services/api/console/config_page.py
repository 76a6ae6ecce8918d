"""Camera configuration in the console (issue 10): edit one camera's document, draw counting lines
and privacy masks on a still of the anonymized view, preview the diff, save with a reason.
Validation is the YAML file's own (the same pydantic models); every save is audited with its diff."""
from __future__ import annotations

import json
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from roadcam.common.errors import ConfigError
from services.api.console.config_versions import parse_document, semantic_diff, with_camera
from services.api.console.guard import Visit, checked_form, require
from services.api.console.pages import show
from services.api.errors import Conflict

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console/cameras", include_in_schema=False)
Viewer = Annotated[Visit, Depends(require("config.view"))]
Changer = Annotated[Visit, Depends(require("config.change"))]


def _camera_raw(v: Visit, camera_id: str, document: str) -> dict:
    if v.backend.camera(v.user, camera_id) is None:
        raise HTTPException(404, f"no camera {camera_id!r} in your departments")
    raw, _ = parse_document(document)
    return next(c for c in raw["cameras"] if c.get("id") == camera_id)


@router.get("/{camera_id}/snapshot.jpg")
async def snapshot(camera_id: str, v: Viewer) -> Response:
    if v.backend.camera(v.user, camera_id) is None:
        raise HTTPException(404, "no such camera")
    jpeg = await v.backend.snapshot(camera_id)
    if jpeg is None:
        raise HTTPException(404, "no anonymized frame yet")
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/{camera_id}/config", response_class=HTMLResponse)
def config_page(request: Request, camera_id: str, v: Viewer, saved: int | None = None) -> HTMLResponse:
    current = v.backend.current_config()
    camera = _camera_raw(v, camera_id, current.document)
    history = v.backend.config_versions().history(20, camera_id)
    return show(request, v, "console/config.html", camera_id=camera_id, base_version=current.version,
                editor=json.dumps(camera, ensure_ascii=False, indent=2), errors=[], preview="", reason="",
                saved=saved, history=history, tz=v.backend.tz)


def _proposed(current_doc: str, camera_id: str, editor: str) -> tuple[str, list[str]]:
    """(new document, errors): the edited camera put into the document and validated."""
    try:
        camera = json.loads(editor)
    except json.JSONDecodeError as exc:
        return "", [f"JSON: {exc}"]
    if not isinstance(camera, dict) or camera.get("id") != camera_id:
        return "", [f"id: must stay {camera_id!r}"]
    try:
        document = with_camera(current_doc, camera)
        parse_document(document, "camera")
    except ConfigError as exc:
        return "", [line.strip().removeprefix("camera: ") for line in str(exc).splitlines()[1:]] or [str(exc)]
    return document, []


@router.post("/{camera_id}/config", response_class=HTMLResponse)
async def change_config(request: Request, camera_id: str, v: Changer,
                        form: Annotated[dict, Depends(checked_form)]) -> Response:
    b = v.backend
    current = b.current_config()
    _camera_raw(v, camera_id, current.document)
    editor, reason = form.get("editor", ""), form.get("reason", "").strip()
    document, errors = _proposed(current.document, camera_id, editor)
    if not errors and form.get("action") == "save" and not reason:
        errors = ["reason: 変更理由を入力してください / a reason is required"]
    if errors or form.get("action") != "save":
        preview = semantic_diff(current.document, document, f"v{current.version}", "proposed") if document else ""
        return show(request, v, "console/config.html", 422 if errors else 200, camera_id=camera_id,
                    base_version=int(form.get("base_version") or current.version), editor=editor, errors=errors,
                    preview=preview, reason=reason, saved=None, history=b.config_versions().history(20, camera_id),
                    tz=b.tz)
    try:
        stored = b.config_versions().add(document, v.user.username, reason, b.now_us(), camera_id,
                                         base_version=int(form.get("base_version") or -1))
    except Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    b.audit(request, v.user, "config_change", camera_id=camera_id, reason=reason,
            details={"version": stored.version, "diff": stored.diff[:20000]})
    await b.publish_config(stored)
    return RedirectResponse(f"/console/cameras/{camera_id}/config?saved={stored.version}", status_code=303)
