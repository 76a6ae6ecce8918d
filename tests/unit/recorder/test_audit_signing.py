"""The recorder's audit events are signed so the api accepts them, and only them (issue 12)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from roadcam.common.devhooks import StackInfo
from roadcam.common.signing import service_key
from roadcam.devstack.stack import service_env
from services.api import messages as api_messages
from services.api.audit_intake import AuditIntake
from services.recorder import messages
from services.recorder.audit import audit_event, signed

MASTER = b"the api's audit signing master, long enough"


def as_received(entry) -> object:
    """What the api decodes from the bus for this entry."""
    return api_messages.audit_event(messages.audit_message(entry))


def test_a_signed_recorder_event_is_accepted_and_a_tampered_one_refused() -> None:
    entry = audit_event("hold", "cam-1", 1, 2, "police request", {"hold_id": "h1"}, identity="h1")
    good = signed(entry, service_key(MASTER, "recorder"))
    assert good.event_id != entry.event_id  # not guessable from the public identity
    assert signed(entry, service_key(MASTER, "recorder")).event_id == good.event_id  # retries de-duplicate
    intake = AuditIntake(MASTER)
    assert [r.action for r in intake.accept([as_received(good)])] == ["hold"]
    assert intake.accept([as_received(replace(good, reason="nothing to see"))]) == []
    assert intake.accept([as_received(signed(entry, service_key(b"another master key....", "recorder")))]) == []
    assert intake.accept([as_received(entry)]) == []  # unsigned


def test_the_local_stack_gives_the_recorder_the_key_the_api_derives(tmp_path: Path) -> None:
    stack = StackInfo(str(tmp_path), "cameras.yaml", "127.0.0.1:1", "redis://127.0.0.1:2/0", "127.0.0.1:3", "")
    service_env("recorder", stack, health_port=0)
    service_env("api", stack, health_port=0)
    secrets = tmp_path / "secrets"
    master = (secrets / "roadcam_api_audit_signing_key").read_text().encode()
    recorder_key = bytes.fromhex((secrets / "roadcam_recorder_audit_key").read_text())
    assert recorder_key == service_key(master, "recorder")
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in secrets.iterdir())
    entry = signed(audit_event("release", "cam-1", 1, 2, "closed", {}, identity="x"), recorder_key)
    assert AuditIntake(master).accept([as_received(entry)])
