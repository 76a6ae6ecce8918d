"""HTTP bodies for /api/v1/requests, holds, exports and registers. Times without a zone are local."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.api.disclosure.labels import iso_local
from services.api.disclosure.model import BASES
from services.api.disclosure.records import HoldRecord, ProvisionRequest
from services.api.schemas import Body, IsoDateTime

CameraId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Text200 = Annotated[str, StringConstraints(max_length=200)]
LegalBasis = Literal[tuple(BASES)]  # type: ignore[valid-type]


class RequestIn(Body):
    """Midori 様式第1号, field by field."""

    requester_org: Text200 = Field(min_length=1, description="機関名等")
    requester_address: Annotated[str, StringConstraints(max_length=500)] = Field("", description="住所")
    requester_representative: Text200 = Field("", description="代表者氏名")
    contact_department: Text200 = Field("", description="連絡先 部署名")
    contact_name: Text200 = Field("", description="連絡先 担当者名")
    contact_phone: Annotated[str, StringConstraints(max_length=50)] = Field("", description="連絡先 電話番号")
    identity_document: Text200 = Field("", description="本人確認書類 (e.g. 警察手帳)")
    identity_checked_by: Text200 = Field("", description="本人確認をした者")
    legal_basis: LegalBasis = Field(description="根拠法令等 (see GET /api/v1/requests/bases)")
    legal_basis_detail: Annotated[str, StringConstraints(max_length=500)] = Field("", description="その他（　）")
    cameras: list[CameraId] = Field(min_length=1, max_length=20, description="提供画像（設置カメラ）")
    start: IsoDateTime = Field(description="提供画像日時 自 (no zone = local time)")
    end: IsoDateTime = Field(description="至 (no zone = local time)")
    reason: Annotated[str, StringConstraints(max_length=2000)] = Field(min_length=1, description="申請理由")
    method: Literal["view_only", "rerecording", "data_provision"] = Field(description="提供方法")
    medium: Literal["", "usb", "dvd", "network", "other"] = Field("", description="記録媒体")
    medium_detail: Text200 = ""
    notes: Annotated[str, StringConstraints(max_length=2000)] = Field("", description="特記事項")


class DocumentIn(Body):
    """The written request (照会書): a PDF or an image, base64. It is sealed before it is stored."""

    filename: Text200 = Field(min_length=1)
    content_type: Literal["application/pdf", "image/png", "image/jpeg", "image/tiff"]
    data_base64: Annotated[str, StringConstraints(max_length=28_000_000)] = Field(min_length=4)


class DecisionIn(Body):
    approve: bool
    reason: Annotated[str, StringConstraints(max_length=2000)] = Field(min_length=1, description="理由")


class ReasonIn(Body):
    reason: Annotated[str, StringConstraints(max_length=2000)] = Field(min_length=1)


class ViewingIn(Body):
    """An in-office viewing (画像閲覧) or filming of the playback, as the 画像閲覧等記録書 records it."""

    counterpart_name: Text200 = Field("", description="職・氏名 (default: the request's representative)")
    content: Annotated[str, StringConstraints(max_length=2000)] = Field("", description="画像内容")
    other: Annotated[str, StringConstraints(max_length=2000)] = Field("", description="その他")


class HoldIn(Body):
    camera: CameraId
    start: IsoDateTime
    end: IsoDateTime
    reason: Annotated[str, StringConstraints(max_length=2000)] = Field(min_length=1)


class HoldOut(Body):
    command_id: str
    request_id: int | None
    camera_id: str
    start: datetime
    end: datetime
    kind: str
    reason: str
    confirmed: bool
    confirmed_at: datetime | None
    segments: int
    released_at: datetime | None
    release_confirmed_at: datetime | None = None  # when the recorder confirmed it ended the hold

    @classmethod
    def of(cls, h: HoldRecord, tz) -> HoldOut:
        when = (lambda us: datetime.fromisoformat(iso_local(us, tz)) if us else None)
        return cls(command_id=h.command_id, request_id=h.request_id, camera_id=h.camera_id,
                   start=when(h.range_start_us), end=when(h.range_end_us), kind=h.kind, reason=h.reason,
                   confirmed=bool(h.confirmed_us), confirmed_at=when(h.confirmed_us), segments=h.segments,
                   released_at=when(h.released_us), release_confirmed_at=when(h.release_confirmed_us))


class RequestOut(Body):
    id: int
    state: str
    registered_by: str
    received_at: datetime
    start: datetime
    end: datetime
    cameras: list[str]
    legal_basis: str
    method: str
    requester_org: str
    reason: str
    first_approved_by: str
    decided_by: str
    decision_reason: str
    has_document: bool
    holds: list[HoldOut] = []

    @classmethod
    def of(cls, r: ProvisionRequest, tz, holds: list[HoldRecord] = ()) -> RequestOut:
        when = (lambda us: datetime.fromisoformat(iso_local(us, tz)))
        return cls(id=r.id, state=r.state.value, registered_by=r.registered_by, received_at=when(r.received_us),
                   start=when(r.form.range_start_us), end=when(r.form.range_end_us), cameras=list(r.form.cameras),
                   legal_basis=r.form.legal_basis, method=r.form.method.value, requester_org=r.form.requester_org,
                   reason=r.form.reason, first_approved_by=r.first_approved_by, decided_by=r.decided_by,
                   decision_reason=r.decision_reason, has_document=r.has_document,
                   holds=[HoldOut.of(h, tz) for h in holds])


class ExportOut(Body):
    export_id: str
    camera_id: str
    clip_sha256: str
    download_url: str = Field(description="one-time link; works once, until expires_at")
    expires_at: datetime
