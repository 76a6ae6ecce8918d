"""Valid requests to the disclosure endpoints for the role-matrix test (tests/unit/api/test_role_matrix.py).

Each call prepares fresh state through the disclosure service (registered by a separate account,
so a manager may decide it), and returns (method, path, json body).
"""
from __future__ import annotations

import base64
import hashlib
import tempfile
from pathlib import Path

from services.api.auth.roles import Role
from services.api.disclosure.model import Decision
from services.api.disclosure.service import Disclosure
from services.api.audit_trail import AuditTrail
from tests.unit.disclosure.kit import PDF, configure, police_request

REGISTRAR = "matrix-registrar"


class FixedClip:
    """A stand-in for the recorder's export (authorization is under test here, not footage)."""

    def __init__(self, mp4: bytes = b"\x00\x00\x00\x18ftypisom") -> None:
        self.mp4 = mp4

    def __call__(self, camera_id: str, start_us: int, end_us: int):
        from services.api.disclosure.custody import segment_chain_hash
        from services.recorder.export import Export

        seg = {"object_key": "k", "start_us": start_us, "end_us": end_us, "plaintext_sha256": "0" * 64,
               "prev_chain_hash": "0" * 64, "key_id": "d", "codec": "h264"}
        seg["chain_hash"] = segment_chain_hash(camera_id, seg)
        return Export(self.mp4, {"format": "roadcam-export-v1", "camera_id": camera_id, "segments": [seg],
                                 "mp4_sha256": hashlib.sha256(self.mp4).hexdigest(), "mp4_bytes": len(self.mp4)})


def _disclosure(api) -> Disclosure:
    found = getattr(api.client.app.state, "matrix_disclosure", None)
    if found is None:
        found = configure(api, Path(tempfile.mkdtemp(prefix="roadcam-matrix-")))
        found.exporter.clip_source = FixedClip()
        api.client.app.state.matrix_disclosure = found
        api.add_account(REGISTRAR, Role.OPERATOR)
    return found


def _registered(api, d: Disclosure, **changes) -> int:
    from services.api.disclosure.routes_requests import form_of
    from services.api.disclosure.schemas import RequestIn

    who = api.parts.accounts.get(REGISTRAR).principal("token")
    form = form_of(RequestIn(**police_request(**changes)), api.parts.clock.tz)
    return d.registry.register(who, form, api.clock.now_us, _trail(api)).id


def _trail(api) -> AuditTrail:
    return AuditTrail(api.parts.audit, lambda: api.clock.now_us, "test", "matrix setup")


def _decided(api, d: Disclosure, approve: bool = True) -> int:
    request_id = _registered(api, d)
    boss = api.parts.accounts.get("manager-all").principal("token")
    d.registry.decide(boss, request_id, Decision(approve, boss.username, "ok"), api.clock.now_us, _trail(api))
    return request_id


def _decided_viewing(api, d: Disclosure) -> int:
    request_id = _registered(api, d, method="view_only")
    boss = api.parts.accounts.get("manager-all").principal("token")
    d.registry.decide(boss, request_id, Decision(True, boss.username, "ok"), api.clock.now_us, _trail(api))
    return request_id


def disclosure_request(api, endpoint: str, n: int) -> tuple[str, str, dict | None] | None:
    if not endpoint.startswith(("requests.", "exports.", "holds.", "registers.")):
        return None
    d = _disclosure(api)
    boss = lambda: api.parts.accounts.get("manager-all").principal("token")  # noqa: E731
    if endpoint == "requests.document_put":
        body = {"filename": "inquiry.pdf", "content_type": "application/pdf", "data_base64": base64.b64encode(PDF).decode()}
        return "PUT", f"/api/v1/requests/{_registered(api, d)}/document", body
    if endpoint == "requests.document_get":
        request_id = _registered(api, d)
        d.store_document(boss(), request_id, "inquiry.pdf", "application/pdf", PDF, _trail(api))
        return "GET", f"/api/v1/requests/{request_id}/document", None
    if endpoint == "exports.download":
        package = d.export(boss(), _decided(api, d), _trail(api))[0]
        return "GET", f"/api/v1/exports/download/{package.token}", None
    if endpoint == "holds.release":
        hold = d.place_hold(boss(), "bridge-1", api.clock.now_us - 10**9, api.clock.now_us, "disaster", _trail(api))
        return "POST", f"/api/v1/holds/{hold.command_id}/release", {"reason": "over"}
    simple = {
        "requests.bases": ("GET", "/api/v1/requests/bases?camera=bridge-1", None),
        "requests.list": ("GET", "/api/v1/requests", None),
        "requests.create": ("POST", "/api/v1/requests", police_request()),
        "holds.list": ("GET", "/api/v1/holds", None),
        "holds.create": ("POST", "/api/v1/holds", {"camera": "bridge-1", "start": "2026-06-01T08:00:00",
                                                   "end": "2026-06-01T09:00:00", "reason": f"災害記録 {n}"}),
        "registers.provision": ("GET", "/api/v1/registers/provision?format=csv", None),
        "registers.viewing": ("GET", "/api/v1/registers/viewing?format=html", None),
    }
    if endpoint in simple:
        return simple[endpoint]
    by_id = {
        "requests.get": ("GET", "", None, _registered),
        "requests.decide": ("POST", "/decision", {"approve": True, "reason": "照会書確認"}, _registered),
        "requests.withdraw": ("POST", "/withdraw", {"reason": "取下げ"}, _registered),
        "requests.close": ("POST", "/close", {"reason": "完了"}, lambda a, dd: _decided(a, dd, approve=False)),
        "exports.create": ("POST", "/exports", None, _decided),
        "requests.viewing": ("POST", "/viewings", {"content": "犯行時刻の映像"},
                             lambda a, dd: _decided_viewing(a, dd)),
    }
    method, suffix, body, make = by_id[endpoint]
    return method, f"/api/v1/requests/{make(api, d)}{suffix}", body
