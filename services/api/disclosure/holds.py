"""Which hold commands a request's state change needs (R4), written with the change in one transaction.

A release names the one hold it ends (its command id): the recorder removes exactly that hold, so
another request's hold on the same footage stays without being placed again.
"""
from __future__ import annotations

from services.api.disclosure.records import HoldCommand, HoldRecord, ProvisionRequest
from services.api.disclosure.store_holds import HoldStore, release_command_id

PRESERVATION, LEGAL, DIRECT = "preservation", "legal", "direct"


def request_hold_id(request_id: int, camera_id: str) -> str:
    return f"request-{request_id}-{camera_id}"


def place_command(hold: HoldRecord) -> HoldCommand:
    return HoldCommand(hold.command_id, hold.camera_id, hold.range_start_us, hold.range_end_us, False,
                       hold.requested_by, hold.reason, str(hold.request_id or ""), hold_id=hold.command_id)


def release_command(hold: HoldRecord, who: str, reason: str) -> HoldCommand:
    return HoldCommand(release_command_id(hold.command_id), hold.camera_id, hold.range_start_us, hold.range_end_us,
                       True, who, reason, str(hold.request_id or ""), hold_id=hold.command_id)


class HoldPlanner:
    def __init__(self, store: HoldStore) -> None:
        self.store = store

    def preserve(self, request: ProvisionRequest, now_us: int, conn) -> list[HoldRecord]:
        """Registration: a preservation hold per camera over the requested range, at once."""
        holds = []
        for camera in request.form.cameras:
            hold = HoldRecord(request_hold_id(request.id, camera), request.id, camera, request.form.range_start_us,
                              request.form.range_end_us, PRESERVATION,
                              f"preservation for provision request {request.id}", request.registered_by, now_us)
            self.store.add(hold, conn)
            self.store.enqueue(place_command(hold), now_us, conn)
            holds.append(hold)
        return holds

    def place_direct(self, hold: HoldRecord, now_us: int, conn) -> None:
        self.store.add(hold, conn)
        self.store.enqueue(place_command(hold), now_us, conn)

    def make_legal(self, request_id: int, conn) -> list[str]:
        ids = [h.command_id for h in self.store.of_request(request_id) if h.active]
        self.store.set_kind(ids, LEGAL, conn)
        return ids

    def release(self, hold: HoldRecord, who: str, reason: str, now_us: int, conn) -> None:
        self.store.mark_released(hold.command_id, reason, now_us, conn)
        self.store.enqueue(release_command(hold, who, reason), now_us, conn)

    def release_request(self, request_id: int, who: str, reason: str, now_us: int, conn) -> list[HoldRecord]:
        held = [h for h in self.store.of_request(request_id) if h.active]
        for hold in held:
            self.release(hold, who, reason, now_us, conn)
        return held
