"""The disclosure tables (migration 0004). Times are microseconds since the Unix epoch.

Imported by `services.api.db.tables` so there is one metadata for Alembic and the schema test.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.tables import AutoId, Base


class ProvisionRequestRow(Base):
    """One 画像提供申請書 (Midori 様式第1号) and what became of it."""

    __tablename__ = "disclosure_requests"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)  # the register's No.
    state: Mapped[str] = mapped_column(String(16))
    requester_org: Mapped[str] = mapped_column(String(200))        # 機関名等
    requester_address: Mapped[str] = mapped_column(Text, default="")  # 住所
    requester_representative: Mapped[str] = mapped_column(String(200), default="")  # 代表者氏名
    contact_department: Mapped[str] = mapped_column(String(200), default="")  # 連絡先 部署名
    contact_name: Mapped[str] = mapped_column(String(200), default="")  # 担当者名
    contact_phone: Mapped[str] = mapped_column(String(50), default="")  # 電話番号
    identity_document: Mapped[str] = mapped_column(String(200), default="")  # 本人確認書類
    identity_checked_by: Mapped[str] = mapped_column(String(100), default="")
    legal_basis: Mapped[str] = mapped_column(String(40))            # 根拠法令等
    legal_basis_detail: Mapped[str] = mapped_column(Text, default="")  # その他（　）
    cameras: Mapped[str] = mapped_column(Text)                      # JSON list: 提供画像（設置カメラ）
    departments: Mapped[str] = mapped_column(Text)                  # JSON list of the cameras' departments
    range_start_us: Mapped[int] = mapped_column(BigInteger)         # 提供画像日時 自
    range_end_us: Mapped[int] = mapped_column(BigInteger)           # 至
    reason: Mapped[str] = mapped_column(Text)                       # 申請理由
    method: Mapped[str] = mapped_column(String(20))                 # 提供方法
    medium: Mapped[str] = mapped_column(String(20), default="")     # 記録媒体
    medium_detail: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")            # 特記事項
    registered_by: Mapped[str] = mapped_column(String(100))         # 取扱者
    received_us: Mapped[int] = mapped_column(BigInteger)            # 申請受付日
    first_approved_by: Mapped[str] = mapped_column(String(100), default="")
    first_approved_us: Mapped[int] = mapped_column(BigInteger, default=0)
    decided_by: Mapped[str] = mapped_column(String(100), default="")  # 運用責任者
    decided_us: Mapped[int] = mapped_column(BigInteger, default=0)
    decision_reason: Mapped[str] = mapped_column(Text, default="")  # 特記事項または提供不可の理由
    fulfilled_us: Mapped[int] = mapped_column(BigInteger, default=0)  # 提供日時
    closed_us: Mapped[int] = mapped_column(BigInteger, default=0)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_disclosure_requests_state", "state"),)


class RequestDocumentRow(Base):
    """The written request (照会書), AES-256-GCM sealed: no plaintext copy is ever stored."""

    __tablename__ = "disclosure_documents"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # nonce || ciphertext+tag
    key_id: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_us: Mapped[int] = mapped_column(BigInteger)


class HoldRow(Base):
    """A hold the api asked the recorder for, and whether the recorder confirmed it (R4)."""

    __tablename__ = "disclosure_holds"
    command_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    range_start_us: Mapped[int] = mapped_column(BigInteger)
    range_end_us: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # preservation, legal, direct
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(100))
    created_us: Mapped[int] = mapped_column(BigInteger)
    confirmed_us: Mapped[int] = mapped_column(BigInteger, default=0)
    segments: Mapped[int] = mapped_column(BigInteger, default=-1)  # as the recorder reported; -1 = not yet
    released_us: Mapped[int] = mapped_column(BigInteger, default=0)
    release_reason: Mapped[str] = mapped_column(Text, default="")
    release_confirmed_us: Mapped[int] = mapped_column(BigInteger, default=0)


class HoldOutboxRow(Base):
    """Hold commands waiting for the bus: written with the state change, sent by `HoldSender`."""

    __tablename__ = "disclosure_outbox"
    seq: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    command_id: Mapped[str] = mapped_column(String(200))
    camera_id: Mapped[str] = mapped_column(String(64))
    range_start_us: Mapped[int] = mapped_column(BigInteger)
    range_end_us: Mapped[int] = mapped_column(BigInteger)
    release: Mapped[bool] = mapped_column(Boolean)
    requested_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    created_us: Mapped[int] = mapped_column(BigInteger)
    sent_us: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (Index("ix_disclosure_outbox_sent", "sent_us", "seq"),)


class ExportRow(Base):
    """One exported clip package and its one-time link (only the link's hash is kept)."""

    __tablename__ = "disclosure_exports"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    clip_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    exported_by: Mapped[str] = mapped_column(String(100))
    created_us: Mapped[int] = mapped_column(BigInteger)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_us: Mapped[int] = mapped_column(BigInteger)
    downloaded_us: Mapped[int] = mapped_column(BigInteger, default=0)
    downloaded_from: Mapped[str] = mapped_column(String(100), default="")


class ViewingRow(Base):
    """One 画像閲覧等記録書 entry (Tottori 別記様式): a viewing or a provision of footage."""

    __tablename__ = "disclosure_viewings"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    time_us: Mapped[int] = mapped_column(BigInteger)                 # 閲覧等日時
    counterpart_org: Mapped[str] = mapped_column(String(200))        # 閲覧等の相手方（所属）
    counterpart_name: Mapped[str] = mapped_column(String(200))       # 職・氏名
    counterpart_contact: Mapped[str] = mapped_column(String(100))    # 連絡先
    reason: Mapped[str] = mapped_column(Text)                        # 閲覧等理由
    content: Mapped[str] = mapped_column(Text, default="")           # 画像内容
    cameras: Mapped[str] = mapped_column(Text)                       # 撮影範囲
    range_start_us: Mapped[int] = mapped_column(BigInteger)          # 録画期間
    range_end_us: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(20))                  # 閲覧等方法
    other: Mapped[str] = mapped_column(Text, default="")             # その他
    handled_by: Mapped[str] = mapped_column(String(100))             # 閲覧等取扱者氏名
