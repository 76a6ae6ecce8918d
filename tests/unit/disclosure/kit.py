"""Helpers for the disclosure tests: keys, an api with disclosure configured, requests via the API."""
from __future__ import annotations

import base64
import dataclasses
import os
from pathlib import Path

from pydantic import SecretStr

from services.api.disclosure.service import Disclosure
from tests.unit.api.apikit import T0_US, Api

HOUR_US = 3_600_000_000
DOCUMENT_KEY = base64.b64encode(os.urandom(32)).decode()
SIGNING_KEY = base64.b64encode(os.urandom(32)).decode()
PDF = b"%PDF-1.4\n% police inquiry \xe7\x85\xa7\xe4\xbc\x9a\xe6\x9b\xb8\n%%EOF\n"


def configure(api: Api, export_dir: Path, **extra) -> Disclosure:
    """The api's disclosure part with keys and an export folder (what an installation sets)."""
    settings = api.parts.settings.model_copy(update={"document_key": SecretStr(DOCUMENT_KEY),
                                                     "export_signing_key": SecretStr(SIGNING_KEY),
                                                     "export_dir": export_dir, **extra})
    found = Disclosure.from_parts(dataclasses.replace(api.parts, settings=settings))
    api.client.app.state.disclosure = found
    return found


def police_request(**changes) -> dict:
    """A 様式第1号 as a police station fills it in (times in local time, no zone)."""
    body = {
        "requester_org": "群馬県警察 前橋警察署", "requester_address": "前橋市大手町1-1-1",
        "requester_representative": "署長 山田太郎", "contact_department": "刑事課", "contact_name": "佐藤一郎",
        "contact_phone": "027-000-0110", "identity_document": "警察手帳", "identity_checked_by": "op-roads",
        "legal_basis": "criminal_procedure_197_2", "cameras": ["bridge-1"],
        "start": "2026-06-01T09:00:00", "end": "2026-06-01T09:30:00",
        "reason": "窃盗事件の捜査のため", "method": "data_provision", "medium": "network", "notes": "",
    }
    body.update(changes)
    return body


def register(api: Api, who: str, **changes) -> dict:
    r = api.client.post("/api/v1/requests", json=police_request(**changes), headers=api.headers(who))
    assert r.status_code == 201, r.text
    return r.json()


def local_us(hour: int, minute: int = 0) -> int:
    """2026-06-01 hh:mm JST (T0 is 09:00 JST)."""
    return T0_US + (hour - 9) * HOUR_US + minute * 60_000_000
