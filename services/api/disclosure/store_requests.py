"""Provision requests and their sealed documents in the api database."""
from __future__ import annotations

import json
from dataclasses import fields

from sqlalchemy import Engine, insert, select, update

from services.api.disclosure.model import Method, State
from services.api.disclosure.records import ProvisionRequest, RequestForm
from services.api.disclosure.tables import ProvisionRequestRow, RequestDocumentRow
from services.api.errors import Conflict, NotFound

FORM_TEXT = [f.name for f in fields(RequestForm) if f.name not in ("cameras", "method", "range_start_us", "range_end_us")]
OUTCOME = ("first_approved_by", "first_approved_us", "decided_by", "decided_us", "decision_reason",
           "fulfilled_us", "closed_us", "withdrawn_reason")


def _to_request(row, has_document: bool) -> ProvisionRequest:
    form = RequestForm(cameras=tuple(json.loads(row.cameras)), method=Method(row.method),
                       range_start_us=row.range_start_us, range_end_us=row.range_end_us,
                       **{name: getattr(row, name) for name in FORM_TEXT})
    return ProvisionRequest(row.id, State(row.state), form, tuple(json.loads(row.departments)), row.registered_by,
                            row.received_us, has_document=has_document,
                            **{name: getattr(row, name) for name in OUTCOME})


class RequestStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, form: RequestForm, departments: tuple[str, ...], registered_by: str, now_us: int, conn) -> int:
        """Insert inside the caller's transaction (the holds go in with it)."""
        values = {name: getattr(form, name) for name in FORM_TEXT}
        values.update(state=State.RECEIVED.value, cameras=json.dumps(list(form.cameras)), method=form.method.value,
                      range_start_us=form.range_start_us, range_end_us=form.range_end_us,
                      departments=json.dumps(sorted(departments)), registered_by=registered_by, received_us=now_us,
                      **{name: (0 if name.endswith("_us") else "") for name in OUTCOME})
        return int(conn.execute(insert(ProvisionRequestRow).values(**values)).inserted_primary_key[0])

    def get(self, request_id: int) -> ProvisionRequest:
        with self._engine.connect() as conn:
            row = conn.execute(select(ProvisionRequestRow).where(ProvisionRequestRow.id == request_id)).first()
            if row is None:
                raise NotFound(f"no request {request_id}")
            doc = conn.scalar(select(RequestDocumentRow.id).where(RequestDocumentRow.request_id == request_id).limit(1))
        return _to_request(row, doc is not None)

    def all(self, limit: int = 10_000) -> list[ProvisionRequest]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(ProvisionRequestRow).order_by(ProvisionRequestRow.id.desc()).limit(limit)).all()
            with_docs = set(conn.scalars(select(RequestDocumentRow.request_id)))
        return [_to_request(r, r.id in with_docs) for r in rows]

    def move(self, request_id: int, expected: State, target: State, conn, **changes) -> None:
        """Change the state only if nobody else changed it meanwhile (two managers deciding at once)."""
        done = conn.execute(update(ProvisionRequestRow)
                            .where(ProvisionRequestRow.id == request_id, ProvisionRequestRow.state == expected.value)
                            .values(state=target.value, **changes))
        if done.rowcount != 1:
            raise Conflict(f"request {request_id} changed meanwhile; reload it")

    def add_document(self, request_id: int, filename: str, content_type: str, size: int, sealed: bytes,
                     key_id: str, who: str, now_us: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(insert(RequestDocumentRow).values(
                request_id=request_id, filename=filename[:200], content_type=content_type[:100], size_bytes=size,
                sealed=sealed, key_id=key_id, uploaded_by=who, uploaded_us=now_us))

    def document(self, request_id: int) -> tuple[str, str, bytes, str]:
        """(filename, content type, sealed bytes, key id) of the newest document."""
        q = (select(RequestDocumentRow).where(RequestDocumentRow.request_id == request_id)
             .order_by(RequestDocumentRow.id.desc()).limit(1))
        with self._engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            raise NotFound(f"request {request_id} has no document")
        return row.filename, row.content_type, row.sealed, row.key_id
