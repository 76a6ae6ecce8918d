"""Request and response bodies of the HTTP API (the OpenAPI is generated from these)."""
from __future__ import annotations

from datetime import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints

from services.api.auth.roles import Role
from services.api.disclosure.conditions import ViewingConditions

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
Department = Annotated[str, StringConstraints(pattern=r"^(\*|[a-z0-9][a-z0-9-]{0,62})$")]
AccountRole = Literal["manager", "operator", "auditor", "analyst"]  # public is the anonymous caller
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def _iso_only(value: Any) -> Any:
    # pydantic would read 0 or "0.5" as a Unix timestamp; the API documents ISO 8601 only.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO.match(value):
        raise ValueError("expected an ISO 8601 date-time such as 2026-06-01T09:00:00+09:00")
    return value


def _plausible(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2199:  # also keeps local-time arithmetic away from historic offsets
        raise ValueError("dates must lie between the years 2000 and 2199")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_plausible)]


class ErrorOut(BaseModel):
    """Every 4xx/5xx body: a readable message, and for invalid input the fields at fault."""

    detail: str
    errors: list[dict[str, Any]] | None = None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(Body):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


ConditionsText = Annotated[str, StringConstraints(max_length=2000)]  # the old free text, kept as the note


class AccountIn(Body):
    username: Username
    password: str | None = Field(None, min_length=12, max_length=256, description="None: external (OIDC) login only")
    role: AccountRole
    departments: list[Department] = Field(min_length=1, max_length=100, description='"*" = every department')
    expires_at: IsoDateTime | None = Field(None, description="required for operators (A1)")
    viewing_conditions: ViewingConditions | ConditionsText = Field(
        "", description="cameras, weekdays, hours (local), expiry (Odawara 7.3②); plain text is kept as the note")


class AccountPatch(Body):
    """Only the fields sent change. `password: null` leaves external (OIDC) login only."""

    password: str | None = Field(None, min_length=12, max_length=256)
    role: AccountRole = Field(None, validate_default=False)  # type: ignore[assignment]  # absent = unchanged
    departments: list[Department] = Field(None, min_length=1, max_length=100, validate_default=False)  # type: ignore[assignment]
    expires_at: IsoDateTime | None = Field(None, description="null = never expires (not for operators)")
    viewing_conditions: ViewingConditions | ConditionsText = Field(None, validate_default=False)  # type: ignore[assignment]
    disabled: StrictBool = Field(None, validate_default=False)  # type: ignore[assignment]


class AccountOut(Body):
    username: str
    role: Role
    departments: list[str]
    expires_at: datetime | None
    viewing_conditions: ViewingConditions
    disabled: bool


class ApiKeyIn(Body):
    label: str = Field("", max_length=100)


class ApiKeyOut(Body):
    key_id: str
    api_key: str = Field(description="shown once; send it as the X-API-Key header")


class MeOut(Body):
    username: str
    role: Role
    departments: list[str]
    expires_at: datetime | None
    viewing_conditions: ViewingConditions
    via: str


class HealthOut(Body):
    state: str
    fps: float
    bitrate_bps: float
    last_packet_at: datetime | None
    last_error: str
    error_kind: str
    reconnects: int
    reported_at: datetime
    online: bool


class ViewHealthOut(Body):
    camera_id: str
    state: Literal["ok", "faulty", "unknown"] = Field(description="unknown: the counter has not judged it yet")
    faults: list[str] = Field(description="frozen, covered, defocus, dark, glare, moved")
    since: datetime | None = Field(description="when the current faults (or health) began")
    reported_at: datetime | None
    reference_learned: bool = Field(description="false while the counter still learns the camera's view")


class CameraOut(Body):
    id: str
    name: str
    department: str
    purposes: list[str]
    counting_lines: list[str]
    records: bool
    health: HealthOut | None
    view_health: ViewHealthOut | None = Field(None, description="counting cameras: the counter's diagnosis of "
                                              "the picture")


class AlertOut(Body):
    camera_id: str
    kind: str
    message: str
    since: datetime | None


class NoticeOut(Body):
    camera_id: str
    camera_name: str
    operator: str
    manager: str | None
    purpose: str
    purposes: list[str]
    recorded: bool
    retention: str = Field(description="how long recordings are kept, or that none are made")
    retention_days: int | None
    contact: str
    monitoring_permitted: bool = Field(False, description="whether staff watch the anonymized view live (X5); "
                                       "raw footage is never watched live (R6)")


class CountRowOut(Body):
    camera_id: str
    line_id: str
    direction: str
    direction_name: str
    object_class: str
    census_class: str
    bin_start: datetime
    bin_minutes: int
    count: int
    final: bool
    quality: Literal["ok", "degraded", "unusable"] = Field(
        description="the camera's picture over the bin: degraded = a lower bound, unusable = not seen for half of "
        "it or more; a bin not seen is listed even with nothing counted (empty classes, count 0)")
    quality_reason: str = Field(description="the camera's faults during the bin, e.g. frozen,dark")
    size_basis: str = Field(description="how 小型車/大型車 was decided: ground_length, ground_width, image_size, "
                            "class_only; comma-separated if mixed")


class CountsOut(Body):
    bin_minutes: int
    start: datetime
    end: datetime
    rows: list[CountRowOut]
    view_health: list[ViewHealthOut] = Field(description="each camera's picture now (not over the bins)")


class OpenCountsOut(CountsOut):
    license: str


class LiveRowOut(Body):
    camera_id: str
    line_id: str
    direction: str
    direction_name: str
    census_class: str
    count: int


class LiveOut(Body):
    since: datetime
    rows: list[LiveRowOut]


class AuditOut(Body):
    seq: int
    event_id: str
    time: datetime
    actor: str
    action: str
    camera_id: str
    range_start: datetime | None
    range_end: datetime | None
    reason: str
    method: str
    details: dict[str, str]
    prev_hash: str
    hash: str


class VerifyOut(Body):
    ok: bool
    checked: int
    first_broken_seq: int | None
    problem: str


class SegmentOut(Body):
    camera_id: str
    object_key: str
    start: datetime
    end: datetime
    size_bytes: int
    codec: str
    chain_hash: str


class ReadyOut(Body):
    ready: bool
    database: str
    schema_revision: str | None
    consumers: bool
