"""`roadcam api create-account` and `roadcam api verify-audit` on a real SQLite file."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import update

from services.api.audit_chain import AuditRecord
from services.api.db.engine import make_engine
from services.api.db.tables import AuditEntry
from services.api.store.accounts import Accounts
from services.api.store.audit import AuditLog
from roadcam.cli.main import main


def test_create_account_and_verify_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("ROADCAM_API_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["api", "create-account", "op7", "--role", "operator", "--departments", "roads",
                 "--expires", "2026-12-31T00:00:00+09:00", "--conditions", "管理室のみ"]) == 0
    account = Accounts(make_engine(url)).get("op7")
    assert account is not None and account.departments == ("roads",) and account.expires_us
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["api", "create-account", "op8", "--role", "operator"]) == 2  # no expiry
    log = AuditLog(make_engine(url))
    created = [e.record for e in log.iter_all()]
    assert [(r.action, r.details["account"], r.method) for r in created] == [
        ("config_change", "op7", "cli roadcam api create-account")]  # only the account that was made
    for i in range(4):
        log.append(AuditRecord(f"e{i}", 1000 + i, "op7", "view"))
    capsys.readouterr()
    assert main(["api", "verify-audit"]) == 0 and "intact: 5" in capsys.readouterr().out
    with make_engine(url).begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.event_id == "e2").values(actor="someone"))
    assert main(["api", "verify-audit"]) == 1 and "BROKEN at entry 4" in capsys.readouterr().out
