"""The provision-request workflow (A3): register, decide, withdraw, close; every step audited.

Scope (R5): a request is visible only to accounts that see every department of its cameras.
Separation of duties (Tottori 3(2)): its registrant never decides it; with `second_approval` a
second, different manager completes the approval (決裁).
"""
from __future__ import annotations

from sqlalchemy import Engine

from services.api.audit_trail import AuditTrail
from services.api.auth.roles import Role
from services.api.camera_directory import CameraDirectory
from services.api.disclosure import model
from services.api.disclosure.holds import HoldPlanner
from services.api.disclosure.model import Decision, State
from services.api.disclosure.records import ProvisionRequest, RequestForm
from services.api.disclosure.store_requests import RequestStore
from services.api.errors import ApiError, Forbidden, NotFound
from services.api.store.accounts import Principal

MAX_RANGE_US = 31 * 86_400_000_000  # no camera keeps more than a month (R3)


class Registry:
    def __init__(self, engine: Engine, cameras: CameraDirectory, requests: RequestStore, holds: HoldPlanner,
                 second_approval: bool) -> None:
        self.engine, self.cameras, self.requests, self.holds = engine, cameras, requests, holds
        self.second_approval = second_approval

    def purposes(self, camera_ids) -> list[list[str]]:
        return [list(self.cameras.camera(c).purposes) for c in camera_ids]

    def visible(self, who: Principal, request: ProvisionRequest) -> bool:
        return all(who.sees_department(d) for d in request.departments)

    def get(self, who: Principal, request_id: int) -> ProvisionRequest:
        """A request the caller may see; another department's request does not exist for them."""
        request = self.requests.get(request_id)
        if not self.visible(who, request):
            raise NotFound(f"no request {request_id}")
        return request

    def list(self, who: Principal) -> list[ProvisionRequest]:
        return [r for r in self.requests.all() if self.visible(who, r)]

    def _check_form(self, who: Principal, form: RequestForm) -> tuple[str, ...]:
        if not form.cameras:
            raise ApiError("name at least one camera", 422)
        visible = {c.id: c for c in self.cameras.visible(who)}
        unknown = [c for c in form.cameras if c not in visible]
        if unknown:
            raise ApiError(f"unknown camera(s) or not in your department: {', '.join(unknown)}", 422)
        if form.range_end_us <= form.range_start_us or form.range_end_us - form.range_start_us > MAX_RANGE_US:
            raise ApiError("the time range must end after it starts and span at most 31 days", 422)
        model.check_basis(form.legal_basis, self.purposes(form.cameras))
        if not form.requester_org.strip() or not form.reason.strip():
            raise ApiError("the requester (機関名等) and the reason (申請理由) are required", 422)
        return tuple(sorted({visible[c].department for c in form.cameras}))

    def register(self, who: Principal, form: RequestForm, now_us: int, trail: AuditTrail) -> ProvisionRequest:
        """Store the request and place its preservation holds in the same transaction."""
        departments = self._check_form(who, form)
        with trail.atomic() as tx:
            request_id = self.requests.add(form, departments, who.username, now_us, tx.conn)
            request = ProvisionRequest(request_id, State.RECEIVED, form, departments, who.username, now_us)
            holds = self.holds.preserve(request, now_us, tx.conn)
            tx.record(who, "request_registered", reason=form.reason, range_start_us=form.range_start_us,
                      range_end_us=form.range_end_us, camera_id=form.cameras[0] if len(form.cameras) == 1 else "",
                      details={"request_id": request_id, "cameras": ",".join(form.cameras),
                               "requester": form.requester_org, "legal_basis": form.legal_basis,
                               "method": form.method.value})
            for hold in holds:
                tx.record(who, "hold_requested", camera_id=hold.camera_id, range_start_us=hold.range_start_us,
                          range_end_us=hold.range_end_us, reason=hold.reason,
                          details={"request_id": request_id, "command_id": hold.command_id, "kind": hold.kind})
        return self.requests.get(request_id)

    def decide(self, who: Principal, request_id: int, decision: Decision, now_us: int,
               trail: AuditTrail) -> ProvisionRequest:
        if who.role is not Role.MANAGER:
            raise Forbidden("only a manager decides a request")
        request = self.get(who, request_id)
        action = model.decide(request.state, decision, request.registered_by, request.first_approved_by,
                              self.second_approval)
        target = model.next_state(request.state, action)
        if action == "first_approved":
            changes = {"first_approved_by": who.username, "first_approved_us": now_us}
        else:
            changes = {"decided_by": who.username, "decided_us": now_us, "decision_reason": decision.reason}
        span = {"range_start_us": request.form.range_start_us, "range_end_us": request.form.range_end_us}
        with trail.atomic() as tx:
            self.requests.move(request_id, request.state, target, tx.conn, **changes)
            held = self._holds_after_decision(who, request, action, decision.reason, now_us, tx.conn)
            tx.record(who, f"request_{action}", reason=decision.reason, **span,
                      details={"request_id": request_id, "cameras": ",".join(request.form.cameras)})
            if held:
                tx.record(who, "legal_hold" if action == "approved" else "hold_released", reason=decision.reason,
                          **span, details={"request_id": request_id, "holds": ",".join(held)})
        return self.requests.get(request_id)

    def _holds_after_decision(self, who: Principal, request: ProvisionRequest, action: str, reason: str,
                              now_us: int, conn) -> list[str]:
        if action == "approved":
            return self.holds.make_legal(request.id, conn)
        if action == "refused":
            released = self.holds.release_request(request.id, who.username, f"refused: {reason}", now_us, conn)
            return [h.command_id for h in released]
        return []

    def finish(self, who: Principal, request_id: int, action: str, reason: str, now_us: int,
               trail: AuditTrail) -> ProvisionRequest:
        """Withdraw (the requester took it back) or close (done): the request's holds are released."""
        if action == "closed" and who.role is not Role.MANAGER:
            raise Forbidden("only a manager closes a request")
        if not reason.strip():
            raise ApiError("give a reason", 422)
        request = self.get(who, request_id)
        target = model.next_state(request.state, action)
        changes = {"closed_us": now_us} if action == "closed" else {"withdrawn_reason": reason}
        with trail.atomic() as tx:
            self.requests.move(request_id, request.state, target, tx.conn, **changes)
            released = self.holds.release_request(request.id, who.username, f"{action}: {reason}", now_us, tx.conn)
            tx.record(who, f"request_{action}", reason=reason, range_start_us=request.form.range_start_us,
                      range_end_us=request.form.range_end_us,
                      details={"request_id": request_id, "released_holds": ",".join(h.command_id for h in released)})
        return self.requests.get(request_id)

    def mark_fulfilled(self, request: ProvisionRequest, now_us: int) -> None:
        if request.state is State.APPROVED:
            with self.engine.begin() as conn:
                self.requests.move(request.id, State.APPROVED, State.FULFILLED, conn, fulfilled_us=now_us)
