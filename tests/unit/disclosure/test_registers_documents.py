"""Registers as Excel-safe CSV and A4 HTML (A5), the sealed 照会書 (X1), one-time links (A4)."""
from __future__ import annotations

import base64
from pathlib import Path

from services.api.disclosure.registers import PROVISION_COLUMNS, VIEWING_COLUMNS
from tests.unit.api.apikit import Api
from tests.unit.disclosure.kit import PDF, register
from tests.unit.disclosure.matrix_requests import FixedClip


def approve(api: Api, request_id: int) -> None:
    r = api.client.post(f"/api/v1/requests/{request_id}/decision", json={"approve": True, "reason": "照会書確認"},
                        headers=api.headers("boss"))
    assert r.status_code == 200, r.text


def exported_link(api: Api, **changes) -> tuple[dict, str]:
    api.client.app.state.disclosure.exporter.clip_source = FixedClip()
    req = register(api, "op-roads", **changes)
    approve(api, req["id"])
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code == 201, r.text
    return req, r.json()[0]["download_url"]


def test_provision_register_csv_has_the_form_2_columns_and_no_live_formulas(api: Api) -> None:
    req, link = exported_link(api, requester_org="=HYPERLINK(\"http://evil\")")
    assert api.client.get(link).status_code == 200
    r = api.client.get("/api/v1/registers/provision?format=csv", headers=api.headers("auditor"))
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff") and r.headers["content-type"].startswith("text/csv")
    header, row = text[1:].splitlines()[:2]
    assert header.split(",") == [ja for _, ja, _ in PROVISION_COLUMNS]
    assert "'=HYPERLINK" in row and ",=HYPERLINK" not in row
    assert "2026-06-01 09:00:00 JST" in row and "提供済" not in row and ",可," in row
    en = api.client.get("/api/v1/registers/provision?format=csv&lang=en", headers=api.headers("auditor"))
    assert en.content.decode()[1:].splitlines()[0].split(",") == [en_ for _, _, en_ in PROVISION_COLUMNS]


def test_viewing_log_records_the_download_and_prints_on_a4(api: Api) -> None:
    req, link = exported_link(api)
    assert api.client.get(link).status_code == 200
    assert api.client.get(link).status_code == 410
    csv = api.client.get("/api/v1/registers/viewing?format=csv", headers=api.headers("boss")).content.decode()
    lines = csv[1:].splitlines()
    assert lines[0].split(",") == [ja for _, ja, _ in VIEWING_COLUMNS] and len(lines) == 2
    assert "群馬県警察 前橋警察署" in lines[1] and "ネットワーク利用" in lines[1]
    page = api.client.get("/api/v1/registers/viewing?format=html", headers=api.headers("boss")).text
    assert "画像閲覧等記録書" in page and "size: A4 landscape" in page and "閲覧等取扱者氏名" in page
    page = api.client.get("/api/v1/registers/provision?format=html", headers=api.headers("boss")).text
    assert "様式第2号" in page and f"<td>{req['id']}</td>" in page


def test_an_expired_link_is_refused_and_logged(api: Api) -> None:
    _, link = exported_link(api)
    api.clock.now_us += 25 * 3_600_000_000  # default lifetime 24 h
    r = api.client.get(link)
    assert r.status_code == 410 and "expired" in r.json()["detail"]
    assert api.client.get("/api/v1/exports/download/not-a-token").status_code == 404


def test_the_document_is_stored_sealed_and_opens_only_for_its_department(api: Api, tmp_path: Path) -> None:
    req = register(api, "op-roads")
    body = {"filename": "照会書.pdf", "content_type": "application/pdf", "data_base64": base64.b64encode(PDF).decode()}
    r = api.client.put(f"/api/v1/requests/{req['id']}/document", json=body, headers=api.headers("op-roads"))
    assert r.status_code == 204, r.text
    got = api.client.get(f"/api/v1/requests/{req['id']}/document", headers=api.headers("op-roads"))
    assert got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert api.client.get(f"/api/v1/requests/{req['id']}/document", headers=api.headers("op-parks")).status_code == 404
    for path in tmp_path.rglob("*"):  # the database and its WAL: never the plaintext
        if path.is_file():
            assert b"police inquiry" not in path.read_bytes(), path
    bad = {**body, "content_type": "text/html"}
    assert api.client.put(f"/api/v1/requests/{req['id']}/document", json=bad, headers=api.headers("op-roads")).status_code == 422


def test_an_approved_viewing_is_logged_as_viewing_only(api: Api) -> None:
    req = register(api, "op-roads", method="view_only")
    viewing = {"counterpart_name": "巡査部長 佐藤一郎", "content": "交差点の車両", "other": "会議室で再生"}
    url = f"/api/v1/requests/{req['id']}/viewings"
    assert api.client.post(url, json=viewing, headers=api.headers("op-roads")).status_code == 403  # not approved yet
    approve(api, req["id"])
    assert api.client.post(url, json=viewing, headers=api.headers("op-parks")).status_code == 404
    assert api.client.post(url, json=viewing, headers=api.headers("op-roads")).status_code == 204
    csv = api.client.get("/api/v1/registers/viewing?format=csv", headers=api.headers("boss")).content.decode()
    row = csv[1:].splitlines()[1]
    assert "閲覧のみ" in row and "巡査部長 佐藤一郎" in row and "交差点の車両" in row and "op-roads" in row
    state = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("boss")).json()["state"]
    assert state == "fulfilled"
    data = register(api, "op-roads")
    approve(api, data["id"])
    r = api.client.post(f"/api/v1/requests/{data['id']}/viewings", json=viewing, headers=api.headers("op-roads"))
    assert r.status_code == 403
