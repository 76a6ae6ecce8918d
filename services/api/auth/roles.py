"""THE role x endpoint matrix (A1). Every route names its endpoint id here; nothing else grants access.

`public` is the anonymous caller: an endpoint open to `public` is open to everyone. Accounts hold
one of the other four roles. A test walks every (endpoint, role) cell.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"      # 管理責任者 / 運用責任者: accounts, everything
    OPERATOR = "operator"    # 取扱者: designated by a manager; expires; viewing conditions
    AUDITOR = "auditor"      # reads the audit log
    ANALYST = "analyst"      # counts only
    PUBLIC = "public"        # anonymous


ACCOUNT_ROLES = (Role.MANAGER, Role.OPERATOR, Role.AUDITOR, Role.ANALYST)
EVERYONE = frozenset(Role)
SIGNED_IN = frozenset(ACCOUNT_ROLES)
M, O, AU, AN = Role.MANAGER, Role.OPERATOR, Role.AUDITOR, Role.ANALYST

MATRIX: dict[str, frozenset[Role]] = {
    # health and open information
    "health.live": EVERYONE,
    "health.ready": EVERYONE,
    "health.metrics": frozenset({Role.MANAGER}),  # Prometheus scrapes the health port; see docs/api.md
    "docs.openapi": SIGNED_IN,  # the schema maps every route: not for the internet-facing ingress
    "auth.token": EVERYONE,
    "notices.list": EVERYONE,
    "notices.get": EVERYONE,
    "opendata.counts": EVERYONE,
    # signed in
    "auth.me": SIGNED_IN,
    "cameras.list": SIGNED_IN,
    "cameras.get": SIGNED_IN,
    # traffic counts (T2): analysts see counts, and nothing else beyond the open endpoints
    "counts.query": frozenset({M, O, AN}),
    "counts.live": frozenset({M, O, AN}),
    "queues.query": frozenset({M, O, AN}),  # T3
    "speeds.query": frozenset({M, O, AN}),
    # operations (O1)
    "alerts.list": frozenset({M, O}),
    "segments.list": frozenset({M, AU}),
    # audit log (A2)
    "audit.list": frozenset({M, AU}),
    "audit.verify": frozenset({M, AU}),
    "audit.export": frozenset({M, AU}),
    # accounts (A1): managers designate operators and the others
    "accounts.list": frozenset({M}),
    "accounts.create": frozenset({M}),
    "accounts.update": frozenset({M}),
    "apikeys.create": frozenset({M}),
    "apikeys.revoke": frozenset({M}),
    # footage disclosure (A3-A5, R4): department scope is checked per request on top of these
    "requests.bases": frozenset({M, O}),
    "requests.list": frozenset({M, O, AU}),
    "requests.get": frozenset({M, O, AU}),
    "requests.create": frozenset({M, O}),
    "requests.document_put": frozenset({M, O}),
    "requests.document_get": frozenset({M, O}),
    "requests.decide": frozenset({M}),
    "requests.withdraw": frozenset({M, O}),
    "requests.close": frozenset({M}),
    "requests.viewing": frozenset({M, O}),
    "exports.create": frozenset({M, O}),
    "exports.download": EVERYONE,  # the one-time link is the credential (recipients have no account)
    "holds.list": frozenset({M, O, AU}),
    "holds.create": frozenset({M}),
    "holds.release": frozenset({M}),
    "registers.provision": frozenset({M, O, AU}),
    "registers.viewing": frozenset({M, O, AU}),
    # leak response (O2): the isolate switch is the managers' alone
    "admin.isolation": frozenset({M, AU}),
    "admin.isolate": frozenset({M}),
    "admin.lift": frozenset({M}),
    "leaks.list": frozenset({M, AU}),
    "leaks.ack": frozenset({M}),
    # complaints and inquiries (A6), operation rules (A8)
    "complaints.list": frozenset({M, O, AU}),
    "complaints.create": frozenset({M, O}),
    "complaints.update": frozenset({M, O}),
    "complaints.export": frozenset({M, AU}),
    "complaints.print": frozenset({M, AU}),
    "rules.print": frozenset({M, O, AU}),
}


def allowed(endpoint: str, role: Role) -> bool:
    """KeyError for an endpoint missing from the matrix: a route cannot exist without a row."""
    return role in MATRIX[endpoint]
