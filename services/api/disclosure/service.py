"""The disclosure facade the routes, the console and the command line share: one path per action."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from services.api.audit_trail import AuditTrail
from services.api.auth.roles import Role
from services.api.disclosure import model, self_disclosure
from services.api.disclosure.exporter import Exporter, Package, token_hash
from services.api.disclosure.holds import DIRECT, HoldPlanner
from services.api.disclosure.records import HoldRecord, ProvisionRequest, Viewing
from services.api.disclosure.redacted_clip import still_jpeg
from services.api.disclosure.redaction import Mark, MarkError
from services.api.disclosure.registry import Registry
from services.api.disclosure.sealing import DocumentSealer
from services.api.disclosure.store_exports import ExportStore
from services.api.disclosure.store_holds import HoldStore
from services.api.disclosure.store_requests import RequestStore
from services.api.errors import ApiError, Forbidden, NotFound
from services.api.store.accounts import Principal
from roadcam.common.errors import ConfigError

MAX_DOCUMENT = 20 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/tiff")


class LinkGone(ApiError):
    status = 410


class NotConfigured(ApiError):
    """A key or store the action needs is not set: the installation's fault, not the caller's."""

    status = 503


@dataclass
class Disclosure:
    registry: Registry
    holds: HoldStore
    exports: ExportStore
    exporter: Exporter
    sealer: DocumentSealer | None
    now_us: object  # Callable[[], int]
    tz: object

    @classmethod
    def of(cls, request: Request) -> Disclosure:
        """One per app, built from the api's parts on first use (like the console's HLS store)."""
        found = getattr(request.app.state, "disclosure", None)
        if found is None:
            found = request.app.state.disclosure = cls.from_parts(request.app.state.parts)
        return found

    @classmethod
    def from_parts(cls, parts) -> Disclosure:
        s = parts.settings
        holds = HoldStore(parts.engine)
        registry = Registry(parts.engine, parts.cameras, RequestStore(parts.engine), HoldPlanner(holds),
                            s.second_approval)
        sealer = DocumentSealer(s.document_key.get_secret_value()) if s.document_key else None
        return cls(registry, holds, ExportStore(parts.engine), Exporter(s, parts.clock.tz), sealer,
                   parts.clock.now_us, parts.clock.tz)

    def store_document(self, who: Principal, request_id: int, filename: str, content_type: str, body: bytes,
                       trail: AuditTrail) -> None:
        if self.sealer is None:
            raise NotConfigured("document uploads need document_key (ROADCAM_API_DOCUMENT_KEY or a secret file)")
        request = self.registry.get(who, request_id)
        if content_type not in DOCUMENT_TYPES or not body or len(body) > MAX_DOCUMENT:
            raise ApiError(f"the document must be PDF or an image ({', '.join(DOCUMENT_TYPES)}), "
                           f"1 byte to {MAX_DOCUMENT // 1024 // 1024} MiB", 422)
        sealed = self.sealer.seal(request.id, body)
        self.registry.requests.add_document(request.id, filename, content_type, len(body), sealed,
                                            self.sealer.key_id, who.username, self.now_us())
        trail.record(who, "request_document_stored", reason=filename,
                     details={"request_id": request.id, "bytes": len(body), "content_type": content_type})

    def document(self, who: Principal, request_id: int, trail: AuditTrail) -> tuple[str, str, bytes]:
        request = self.registry.get(who, request_id)
        if self.sealer is None:
            raise NotConfigured("document_key is not set")
        filename, content_type, sealed, _ = self.registry.requests.document(request.id)
        body = self.sealer.open(request.id, sealed)
        trail.record(who, "request_document_viewed", reason=filename, details={"request_id": request.id})
        return filename, content_type, body

    def export(self, who: Principal, request_id: int, trail: AuditTrail,
               marks: dict[str, Mark] | None = None) -> list[Package]:
        """An approved data provision -> one package per camera, each with its one-time link.
        A self-disclosure needs `marks` (the requester's box per camera) and exports redacted copies."""
        request = self.registry.get(who, request_id)
        if who.role not in (Role.MANAGER, Role.OPERATOR):
            raise Forbidden("only designated operators and managers export")
        if not model.may_download(request.form.method, request.state):
            raise Forbidden(f"request {request.id} is {request.state.value} for {request.form.method.value}: "
                            "only an approved data provision can be exported")
        self._check_conditions(who, request, request.form.cameras, "export", trail)
        marks = marks or {}
        try:
            redactor = self_disclosure.prepare(request, marks, self.exporter.settings.redaction)
        except ConfigError as exc:  # the detector models: refused, never exported unblurred
            raise NotConfigured(str(exc)) from exc
        packages = []
        for camera in request.form.cameras:
            now = self.now_us()
            package = self._package(request, camera, who.username, now, redactor, marks.get(camera))
            with trail.atomic() as tx:  # a link exists only with its audit entry
                self.exports.add(package.export, token_hash(package.token), tx.conn)
                tx.record(who, "export_created", camera_id=camera, range_start_us=request.form.range_start_us,
                          range_end_us=request.form.range_end_us, reason=request.form.reason,
                          details={"request_id": request.id, "export_id": package.export.id,
                                   "clip_sha256": package.export.clip_sha256,
                                   "link_expires_us": package.export.expires_us,
                                   **self_disclosure.audit_details(package.manifest)})
            packages.append(package)
        self.registry.mark_fulfilled(request, self.now_us())
        return packages

    def _package(self, request: ProvisionRequest, camera: str, who: str, now: int, redactor=None,
                 mark: Mark | None = None) -> Package:
        from services.recorder.export import ExportError

        try:
            return self.exporter.export(request, camera, who, now, redactor, mark)
        except ExportError as exc:  # no footage in the range, or a segment failed its integrity check
            raise ApiError(f"cannot export camera {camera}: {exc}", 409) from exc
        except MarkError as exc:
            raise ApiError(f"camera {camera}: {exc}", 422) from exc
        except ConfigError as exc:
            raise NotConfigured(str(exc)) from exc

    def download(self, token: str, client: str, trail: AuditTrail) -> tuple[Path, str]:
        """Claim a one-time link: the package for the first use, 410 for any later or late one."""
        found = self.exports.by_token(token_hash(token))
        now = self.now_us()
        if found is None:
            trail.record("link", "export_link_refused", reason="unknown link")
            raise NotFound("unknown download link")
        actor = f"link:{found.id}"
        why = "already used" if found.downloaded_us else ("expired" if found.expires_us <= now else "")
        request = self.registry.requests.get(found.request_id)
        with trail.atomic() as tx:  # the claim, its audit entry and the viewing log: all or none
            claimed = not why and self.exports.claim(found.id, now, client, tx.conn)
            if claimed:
                tx.record(actor, "export_downloaded", camera_id=found.camera_id, reason=request.form.reason,
                          range_start_us=request.form.range_start_us, range_end_us=request.form.range_end_us,
                          details={"request_id": found.request_id, "export_id": found.id,
                                   "clip_sha256": found.clip_sha256})
                self.exports.add_viewing(self._viewing(request, now, found.exported_by), tx.conn)
        if not claimed:
            trail.record(actor, "export_link_refused", reason=why or "already used", camera_id=found.camera_id,
                         details={"request_id": found.request_id, "export_id": found.id})
            raise LinkGone(f"this download link is {why or 'already used'}; ask for a new export")
        return Path(found.path), f"request-{found.request_id}-{found.camera_id}.zip"

    def _viewing(self, request: ProvisionRequest, now: int, handled_by: str, method: str = "network") -> Viewing:
        f = request.form
        return Viewing(request.id, now, f.requester_org, f.requester_representative or f.contact_name,
                       f.contact_phone, f.reason, f.notes, f.cameras, f.range_start_us, f.range_end_us, method,
                       "", handled_by)

    def record_viewing(self, who: Principal, request_id: int, counterpart_name: str, content: str, other: str,
                       trail: AuditTrail) -> Viewing:
        """An approved viewing or filming of the playback at the office, for the 画像閲覧等記録書."""
        request = self.registry.get(who, request_id)
        if who.role not in (Role.MANAGER, Role.OPERATOR):
            raise Forbidden("only designated operators and managers show footage")
        if request.form.method is model.Method.DATA_PROVISION or request.state not in model.LEGALLY_HELD:
            raise Forbidden(f"request {request.id} is {request.state.value} for {request.form.method.value}: "
                            "only an approved viewing or filming is recorded here")
        if self_disclosure.needs_redaction(request):
            raise Forbidden(f"request {request.id} is a self-disclosure: its footage shows other people, so it leaves "
                            "only as a redacted copy (approve it as a data provision and export with the requester marked)")
        self._check_conditions(who, request, request.form.cameras, "office viewing", trail)
        method = "view_only" if request.form.method is model.Method.VIEW_ONLY else "other"
        base = self._viewing(request, self.now_us(), who.username, method)
        viewing = Viewing(**{**base.__dict__, "counterpart_name": counterpart_name or base.counterpart_name,
                             "content": content, "other": other})
        self.exports.add_viewing(viewing)
        trail.record(who, "footage_viewed", range_start_us=request.form.range_start_us,
                     range_end_us=request.form.range_end_us, reason=request.form.reason,
                     details={"request_id": request.id, "cameras": ",".join(request.form.cameras), "method": method,
                              "counterpart": viewing.counterpart_name})
        self.registry.mark_fulfilled(request, self.now_us())
        return viewing

    def stream(self, who: Principal, request_id: int, camera_id: str, trail: AuditTrail) -> bytes:
        """An approved view-only request's footage for the console player: remuxed in memory from the
        decrypted segments, never written to disk, every view audited and in the viewing log."""
        request = self.registry.get(who, request_id)
        if who.role not in (Role.MANAGER, Role.OPERATOR) or camera_id not in request.form.cameras:
            raise Forbidden("only designated operators and managers view a request's own cameras")
        if request.form.method is not model.Method.VIEW_ONLY or request.state not in model.LEGALLY_HELD:
            raise Forbidden(f"request {request.id} is {request.state.value} for {request.form.method.value}: "
                            "only an approved viewing plays in the console")
        if self_disclosure.needs_redaction(request):
            raise Forbidden(f"request {request.id} is a self-disclosure: its footage shows other people, so it leaves "
                            "only as a redacted copy (approve it as a data provision and export with the requester marked)")
        self._check_conditions(who, request, [camera_id], "console player", trail)
        try:
            clip = self.exporter.clip_source(camera_id, request.form.range_start_us, request.form.range_end_us)
        except ConfigError as exc:
            raise NotConfigured(str(exc)) from exc
        trail.record(who, "footage_viewed", camera_id=camera_id, range_start_us=request.form.range_start_us,
                     range_end_us=request.form.range_end_us, reason=request.form.reason,
                     details={"request_id": request.id, "method": "console player (watermarked, no download)"})
        self.exports.add_viewing(self._viewing(request, self.now_us(), who.username, "view_only"))
        return clip.mp4

    def still(self, who: Principal, request_id: int, camera_id: str, frame: int, trail: AuditTrail) -> tuple[bytes, int]:
        """One frame (JPEG) of an approved self-disclosure's clip and the clip's frame count, for the
        operator to mark the requester; audited like any footage access."""
        from services.recorder.export import ExportError

        request = self.registry.get(who, request_id)
        if who.role not in (Role.MANAGER, Role.OPERATOR) or camera_id not in request.form.cameras:
            raise Forbidden("only designated operators and managers see a request's own cameras")
        if not (self_disclosure.needs_redaction(request) and model.may_download(request.form.method, request.state)):
            raise Forbidden(f"request {request.id}: stills only serve marking the requester of an approved self-disclosure")
        self._check_conditions(who, request, [camera_id], "marking still", trail)
        try:
            clip = self.exporter.clip_source(camera_id, request.form.range_start_us, request.form.range_end_us)
            jpeg, count = still_jpeg(clip.mp4, frame)
        except ConfigError as exc:
            raise NotConfigured(str(exc)) from exc
        except (ExportError, ValueError) as exc:
            raise ApiError(f"camera {camera_id}: {exc}", 409 if isinstance(exc, ExportError) else 422) from exc
        trail.record(who, "footage_viewed", camera_id=camera_id, range_start_us=request.form.range_start_us,
                     range_end_us=request.form.range_end_us, reason=request.form.reason,
                     details={"request_id": request.id, "method": f"still, frame {frame}, to mark the requester"})
        return jpeg, count

    def _check_conditions(self, who: Principal, request: ProvisionRequest, cameras: list[str], action: str,
                          trail: AuditTrail) -> None:
        """The account's viewing conditions (Odawara 7.3②) on every footage access; a refusal is audited."""
        now = self.now_us()
        for camera in cameras:
            why = who.viewing_conditions.refusal(camera, now, self.tz)
            if why:
                trail.record(who, "footage_access_refused", camera_id=camera, range_start_us=request.form.range_start_us,
                             range_end_us=request.form.range_end_us, reason=why,
                             details={"request_id": request.id, "action": action})
                raise Forbidden(f"{why}: ask a manager to change your account's viewing conditions")

    def place_hold(self, who: Principal, camera_id: str, start_us: int, end_us: int, reason: str,
                   trail: AuditTrail) -> HoldRecord:
        """A manager's direct hold (disaster record, Gunma 4(5)), outside any request."""
        if not any(c.id == camera_id for c in self.registry.cameras.visible(who)):
            raise ApiError(f"unknown camera or not in your department: {camera_id}", 422)
        if end_us <= start_us or not reason.strip():
            raise ApiError("a hold needs a range that ends after it starts, and a reason", 422)
        now = self.now_us()
        hold = HoldRecord(f"direct-{camera_id}-{uuid.uuid4().hex[:16]}", None, camera_id, start_us, end_us, DIRECT, reason,
                          who.username, now)
        with trail.atomic() as tx:
            self.registry.holds.place_direct(hold, now, tx.conn)
            tx.record(who, "hold_requested", camera_id=camera_id, range_start_us=start_us, range_end_us=end_us,
                      reason=reason, details={"command_id": hold.command_id, "kind": DIRECT})
        return hold

    def release_hold(self, who: Principal, command_id: str, reason: str, trail: AuditTrail) -> None:
        hold = self.holds.get(command_id)
        visible = {c.id for c in self.registry.cameras.visible(who)}
        if hold is None or hold.camera_id not in visible or not hold.active:
            raise NotFound(f"no active hold {command_id}")
        if hold.request_id is not None:
            raise ApiError("a request's hold ends with the request (refuse, withdraw or close it)", 409)
        if not reason.strip():
            raise ApiError("give a reason", 422)
        with trail.atomic() as tx:
            self.registry.holds.release(hold, who.username, reason, self.now_us(), tx.conn)
            tx.record(who, "hold_released", camera_id=hold.camera_id, range_start_us=hold.range_start_us,
                      range_end_us=hold.range_end_us, reason=reason, details={"command_id": command_id})

    def visible_holds(self, who: Principal, active_only: bool = True) -> list[HoldRecord]:
        visible = [c.id for c in self.registry.cameras.visible(who)]
        return self.holds.active(visible)
