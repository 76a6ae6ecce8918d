"""The recorder's confirmation of a hold command: its `hold`/`release` audit event, which it
publishes only after the hold is applied in storage (object lock set, day keys pinned)."""
from __future__ import annotations

from collections.abc import Iterable

from services.api.audit_chain import AuditRecord
from services.api.disclosure.records import HoldConfirmation

RECORDER_METHOD = "recorder"


def confirmations(records: Iterable[AuditRecord]) -> list[HoldConfirmation]:
    found = []
    for r in records:
        command_id = r.details.get("command_id", "")
        if r.method != RECORDER_METHOD or r.action not in ("hold", "release") or not command_id:
            continue
        if r.action == "hold":
            segments = r.details.get("segments", "")
            found.append(HoldConfirmation(command_id, False, r.time_us, int(segments) if segments.isdigit() else -1))
        else:
            found.append(HoldConfirmation(command_id, True, r.time_us, released=_released(r.details)))
    return found


def _released(details: dict[str, str]) -> tuple[str, ...]:
    """The hold a release ended. `hold_id` is confirmed even when the recorder no longer had it (a
    repeated release): either way that hold no longer protects anything. Recorders before hold ids
    listed what their range release removed (`released_holds`)."""
    if details.get("hold_id"):
        return (details["hold_id"],)
    return tuple(x for x in details.get("released_holds", "").split(",") if x)
