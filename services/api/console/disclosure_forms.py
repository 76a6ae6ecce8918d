"""Form handling for the disclosure pages: multipart (the 照会書 upload) with the console's CSRF
check, and the 様式第1号 form fields -> the API's RequestIn (one validation for both surfaces)."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

from fastapi import HTTPException, Request

from services.api.console import session
from services.api.console.guard import visit

MAX_BODY = 25 * 1024 * 1024


@dataclass
class Posted:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)

    def one(self, name: str, default: str = "") -> str:
        return (self.fields.get(name) or [default])[0].strip()


def parse_multipart(content_type: str, body: bytes) -> Posted:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    posted = Posted()
    if not message.is_multipart():
        raise HTTPException(400, "expected a multipart form")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        data = part.get_payload(decode=True) or b""
        if part.get_filename():
            if data:
                posted.files[name] = (part.get_filename()[:200], part.get_content_type(), data)
        else:
            posted.fields.setdefault(name, []).append(data.decode("utf-8", errors="replace"))
    return posted


async def checked_multipart(request: Request) -> Posted:
    """The posted multipart form, after the same CSRF and origin checks as every console form."""
    v = visit(request)
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise HTTPException(413, "the form is too large (documents up to 20 MiB)")
    posted = parse_multipart(request.headers.get("content-type", ""), await request.body())
    sent = posted.one(session.CSRF_FIELD) or request.headers.get(session.CSRF_HEADER)
    if not session.same_origin(request.headers.get("origin"), request.headers.get("host")) \
            or v.new_nonce or not session.csrf_valid(v.backend.secret, v.nonce, sent):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
    return posted


FORM_FIELDS = ("requester_org", "requester_address", "requester_representative", "contact_department", "contact_name",
               "contact_phone", "identity_document", "identity_checked_by", "legal_basis", "legal_basis_detail",
               "start", "end", "reason", "method", "medium", "medium_detail", "notes")


def request_body(posted: Posted) -> dict:
    body = {name: posted.one(name) for name in FORM_FIELDS}
    body["cameras"] = [c for c in posted.fields.get("cameras", []) if c]
    return body
