"""Japanese and English labels for the forms and registers, in the seeds' own words (ja first)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BASIS = {
    "civil_procedure_223": ("民事訴訟法第223条の規定による裁判所からの文書提出命令",
                            "Court order to produce documents (Code of Civil Procedure art. 223)"),
    "attorney_23_2": ("弁護士法第23条の2第2項の規定による弁護士会からの照会",
                      "Bar association inquiry (Attorney Act art. 23-2(2))"),
    "criminal_procedure_197_2": ("刑事訴訟法第197条第2項の規定による検察官、警察官等からの捜査協力",
                                 "Investigation inquiry by prosecutors or police (Code of Criminal Procedure art. 197(2))"),
    "criminal_procedure_279": ("刑事訴訟法第279条の規定による裁判所からの照会",
                               "Court inquiry (Code of Criminal Procedure art. 279)"),
    "criminal_procedure_507": ("刑事訴訟法第507条の規定による検察官、裁判所、裁判官からの裁判執行のための照会",
                               "Inquiry for the execution of a judgment (Code of Criminal Procedure art. 507)"),
    "other_law": ("その他の法令又は条例に基づく場合", "Other law or ordinance"),
    "emergency": ("人の生命、身体又は財産を保護するため緊急かつやむを得ない場合",
                  "Emergency to protect a person's life, body or property"),
    "self_disclosure": ("本人からの開示請求（個人情報保護条例）", "The person's own disclosure request"),
    "public_interest": ("行方不明者の安否確認、災害時の被害状況の情報提供等",
                        "Missing person or disaster damage (public interest)"),
    "municipality": ("関係自治体からの要請", "Request from a municipality"),
    "media": ("マスメディアからの要請", "Request from the media"),
    "road_traffic_manager": ("道路管理者及び交通管理者からの要請", "Request from a road or traffic manager"),
}
METHOD = {
    "view_only": ("画像閲覧", "Viewing"),
    "rerecording": ("再生画像撮影（カメラ、ビデオ）", "Filming the playback (camera, video)"),
    "data_provision": ("データ提供", "Data provision"),
}
MEDIUM = {
    "": ("", ""), "usb": ("USBメモリ", "USB memory"), "dvd": ("DVD", "DVD"),
    "network": ("ネットワーク利用", "Network"), "other": ("その他", "Other"),
}
STATE = {
    "received": ("受付（審査中）", "Received (pending)"),
    "first_approved": ("一次承認（決裁待ち）", "First approval (awaiting 決裁)"),
    "approved": ("提供可", "Approved"),
    "refused": ("提供不可", "Refused"),
    "fulfilled": ("提供済み", "Provided"),
    "closed": ("完了", "Closed"),
    "withdrawn": ("取下げ", "Withdrawn"),
}
DECISION = {"approved": ("可", "Approved"), "fulfilled": ("可", "Approved"), "closed": ("可", "Approved"),
            "refused": ("不可", "Refused")}
VIEW_METHOD = {
    "view_only": ("閲覧のみ", "Viewing only"),
    "network": ("画像データの提供（ネットワーク利用）", "Data provision (network)"),
    "medium": ("画像データの提供（記録媒体）", "Data provision (medium)"),
    "other": ("その他", "Other"),
}


def label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "ja" else pair[1]


def method_text(method: str, medium: str, medium_detail: str, lang: str) -> str:
    text = label(METHOD, method, lang)
    if method == "data_provision" and medium:
        extra = label(MEDIUM, medium, lang) + (f" {medium_detail}" if medium_detail else "")
        text += f"（{extra}）" if lang == "ja" else f" ({extra})"
    return text


def local(us: int, tz: ZoneInfo, seconds: bool = False) -> str:
    """Local time with the zone shown (e.g. 2026-06-01 09:00 JST); empty for 0."""
    if not us:
        return ""
    return datetime.fromtimestamp(us / 1e6, tz).strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def iso_local(us: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(us / 1e6, tz).isoformat(timespec="seconds")
