"""Schema for provision requests, holds, viewing log, exports (issue 11).

Revision ID: 0004
Revises: 0003

The revision chain is fixed in advance (0002 api security, 0003 console, 0004 disclosure,
0005 operations) so features built side by side never create two heads; a feature with no
tables yet leaves its step empty. Tables: services/api/disclosure/tables.py.
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AutoId = sa.BigInteger().with_variant(sa.Integer, "sqlite")
US = sa.BigInteger


def _requests() -> None:
    text = {name: sa.Column(name, sa.Text, nullable=False) for name in ("cameras", "departments", "reason")}
    op.create_table(
        "disclosure_requests",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("requester_org", sa.String(200), nullable=False),
        sa.Column("requester_address", sa.Text, nullable=False),
        sa.Column("requester_representative", sa.String(200), nullable=False),
        sa.Column("contact_department", sa.String(200), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_phone", sa.String(50), nullable=False),
        sa.Column("identity_document", sa.String(200), nullable=False),
        sa.Column("identity_checked_by", sa.String(100), nullable=False),
        sa.Column("legal_basis", sa.String(40), nullable=False),
        sa.Column("legal_basis_detail", sa.Text, nullable=False),
        text["cameras"], text["departments"],
        sa.Column("range_start_us", US, nullable=False),
        sa.Column("range_end_us", US, nullable=False),
        text["reason"],
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("medium", sa.String(20), nullable=False),
        sa.Column("medium_detail", sa.String(200), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("received_us", US, nullable=False),
        sa.Column("first_approved_by", sa.String(100), nullable=False),
        sa.Column("first_approved_us", US, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_us", US, nullable=False),
        sa.Column("decision_reason", sa.Text, nullable=False),
        sa.Column("fulfilled_us", US, nullable=False),
        sa.Column("closed_us", US, nullable=False),
        sa.Column("withdrawn_reason", sa.Text, nullable=False),
    )
    op.create_index("ix_disclosure_requests_state", "disclosure_requests", ["state"])


def _documents() -> None:
    op.create_table(
        "disclosure_documents",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("request_id", AutoId, sa.ForeignKey("disclosure_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", US, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_us", US, nullable=False),
    )
    op.create_index("ix_disclosure_documents_request_id", "disclosure_documents", ["request_id"])


def _holds() -> None:
    op.create_table(
        "disclosure_holds",
        sa.Column("command_id", sa.String(200), primary_key=True),
        sa.Column("request_id", US, nullable=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("range_start_us", US, nullable=False),
        sa.Column("range_end_us", US, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("created_us", US, nullable=False),
        sa.Column("confirmed_us", US, nullable=False),
        sa.Column("segments", US, nullable=False),
        sa.Column("released_us", US, nullable=False),
        sa.Column("release_reason", sa.Text, nullable=False),
        sa.Column("release_confirmed_us", US, nullable=False),
    )
    op.create_index("ix_disclosure_holds_request_id", "disclosure_holds", ["request_id"])
    op.create_table(
        "disclosure_outbox",
        sa.Column("seq", AutoId, primary_key=True, autoincrement=True),
        sa.Column("command_id", sa.String(200), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("range_start_us", US, nullable=False),
        sa.Column("range_end_us", US, nullable=False),
        sa.Column("release", sa.Boolean, nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("created_us", US, nullable=False),
        sa.Column("sent_us", US, nullable=False),
    )
    op.create_index("ix_disclosure_outbox_sent", "disclosure_outbox", ["sent_us", "seq"])


def _exports_and_viewings() -> None:
    op.create_table(
        "disclosure_exports",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("request_id", AutoId, sa.ForeignKey("disclosure_requests.id"), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("clip_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", US, nullable=False),
        sa.Column("exported_by", sa.String(100), nullable=False),
        sa.Column("created_us", US, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("expires_us", US, nullable=False),
        sa.Column("downloaded_us", US, nullable=False),
        sa.Column("downloaded_from", sa.String(100), nullable=False),
    )
    op.create_index("ix_disclosure_exports_request_id", "disclosure_exports", ["request_id"])
    op.create_table(
        "disclosure_viewings",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("request_id", AutoId, sa.ForeignKey("disclosure_requests.id"), nullable=False),
        sa.Column("time_us", US, nullable=False),
        sa.Column("counterpart_org", sa.String(200), nullable=False),
        sa.Column("counterpart_name", sa.String(200), nullable=False),
        sa.Column("counterpart_contact", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("cameras", sa.Text, nullable=False),
        sa.Column("range_start_us", US, nullable=False),
        sa.Column("range_end_us", US, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("other", sa.Text, nullable=False),
        sa.Column("handled_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_disclosure_viewings_request_id", "disclosure_viewings", ["request_id"])


def upgrade() -> None:
    _requests()
    _documents()
    _holds()
    _exports_and_viewings()


def downgrade() -> None:
    for table in ("disclosure_viewings", "disclosure_exports", "disclosure_outbox", "disclosure_holds",
                  "disclosure_documents", "disclosure_requests"):
        op.drop_table(table)
