"""Legal holds (R4): object-lock legal hold on every overlapping segment, the days' keys pinned,
and a record under `_holds/` the sweeper and new segments consult.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from services.recorder.chain import days_between, day_prefix, overlaps
from services.recorder.keyring import DataKeyRing
from services.recorder.storage import RecordingStore

log = logging.getLogger(__name__)


class Hold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    command_id: str = Field(min_length=1, max_length=200)
    camera_id: str = Field(min_length=1, max_length=63)
    range_start_us: int = Field(ge=0)
    range_end_us: int = Field(ge=0)
    requested_by: str = Field("", max_length=200)
    reason: str = Field("", max_length=2000)
    request_id: str = Field("", max_length=200)

    def covers(self, start_us: int, end_us: int) -> bool:
        return self.range_start_us < end_us and self.range_end_us > start_us


@dataclass(frozen=True)
class HoldChange:
    """A legal-hold command: place `hold`, or (release) end the one hold `hold_id`.

    For a release, `hold` is the command itself (its id, camera, range, who and why, for the audit
    event); `hold_id` names the hold it ends. For a placement `hold_id` is the hold's own id.
    """

    hold: Hold
    release: bool
    hold_id: str = ""


def hold_key(camera_id: str, command_id: str) -> str:
    return f"_holds/{camera_id}/{command_id}.json"


class HoldBook:
    """Active holds, read from the store and kept current by `place`/`release`."""

    def __init__(self, store: RecordingStore, keyring: DataKeyRing) -> None:
        self._store, self._keyring = store, keyring
        self._holds: dict[str, Hold] = {}
        self._lock = threading.Lock()  # guards the dict (read on the upload path)
        # Serializes store-and-dict changes: a (re)load racing a new hold could otherwise list the
        # store before the hold was written and replace the dict after it was added, losing it.
        self._change_lock = threading.Lock()

    def load(self) -> None:
        with self._change_lock:
            holds = {}
            for name in self._store.names("_holds/"):
                doc = self._store.get_json(name)
                if doc:
                    hold = Hold.model_validate(doc)
                    holds[hold.command_id] = hold
            with self._lock:
                self._holds = holds

    def active(self, camera_id: str) -> list[Hold]:
        with self._lock:
            return [h for h in self._holds.values() if h.camera_id == camera_id]

    def held(self, camera_id: str, start_us: int, end_us: int) -> bool:
        return any(h.covers(start_us, end_us) for h in self.active(camera_id))

    def place(self, hold: Hold) -> int:
        """Record the hold, lock overlapping segments, pin their days' keys. Idempotent."""
        with self._change_lock:
            self._store.put_json(hold_key(hold.camera_id, hold.command_id), hold.model_dump())
            with self._lock:
                self._holds[hold.command_id] = hold
        return self._apply(hold.camera_id, hold.range_start_us, hold.range_end_us)

    def release(self, camera_id: str, hold_id: str) -> Hold | None:
        """End exactly the hold `hold_id` and unlock what no other hold still covers; another
        request's hold on the same footage stays. None if the camera has no such hold (already
        released: a re-delivered command)."""
        with self._change_lock:
            with self._lock:
                hold = self._holds.get(hold_id)
                if hold is None or hold.camera_id != camera_id:
                    return None
                del self._holds[hold_id]
            try:
                self._apply(camera_id, hold.range_start_us, hold.range_end_us)
                self._store.delete_all_versions(hold_key(camera_id, hold_id))
            except Exception:
                with self._lock:  # not released yet: the retried command must find it again
                    self._holds[hold_id] = hold
                raise
        return hold

    def _apply(self, camera_id: str, start_us: int, end_us: int) -> int:
        """Set each overlapping segment's legal hold to what the active holds say."""
        changed = 0
        for day in days_between(start_us, end_us):
            day_held = False
            for seg in self._store.segments(camera_id, day_prefix(camera_id, day)):
                if not overlaps(seg, start_us, end_us):
                    day_held |= self.held(camera_id, seg.start_us, seg.end_us)
                    continue
                want = self.held(camera_id, seg.start_us, seg.end_us)
                day_held |= want
                self._store.set_hold(seg.key, want)
                changed += 1
            self._keyring.pin_day(camera_id, day, day_held)
        return changed
