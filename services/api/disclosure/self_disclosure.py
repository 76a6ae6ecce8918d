"""A person's own disclosure request (本人からの開示請求): the export is a redacted derivative in which
everyone but the requester is blurred. This module says when that applies, checks the operator's
marks before any footage is read, and writes what the custody manifest records about the copy."""
from __future__ import annotations

import hashlib

from services.api.disclosure.records import ProvisionRequest
from services.api.disclosure.redacted_clip import ClipRedactor, Redacted
from services.api.disclosure.redaction import SELF_DISCLOSURE, Mark
from services.api.disclosure.settings import RedactionSettings
from services.api.errors import ApiError

RULE = ("every frame decoded and searched for faces, persons and plates; the requester followed from the "
        "operator's box by overlap with person detections; every other face, person and plate blurred (and "
        "for {hold} frames around each detection); a frame where the requester is not followed is blurred whole")


def needs_redaction(request: ProvisionRequest) -> bool:
    return request.form.legal_basis == SELF_DISCLOSURE


def prepare(request: ProvisionRequest, marks: dict[str, Mark], settings: RedactionSettings) -> ClipRedactor | None:
    """The redactor a self-disclosure export needs (None for any other basis). Refuses before any
    footage is read: models missing (RedactionUnavailable, a ConfigError) or a camera without a mark."""
    if not needs_redaction(request):
        if marks:
            raise ApiError("a mark of the requester belongs to a self-disclosure request only; "
                           f"request {request.id} is {request.form.legal_basis}", 422)
        return None
    redactor = ClipRedactor(settings)
    unknown = sorted(set(marks) - set(request.form.cameras))
    if unknown:
        raise ApiError(f"marks for cameras not in request {request.id}: {', '.join(unknown)}", 422)
    missing = [c for c in request.form.cameras if c not in marks]
    if missing:
        raise ApiError("a self-disclosure export blurs everyone but the requester: mark the requester with a box "
                       f"on one frame for camera {', '.join(missing)} (keep: camera, frame, box [x1, y1, x2, y2])", 422)
    return redactor


def derivative_manifest(manifest: dict, redacted: Redacted, mark: Mark, marked_by: str, rules_hold: int) -> dict:
    """The manifest of the redacted copy: its own hash (what verify-export checks), the original clip's
    hash (what the segment chain proves), and the operator's input that produced it."""
    return {**manifest, "mp4_sha256": hashlib.sha256(redacted.mp4).hexdigest(), "mp4_bytes": len(redacted.mp4),
            "derivative": "redacted_self_disclosure",
            "original_mp4_sha256": manifest["mp4_sha256"], "original_mp4_bytes": manifest["mp4_bytes"],
            "redaction": {"rule": RULE.format(hold=rules_hold), "marked_frame": mark.frame,
                          "marked_box": [round(v, 1) for v in mark.box], "marked_by": marked_by,
                          "frames": redacted.frames, "frames_requester_kept": redacted.kept_frames,
                          "frames_blurred_whole": redacted.whole_frames, "boxes_blurred": redacted.blurred_boxes,
                          "encoding": "H.264 re-encode of the original clip; the original segments are unchanged"}}


def audit_details(manifest: dict) -> dict:
    """What the export's audit entry adds for a redacted copy (nothing for an original clip)."""
    if "derivative" not in manifest:
        return {}
    r = manifest["redaction"]
    return {"derivative": manifest["derivative"], "original_sha256": manifest["original_mp4_sha256"],
            "marked_frame": r["marked_frame"], "marked_box": ",".join(str(v) for v in r["marked_box"]),
            "frames_blurred_whole": r["frames_blurred_whole"]}
