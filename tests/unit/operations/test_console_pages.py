"""Console pages of the operations package: a manager isolates and lifts through the form (CSRF,
audit), the banner shows on every page, complaints are added and handled, the rules render."""
from __future__ import annotations

import re

from services.api.auth.roles import Role
from services.api.audit_trail import system_record
from services.api.operations.complaints import ComplaintFilter
from services.api.operations.isolation import IsolationState
from services.api.store.audit import AuditFilter
from tests.integration.console.consolekit import csrf_of, sign_in
from tests.unit.api.apikit import T0_US, Api


def test_manager_isolates_from_the_console_and_sees_the_banner(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    assert sign_in(api, "boss").status_code == 303
    page = api.client.get("/console/operations")
    assert page.status_code == 200 and 'id="isolate-banner"' not in page.text
    r = api.client.post("/console/operations/isolate", data={"csrf": csrf_of(page.text), "reason": "USB で持ち出しの疑い"},
                        follow_redirects=False)
    assert r.status_code == 303
    assert api.client.get("/api/v1/notices").status_code == 401  # the public is cut
    home = api.client.get("/console")
    assert home.status_code == 200 and 'id="isolate-banner"' in home.text  # managers keep the console
    assert api.client.post("/console/operations/isolate", data={"reason": "no csrf"}).status_code == 403
    r = api.client.post("/console/operations/lift", data={"csrf": csrf_of(home.text), "reason": "確認済み"},
                        follow_redirects=False)
    assert r.status_code == 303 and api.client.get("/api/v1/notices").status_code == 200
    methods = [e.record.method for e in api.parts.audit.entries(AuditFilter(actor="boss", limit=50))
               if e.record.action.startswith("isolate")]
    assert methods == ["console POST /console/operations/isolate", "console POST /console/operations/lift"]


def test_operator_console_session_is_refused_while_isolated(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    api.add_account("clerk", Role.OPERATOR)
    assert sign_in(api, "clerk").status_code == 303
    assert api.client.get("/console/complaints").status_code == 200
    api.client.app.state.ops.switch.set(IsolationState(True, T0_US, "boss", "test"))
    assert api.client.get("/console/complaints").status_code == 403
    api.client.cookies.clear()
    assert sign_in(api, "clerk").status_code == 401  # and cannot sign in again
    assert sign_in(api, "boss").status_code == 303  # managers can


def test_leak_alert_banner_for_managers(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    for i in range(8):
        api.parts.audit.append(system_record("ito", "export", "x", T0_US - i * 60_000_000, "test"))
    sign_in(api, "boss")
    page = api.client.get("/console/operations")
    assert "短時間の大量アクセス" in page.text and 'id="leak-banner"' in api.client.get("/console").text
    alert_id = re.search(r"/console/operations/alerts/(\d+)/ack", page.text).group(1)
    api.client.post(f"/console/operations/alerts/{alert_id}/ack", data={"csrf": csrf_of(page.text)})
    assert 'id="leak-banner"' not in api.client.get("/console").text


def test_complaints_page_adds_and_handles(api: Api) -> None:
    api.add_account("clerk", Role.OPERATOR)
    sign_in(api, "clerk")
    page = api.client.get("/console/complaints")
    assert page.status_code == 200 and "苦情・問い合わせ" in page.text
    r = api.client.post("/console/complaints", data={"csrf": csrf_of(page.text), "category": "complaint",
                                                     "camera_id": "bridge-1", "summary": "映りこみ", "contact": "x@y"},
                        follow_redirects=False)
    assert r.status_code == 303
    cid = api.client.app.state.ops.complaints.list(ComplaintFilter())[0].id
    r = api.client.post(f"/console/complaints/{cid}", data={"csrf": csrf_of(page.text), "handling": "説明済み",
                                                             "status": "closed"}, follow_redirects=False)
    assert r.status_code == 303
    page = api.client.get("/console/complaints")
    assert "説明済み" in page.text and "完了" in page.text
    bad = api.client.post("/console/complaints", data={"csrf": csrf_of(page.text), "category": "complaint"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    assert api.client.get("/console/complaints/export.csv").status_code == 403  # operators do not export


def test_rules_page_renders_every_item(api: Api) -> None:
    api.add_account("checker", Role.AUDITOR)
    sign_in(api, "checker")
    page = api.client.get("/console/rules?camera=bridge-1")
    assert page.status_code == 200
    assert re.findall(r'data-item="(\S)"', page.text) == list("アイウエオカキクケコ")
    printable = api.client.get("/console/rules/print")
    assert printable.status_code == 200 and printable.text.count("<article") == 3
