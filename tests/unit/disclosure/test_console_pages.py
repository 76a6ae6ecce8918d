"""The disclosure console pages through the real sign-in and CSRF (the browser test walks the rest)."""
from __future__ import annotations

from tests.integration.console.consolekit import csrf_of, sign_in
from tests.unit.api.apikit import Api
from tests.unit.disclosure.kit import PDF


def multipart(fields: list[tuple[str, str]], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = "----roadcamtest"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields]
    name, ctype, data = file
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="{name}"\r\n'
                 f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_register_with_document_then_a_manager_decides(api: Api) -> None:
    assert sign_in(api, "op-roads").status_code == 303
    form = api.client.get("/console/requests/new?camera=bridge-1")
    assert "criminal_procedure_197_2" in form.text and 'value="media"' not in form.text  # crime-prevention camera
    fields = [("csrf", csrf_of(form.text)), ("cameras", "bridge-1"), ("requester_org", "前橋警察署"),
              ("start", "2026-06-01T09:00"), ("end", "2026-06-01T09:10"), ("reason", "捜査"),
              ("legal_basis", "criminal_procedure_197_2"), ("method", "view_only"), ("medium", "")]
    body, ctype = multipart(fields, ("照会書.pdf", "application/pdf", PDF))
    r = api.client.post("/console/requests/new", content=body, headers={"Content-Type": ctype}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = api.client.get(r.headers["location"])
    assert 'data-state="received"' in page.text and "document-link" in page.text and "decision-form" not in page.text
    assert "2026-06-01 09:00:00 JST" in page.text
    forged = api.client.post("/console/requests/new", content=body.replace(fields[0][1].encode(), b"x" * 64),
                             headers={"Content-Type": ctype}, follow_redirects=False)
    assert forged.status_code == 403  # CSRF checked on the multipart form too
    api.client.cookies.clear()
    sign_in(api, "boss")
    page = api.client.get(r.headers["location"])
    done = api.client.post(r.headers["location"] + "/decision", data={"csrf": csrf_of(page.text), "approve": "yes",
                                                                      "reason": "確認"}, follow_redirects=True)
    assert 'data-state="approved"' in done.text and "viewing-form" in done.text and "export-form" not in done.text


def test_an_approved_viewing_plays_watermarked_and_is_logged(api: Api) -> None:
    from tests.unit.disclosure.kit import register
    from tests.unit.disclosure.matrix_requests import FixedClip

    api.client.app.state.disclosure.exporter.clip_source = FixedClip(b"\x00\x00\x00\x18ftypisom-footage")
    req = register(api, "op-roads", method="view_only")
    data = register(api, "op-roads")
    for r in (req, data):
        api.client.post(f"/api/v1/requests/{r['id']}/decision", json={"approve": True, "reason": "ok"},
                        headers=api.headers("boss"))
    sign_in(api, "op-roads")
    page = api.client.get(f"/console/requests/{req['id']}/view/bridge-1")
    assert 'id="watermark"' in page.text and f"op-roads · No.{req['id']}" in page.text and "nodownload" in page.text
    video = api.client.get(f"/console/requests/{req['id']}/stream/bridge-1")
    assert video.status_code == 200 and video.content.endswith(b"footage") and video.headers["cache-control"] == "no-store"
    assert api.client.get(f"/console/requests/{data['id']}/stream/bridge-1").status_code == 403  # not a viewing
    assert api.client.get(f"/console/requests/{req['id']}/stream/bridge-2").status_code == 403  # not its camera
    log = api.client.get("/api/v1/registers/viewing?format=csv", headers=api.headers("boss")).content.decode()
    assert "閲覧のみ" in log.splitlines()[1]
    api.client.cookies.clear()
    sign_in(api, "op-parks")
    assert api.client.get(f"/console/requests/{req['id']}/stream/bridge-1").status_code == 404


def test_a_self_disclosure_never_plays_unredacted(api: Api) -> None:
    """Its footage shows other people: it leaves only as a redacted export, never in the player."""
    from tests.unit.disclosure.kit import register
    from tests.unit.disclosure.matrix_requests import FixedClip

    api.client.app.state.disclosure.exporter.clip_source = FixedClip(b"\x00\x00\x00\x18ftypisom-footage")
    req = register(api, "op-roads", method="view_only", legal_basis="self_disclosure")
    api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "ok"},
                    headers=api.headers("boss"))
    sign_in(api, "op-roads")
    video = api.client.get(f"/console/requests/{req['id']}/stream/bridge-1")
    assert video.status_code == 403 and b"ftyp" not in video.content
    assert "redacted copy" in video.text
