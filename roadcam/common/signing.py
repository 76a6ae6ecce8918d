"""Signed bus events: which service sent an audit event, and that nobody changed it on the way.

Each producing service holds one key, `service_key(master, service)`, given to it as a secret;
the api holds the master and derives every service's key. A service signs what it publishes,
the api verifies and accepts an action only from the service that owns it.

    payload = audit_payload(event_id, time_us, actor, action, camera_id, start_us, end_us, reason, method, details)
    details[SIGNED_BY], details[SIGNATURE] = service, sign(service, key, payload)

Event ids must not be guessable (a forged id could pre-empt a real one): `event_id(key, *identity)`
is deterministic for retries yet unpredictable without the key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

SIGNED_BY = "_signed_by"     # details keys that carry the signature (excluded from the payload)
SIGNATURE = "_signature"


def service_key(master: bytes, service: str) -> bytes:
    return hmac.new(master, f"roadcam-audit-key:{service}".encode(), hashlib.sha256).digest()


def sign(service: str, key: bytes, payload: bytes) -> str:
    return hmac.new(key, service.encode() + b"\0" + payload, hashlib.sha256).hexdigest()


def verify(service: str, key: bytes, payload: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(service, key, payload), signature)


def event_id(key: bytes, *identity: str) -> str:
    return hmac.new(key, "\0".join(identity).encode(), hashlib.sha256).hexdigest()[:32]


def audit_payload(event_id: str, time_us: int, actor: str, action: str, camera_id: str, range_start_us: int,
                  range_end_us: int, reason: str, method: str, details: Mapping[str, str]) -> bytes:
    """The canonical bytes of an audit event (details without the signature keys)."""
    plain = {k: v for k, v in details.items() if k not in (SIGNED_BY, SIGNATURE)}
    body = [event_id, time_us, actor, action, camera_id, range_start_us, range_end_us, reason, method,
            sorted(plain.items())]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
