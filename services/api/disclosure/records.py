"""Plain records the disclosure stores hand out (no SQLAlchemy rows outside the stores)."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.api.disclosure.model import Method, State


@dataclass(frozen=True)
class RequestForm:
    """What the operator enters from the written request (Midori 様式第1号)."""

    requester_org: str
    legal_basis: str
    cameras: tuple[str, ...]
    range_start_us: int
    range_end_us: int
    reason: str
    method: Method
    requester_address: str = ""
    requester_representative: str = ""
    contact_department: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    identity_document: str = ""
    identity_checked_by: str = ""
    legal_basis_detail: str = ""
    medium: str = ""
    medium_detail: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ProvisionRequest:
    id: int
    state: State
    form: RequestForm
    departments: tuple[str, ...]
    registered_by: str
    received_us: int
    first_approved_by: str = ""
    first_approved_us: int = 0
    decided_by: str = ""
    decided_us: int = 0
    decision_reason: str = ""
    fulfilled_us: int = 0
    closed_us: int = 0
    withdrawn_reason: str = ""
    has_document: bool = False


@dataclass(frozen=True)
class HoldRecord:
    command_id: str
    request_id: int | None
    camera_id: str
    range_start_us: int
    range_end_us: int
    kind: str
    reason: str
    requested_by: str
    created_us: int
    confirmed_us: int = 0
    segments: int = -1
    released_us: int = 0
    release_reason: str = ""
    release_confirmed_us: int = 0

    @property
    def active(self) -> bool:
        return not self.released_us


@dataclass(frozen=True)
class HoldCommand:
    """One command for the recorder (roadcam.commands.v1 LegalHoldCommand)."""

    command_id: str
    camera_id: str
    range_start_us: int
    range_end_us: int
    release: bool
    requested_by: str
    reason: str
    request_id: str = ""
    seq: int = 0
    hold_id: str = ""  # the hold placed, or the one a release ends (only that one)


@dataclass(frozen=True)
class HoldConfirmation:
    """The recorder applied a hold command (read from its hold/release audit event)."""

    command_id: str
    release: bool
    time_us: int
    segments: int = -1
    released: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ExportRecord:
    id: str
    request_id: int
    camera_id: str
    path: str
    clip_sha256: str
    size_bytes: int
    exported_by: str
    created_us: int
    expires_us: int
    downloaded_us: int = 0
    downloaded_from: str = ""


@dataclass(frozen=True)
class Viewing:
    """One 画像閲覧等記録書 entry (Tottori 別記様式)."""

    request_id: int
    time_us: int
    counterpart_org: str
    counterpart_name: str
    counterpart_contact: str
    reason: str
    content: str
    cameras: tuple[str, ...]
    range_start_us: int
    range_end_us: int
    method: str  # view_only, network, medium, other
    other: str
    handled_by: str
