"""Complaints as the API answers them, as CSV rows and as a printable register (Japanese headings)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from html import escape

from services.api.operations.complaints import Complaint
from services.api.operations.schemas import ComplaintOut
from services.api.times import to_dt, to_dt_or_none

CATEGORY_JA = {"complaint": "苦情", "inquiry": "問い合わせ", "request": "要望", "other": "その他"}
STATUS_JA = {"open": "受付", "in_progress": "対応中", "closed": "完了"}
CSV_COLUMNS = ("id", "received_at", "category", "camera_id", "contact_name", "contact", "summary", "handling",
               "handled_by", "status", "closed_at", "created_by", "updated_at")
HEADINGS_JA = ("番号", "受付日時", "区分", "カメラ", "氏名", "連絡先", "内容", "対応内容", "対応者", "状況", "完了日",
               "記録者", "更新日時")


def out(c: Complaint, tz: tzinfo) -> ComplaintOut:
    return ComplaintOut(id=c.id, received_at=to_dt(c.received_us, tz), category=c.category, camera_id=c.camera_id,
                        contact_name=c.contact_name, contact=c.contact, summary=c.summary, handling=c.handling,
                        handled_by=c.handled_by, status=c.status, closed_at=to_dt_or_none(c.closed_us, tz),
                        created_by=c.created_by, updated_at=to_dt(c.updated_us, tz))


def _stamp(us: int | None, tz: tzinfo) -> str:
    return to_dt(us, tz).strftime("%Y-%m-%d %H:%M") if us else ""


def csv_row(c: Complaint, tz: tzinfo) -> dict:
    return {"id": c.id, "received_at": _stamp(c.received_us, tz), "category": CATEGORY_JA[c.category.value],
            "camera_id": c.camera_id, "contact_name": c.contact_name, "contact": c.contact, "summary": c.summary,
            "handling": c.handling, "handled_by": c.handled_by, "status": STATUS_JA[c.status.value],
            "closed_at": _stamp(c.closed_us, tz), "created_by": c.created_by, "updated_at": _stamp(c.updated_us, tz)}


def printable(found: Sequence[Complaint], tz: tzinfo, now_us: int) -> str:
    head = "".join(f"<th>{h}</th>" for h in HEADINGS_JA)
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in csv_row(c, tz).values()) + "</tr>"
                   for c in found)
    return ('<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>問い合わせ・苦情等処理簿</title>'
            "<style>body{font-family:sans-serif;font-size:10pt}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #000;padding:2px 4px;vertical-align:top}@page{size:A4 landscape}</style>"
            f"</head><body><h1>問い合わせ・苦情等処理簿</h1><p>出力日時 {_stamp(now_us, tz)}　件数 {len(found)}</p>"
            f'<table id="complaints"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>')
