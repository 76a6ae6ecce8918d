"""The provision register (Midori 様式第2号) and the viewing log (Tottori 別記様式 画像閲覧等記録書),
as rows for the Excel-safe CSV writer and the printable A4 pages (A5)."""
from __future__ import annotations

from services.api.csv_writer import render_csv
from services.api.disclosure.labels import BASIS, DECISION, VIEW_METHOD, label, local, method_text
from services.api.disclosure.records import ProvisionRequest, Viewing

PROVISION_COLUMNS = (  # 様式第2号 みどり市内主要駅設置防犯カメラ画像提供申請記録簿
    ("no", "No.", "No."), ("received", "申請受付日", "Date received"), ("provided", "提供日時", "Provided at"),
    ("purpose", "利用目的", "Purpose of use"), ("recipient", "提供先", "Recipient"),
    ("range", "画像の範囲", "Footage range"), ("method", "提供方法", "Method"),
    ("decision", "提供の可否", "Provided or not"), ("operator", "取扱者", "Operator"),
    ("manager", "運用責任者", "Responsible manager"),
)
VIEWING_COLUMNS = (  # 別記様式 画像閲覧等記録書
    ("time", "閲覧等日時", "Date and time"), ("org", "閲覧等の相手方（所属）", "Counterpart (organisation)"),
    ("name", "職・氏名", "Title and name"), ("contact", "連絡先", "Contact"), ("reason", "閲覧等理由", "Reason"),
    ("content", "画像内容", "Footage content"), ("cameras", "撮影範囲", "Cameras (area filmed)"),
    ("period", "録画期間", "Recording period"), ("method", "閲覧等方法", "Method"), ("other", "その他", "Other"),
    ("handler", "閲覧等取扱者氏名", "Handled by"), ("request", "申請No.", "Request No."),
)


def headers(columns, lang: str) -> tuple[str, ...]:
    return tuple(ja if lang == "ja" else en for _, ja, en in columns)


def _span(start_us: int, end_us: int, tz, lang: str) -> str:
    if lang == "ja":
        return f"自：{local(start_us, tz, True)} 至：{local(end_us, tz, True)}"
    return f"from {local(start_us, tz, True)} to {local(end_us, tz, True)}"


def provision_rows(requests: list[ProvisionRequest], tz, lang: str) -> list[dict]:
    rows = []
    for r in sorted(requests, key=lambda r: r.id):
        f = r.form
        basis = label(BASIS, f.legal_basis, lang) + (f"（{f.legal_basis_detail}）" if f.legal_basis_detail else "")
        cameras = ("カメラ: " if lang == "ja" else "cameras: ") + ", ".join(f.cameras)
        values = (r.id, local(r.received_us, tz), local(r.fulfilled_us, tz), f"{f.reason} / {basis}",
                  f.requester_org + (f" {f.requester_representative}" if f.requester_representative else ""),
                  f"{_span(f.range_start_us, f.range_end_us, tz, lang)} {cameras}",
                  method_text(f.method.value, f.medium, f.medium_detail, lang),
                  label(DECISION, r.state.value, lang) if r.state.value in DECISION else "",
                  r.registered_by, " / ".join(a for a in (r.first_approved_by, r.decided_by) if a))
        rows.append(dict(zip(headers(PROVISION_COLUMNS, lang), values)))
    return rows


def viewing_rows(viewings: list[Viewing], tz, lang: str) -> list[dict]:
    rows = []
    for v in viewings:
        values = (local(v.time_us, tz), v.counterpart_org, v.counterpart_name, v.counterpart_contact, v.reason,
                  v.content, ", ".join(v.cameras), _span(v.range_start_us, v.range_end_us, tz, lang),
                  label(VIEW_METHOD, v.method, lang), v.other, v.handled_by, v.request_id)
        rows.append(dict(zip(headers(VIEWING_COLUMNS, lang), values)))
    return rows


def provision_csv(requests: list[ProvisionRequest], tz, lang: str) -> bytes:
    return render_csv(provision_rows(requests, tz, lang), headers(PROVISION_COLUMNS, lang))


def viewing_csv(viewings: list[Viewing], tz, lang: str) -> bytes:
    return render_csv(viewing_rows(viewings, tz, lang), headers(VIEWING_COLUMNS, lang))
