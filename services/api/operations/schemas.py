"""Request and response bodies of the operations routes."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from services.api.operations.complaints import Category, Status
from services.api.schemas import Body, IsoDateTime

OneLine = Field(pattern=r"^[^\x00-\x1f\x7f]*$")


class IsolateIn(Body):
    reason: str = Field(min_length=3, max_length=500, pattern=r"^[^\x00-\x1f\x7f]+$",
                        description="why access is cut (recorded in the audit log)")


class IsolationOut(Body):
    isolated: bool
    changed_at: datetime | None
    changed_by: str
    reason: str
    propagation_s: float = Field(description="how long other replicas may take to apply a change (poll interval)")


class LeakAlertOut(Body):
    id: int
    rule: str
    subject: str
    message: str
    count: int
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str


class ComplaintIn(Body):
    received_at: IsoDateTime | None = Field(None, description="when it came in; default now")
    category: Category
    camera_id: str | None = Field(None, max_length=64, description="the camera concerned, if any")
    contact_name: str = Field("", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
    contact: str = Field("", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$", description="phone, e-mail or address")
    summary: str = Field(min_length=1, max_length=5000)
    handling: str = Field("", max_length=5000)
    handled_by: str | None = Field(None, max_length=64, description="account that handled it; default the caller")
    status: Status = Status.OPEN


class ComplaintPatch(Body):
    handling: str | None = Field(None, max_length=5000)
    handled_by: str | None = Field(None, max_length=64)
    status: Status | None = None
    closed_at: IsoDateTime | None = None


class ComplaintOut(Body):
    id: int
    received_at: datetime
    category: Category
    camera_id: str
    contact_name: str
    contact: str
    summary: str
    handling: str
    handled_by: str
    status: Status
    closed_at: datetime | None
    created_by: str
    updated_at: datetime
