"""The isolate switch and leak alerts (O2): managers cut and restore external access; alerts are read here."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.api.deps import AuditTrailDep, ClockDep, allow
from services.api.operations.deps import LeaksDep, SwitchDep
from services.api.operations.isolation import IsolationState, IsolationSwitch
from services.api.operations.leak_watch import StoredAlert
from services.api.operations.schemas import IsolateIn, IsolationOut, LeakAlertOut
from services.api.store.accounts import Principal
from services.api.times import to_dt, to_dt_or_none

router = APIRouter(prefix="/api/v1/admin", tags=["operations"])
ISOLATE, LIFT = "isolate", "isolate_lifted"


def turn_on(switch: IsolationSwitch, now_us: int, who: Principal, reason: str, record) -> None:
    # Cut first, then record: cutting access is the safe side if recording fails.
    switch.set(IsolationState(True, now_us, who.username, reason))
    record(who, ISOLATE, reason=reason, details={"via": who.via})


def turn_off(switch: IsolationSwitch, now_us: int, who: Principal, reason: str, record) -> None:
    # Record first, then restore: no access is restored without an entry.
    record(who, LIFT, reason=reason, details={"via": who.via})
    switch.set(IsolationState(False, now_us, who.username, reason))


def state_out(switch: IsolationSwitch, clock) -> IsolationOut:
    s = switch.state
    return IsolationOut(isolated=s.isolated, changed_at=to_dt_or_none(s.changed_us, clock.tz), changed_by=s.changed_by,
                        reason=s.reason, propagation_s=switch.poll_s)


@router.get("/isolate", name="admin.isolation")
def isolation(switch: SwitchDep, clock: ClockDep,
              _: Annotated[Principal, Depends(allow("admin.isolation"))]) -> IsolationOut:
    switch.refresh()
    return state_out(switch, clock)


@router.post("/isolate", name="admin.isolate")
def isolate(body: IsolateIn, switch: SwitchDep, clock: ClockDep, trail: AuditTrailDep,
            who: Annotated[Principal, Depends(allow("admin.isolate"))]) -> IsolationOut:
    turn_on(switch, clock.now_us(), who, body.reason, trail.record)
    return state_out(switch, clock)


@router.delete("/isolate", name="admin.lift")
def lift(switch: SwitchDep, clock: ClockDep, trail: AuditTrailDep,
         who: Annotated[Principal, Depends(allow("admin.lift"))],
         reason: Annotated[str, Query(min_length=3, max_length=500, pattern=r"^[^\x00-\x1f\x7f]+$")] = "lifted") -> IsolationOut:
    turn_off(switch, clock.now_us(), who, reason, trail.record)
    return state_out(switch, clock)


def alert_out(a: StoredAlert, tz) -> LeakAlertOut:
    return LeakAlertOut(id=a.id, rule=a.rule, subject=a.subject, message=a.message, count=a.count,
                        raised_at=to_dt(a.raised_us, tz), acknowledged_at=to_dt_or_none(a.acknowledged_us, tz),
                        acknowledged_by=a.acknowledged_by)


@router.get("/leak-alerts", name="leaks.list")
def leak_alerts(leaks: LeaksDep, clock: ClockDep, _: Annotated[Principal, Depends(allow("leaks.list"))],
                open_only: bool = True, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[LeakAlertOut]:
    leaks.scan()  # fresh: do not wait for the background scan
    return [alert_out(a, clock.tz) for a in leaks.alerts(open_only, limit)]


@router.post("/leak-alerts/{alert_id:int}/acknowledge", name="leaks.ack")
def acknowledge(alert_id: Annotated[int, Path(ge=1, le=2**62)], leaks: LeaksDep, clock: ClockDep, trail: AuditTrailDep,
                who: Annotated[Principal, Depends(allow("leaks.ack"))]) -> list[LeakAlertOut]:
    leaks.acknowledge(alert_id, who.username)
    trail.record(who, "leak_alert_acknowledged", reason=f"alert {alert_id}")
    return [alert_out(a, clock.tz) for a in leaks.alerts(True)]
