"""The audit log through the API: login failures and account changes are recorded, tampering in
the database is reported at the right entry, and the CSV export carries the chain."""
from __future__ import annotations

import csv
import io

from sqlalchemy import delete, text, update

from services.api.audit_chain import AuditRecord
from services.api.auth.roles import Role
from services.api.db.tables import AuditEntry
from tests.unit.api.apikit import PASSWORD, Api


def fill(api: Api, n: int) -> None:
    for i in range(1, n + 1):
        api.parts.audit.append(AuditRecord(f"ev-{i}", api.clock.now_us + i, "operator-7", "view", "bridge-1",
                                         100, 200, "incident 2026-041", "player", {"i": str(i)}))


def test_verify_names_the_tampered_entry(api: Api) -> None:
    fill(api, 30)
    headers = api.role_headers()[Role.AUDITOR]
    assert api.client.get("/api/v1/audit/verify", headers=headers).json()["ok"] is True
    with api.parts.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.event_id == "ev-17").values(reason="nothing to see"))
    body = api.client.get("/api/v1/audit/verify", headers=headers).json()
    assert body["ok"] is False
    seq = _seq_of(api, "ev-17")
    assert body["first_broken_seq"] == seq and body["checked"] == seq - 1


def test_deleted_entries_are_detected(api: Api) -> None:
    fill(api, 10)
    headers = api.role_headers()[Role.AUDITOR]
    middle, last = _seq_of(api, "ev-5"), _seq_of(api, "ev-10")
    with api.parts.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    assert api.client.get("/api/v1/audit/verify", headers=headers).json()["first_broken_seq"] == last
    with api.parts.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.seq == middle))
    assert api.client.get("/api/v1/audit/verify", headers=headers).json()["first_broken_seq"] == middle + 1


def test_duplicate_event_ids_are_stored_once(api: Api) -> None:
    fill(api, 5)
    fill(api, 5)
    assert len(api.parts.audit.entries(_all())) == 5
    assert api.parts.audit.verify().ok


def test_failed_login_is_audited_with_who_and_how(api: Api) -> None:
    api.add_account("clerk", Role.ANALYST)
    r = api.client.post("/api/v1/auth/token", json={"username": "clerk", "password": "wrong password!"})
    assert r.status_code == 401
    headers = api.role_headers()[Role.MANAGER]
    rows = api.client.get("/api/v1/audit", params={"action": "login_failed"}, headers=headers).json()
    assert [(e["actor"], e["method"]) for e in rows] == [("clerk", "password")]
    assert rows[0]["details"]["client"] == "testclient"


def test_account_changes_are_audited_as_config_changes(api: Api) -> None:
    headers = api.role_headers()[Role.MANAGER]
    r = api.client.post("/api/v1/accounts", headers=headers, json={
        "username": "op1", "password": PASSWORD, "role": "analyst", "departments": ["roads"]})
    assert r.status_code == 201, r.text
    api.client.patch("/api/v1/accounts/op1", headers=headers, json={"disabled": True})
    rows = api.client.get("/api/v1/audit", params={"action": "config_change"}, headers=headers).json()
    assert [e["details"]["account"] for e in rows] == ["op1", "op1"]
    assert all(e["actor"] == "manager-all" for e in rows)


def test_csv_export_has_every_entry_and_its_hashes(api: Api) -> None:
    fill(api, 12)
    headers = api.role_headers()[Role.AUDITOR]
    r = api.client.get("/api/v1/audit/export.csv", params={"bom": "true", "actor": "operator-7"}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["event_id"] for row in rows] == [f"ev-{i}" for i in range(1, 13)]
    assert all(len(row["hash"]) == 64 and row["reason"] == "incident 2026-041" for row in rows)
    assert rows[1]["prev_hash"] == rows[0]["hash"]


def _seq_of(api: Api, event_id: str) -> int:
    with api.parts.engine.connect() as conn:
        return conn.execute(text("SELECT seq FROM audit_log WHERE event_id = :e"), {"e": event_id}).scalar_one()


def _all():
    from services.api.store.audit import AuditFilter
    return AuditFilter(limit=10_000)
