"""Valid requests to the operations endpoints, for the role-matrix walk in tests/unit/api/test_role_matrix.py."""
from __future__ import annotations

from services.api.operations.tables import LeakAlertRow
from tests.unit.api.apikit import Api


def _complaint(api: Api) -> int:
    ops = api.client.app.state.ops
    from services.api.operations.complaints import Category, Complaint, Status

    return ops.complaints.add(Complaint(0, api.clock.now_us, Category.INQUIRY, "", "", "", "matrix walk", "", "target",
                                        Status.OPEN, None, "target", api.clock.now_us)).id


def _alert(api: Api, n: int) -> int:
    with api.parts.engine.begin() as conn:
        return conn.execute(LeakAlertRow.__table__.insert().values(
            alert_key=f"test|{n}", rule="volume", subject="x", message="m", count=1, raised_us=api.clock.now_us,
            acknowledged_us=None, acknowledged_by="")).inserted_primary_key[0]


def operations_request(api: Api, endpoint: str, n: int) -> tuple[str, str, dict | None] | None:
    simple = {
        "admin.isolation": ("GET", "/api/v1/admin/isolate", None),
        # The manager's cell isolates and the next row lifts it; while isolated, the other roles are
        # refused by the gate with the same 403/401 the matrix expects.
        "admin.isolate": ("POST", "/api/v1/admin/isolate", {"reason": "matrix walk"}),
        "admin.lift": ("DELETE", "/api/v1/admin/isolate?reason=matrix+walk", None),
        "leaks.list": ("GET", "/api/v1/admin/leak-alerts", None),
        "complaints.list": ("GET", "/api/v1/complaints", None),
        "complaints.create": ("POST", "/api/v1/complaints", {"category": "inquiry", "summary": f"question {n}"}),
        "complaints.export": ("GET", "/api/v1/complaints/export.csv", None),
        "complaints.print": ("GET", "/api/v1/complaints/print", None),
        "rules.print": ("GET", "/api/v1/rules?format=md", None),
    }
    if endpoint in simple:
        return simple[endpoint]
    if endpoint == "complaints.update":
        return "PATCH", f"/api/v1/complaints/{_complaint(api)}", {"handling": f"answered {n}"}
    if endpoint == "leaks.ack":
        return "POST", f"/api/v1/admin/leak-alerts/{_alert(api, n)}/acknowledge", None
    return None
