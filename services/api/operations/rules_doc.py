"""The operation rules 規程 of each facility (A8; Tottori 5(5) items ア–コ), built from the camera
configuration and the account list: pure logic, so the printed rules and the running system agree.

One document per camera (the facility is the camera's site). Every sentence that states a fact
(purpose, place, who manages and operates, retention, what is public) reads it from the config or
the accounts; the rest is the fixed wording of the Tottori model rules (参考例).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from roadcam.common.camconfig.models import CameraConfig
from services.api.auth.roles import Role
from services.api.store.accounts import StoredAccount

PURPOSES = {"road_management": "道路管理（道路状況の把握）", "traffic_survey": "交通量調査",
            "crime_prevention": "防犯（犯罪・事故の防止）"}
LEGAL_BASES = ("法令に基づく場合（民事訴訟法第223条、弁護士法第23条の2、刑事訴訟法第197条第2項・第279条・第507条その他の法令・条例）",
               "捜査機関から犯罪・事故の捜査のため情報提供を求められた場合",
               "人の生命、身体又は財産の安全確保のため緊急の必要がある場合（行方不明者の安否確認、災害時の被害状況の提供を含む）",
               "本人からの開示請求による場合（本人以外の者はぼかし処理を行う）")

ROAD_BASIS = "他の道路管理者、交通管理者又は報道機関から道路管理の目的で求められた場合（防犯目的の画像を除く）"


@dataclass(frozen=True)
class Section:
    mark: str            # ア..コ
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class RulesDocument:
    camera_id: str
    title: str
    sections: tuple[Section, ...]
    generated: str       # local time the rules were printed
    config_digest: str   # sha256 of the configuration file the rules were printed from


@dataclass(frozen=True)
class Facts:
    """What the running system does that the rules state (from the api's settings)."""

    offline_after_s: float
    timezone: str


def _date(us: int | None, tz: tzinfo) -> str:
    return datetime.fromtimestamp(us / 1e6, tz).strftime("%Y年%m月%d日") if us else "定めなし"


def staff(camera: CameraConfig, accounts: Sequence[StoredAccount], now_us: int, role: Role) -> list[StoredAccount]:
    """Usable accounts of `role` that see this camera's department (the ones the system lets in)."""
    return [a for a in accounts if a.role is role and a.usable(now_us)
            and ("*" in a.departments or camera.department in a.departments)]


def purpose(camera: CameraConfig) -> Section:
    names = "、".join(PURPOSES[p] for p in camera.purposes)
    return Section("ア", "趣旨・設置目的", (
        f"この規程は、個人のプライバシーに配慮しつつ、{camera.name}（カメラID {camera.id}）に設置するカメラの"
        "適正な管理・運用に必要な事項を定めるものとする。",
        f"カメラの設置目的は、{names}とする（掲示上の目的：{camera.notice.purpose}）。この目的以外には利用しない。"))


def place(camera: CameraConfig) -> Section:
    paras = [f"設置場所：{camera.name}。"]
    if camera.location is not None:
        where = f"北緯{camera.location.lat:.5f}度、東経{camera.location.lon:.5f}度"
        toward = f"、撮影方向：{camera.location.direction}" if camera.location.direction else ""
        paras.append(f"位置：{where}{toward}（配置図は公開サイトの地図のとおり）。")
    paras.append(f"撮影区域の見やすい場所に、設置者名「{camera.notice.operator}」及び連絡先「{camera.notice.contact}」を"
                 "記載した表示を掲示し、公開サイトにも同じ内容を掲載する。")
    if camera.privacy_masks:
        masks = "、".join(m.name for m in camera.privacy_masks)
        paras.append(f"撮影の必要のない区域（{masks}）はマスク処理し、記録も公開もしない。")
    return Section("イ", "設置場所等", tuple(paras))


def managers(camera: CameraConfig, accounts: Sequence[StoredAccount], now_us: int, tz: tzinfo) -> Section:
    heads = staff(camera, accounts, now_us, Role.MANAGER)
    ops = staff(camera, accounts, now_us, Role.OPERATOR)
    named = camera.notice.manager or camera.notice.operator
    paras = [f"管理責任者は{named}とし、システム上の管理責任者アカウントは次のとおりとする："
             + ("、".join(a.username for a in heads) if heads else "（なし：管理責任者アカウントを登録すること）") + "。"]
    if ops:
        listed = "、".join(f"{a.username}（期限 {_date(a.expires_us, tz)}"
                          + (f"、閲覧条件：{a.viewing_conditions}" if a.viewing_conditions else "") + "）" for a in ops)
        paras.append(f"操作取扱者は管理責任者が指定した次の者とし、管理責任者の指導・監督を受ける：{listed}。")
    else:
        paras.append("操作取扱者は置かない（管理責任者が指定するまで、録画画像を取り扱えるのは管理責任者のみとする）。")
    paras.append("管理責任者等は、画像を適正に保存・管理し、画像により知り得た情報の漏えい又は不正な使用をせず、"
                 "他の従事者にもそれをさせないよう必要な措置をとる。受託者も同じ義務を負う。")
    return Section("ウ", "管理責任者等", tuple(paras))


def storage(camera: CameraConfig) -> Section:
    if not camera.recording.enabled:
        return Section("エ", "画像等の管理（保管場所、立入制限、保存期間、画像の消去）", (
            "このカメラの映像は録画しない。公開用の匿名化映像のみを配信し、配信後は保存しない。",))
    return Section("エ", "画像等の管理（保管場所、立入制限、保存期間、画像の消去）", (
        "録画画像は、カメラ・日ごとの鍵で暗号化（AES-256-GCM）し、改ざん検知のハッシュ連鎖を付けて"
        "オブジェクトストレージ（オブジェクトロック付き）に保管する。記録媒体による外部への持ち出しはしない。",
        f"録画画像を取り扱えるのは、部署「{camera.department}」を担当する管理責任者及び操作取扱者に限り、"
        "すべての閲覧・書出し・操作を監査ログに記録する。",
        f"保存期間は{camera.retention_days}日間とする。ただし、法令等に基づく提供のため保全（リーガルホールド）した画像を除く。",
        "保存期間を経過した画像は、暗号鍵の全版を破棄（クリプトシュレッディング）して復元不能とし、"
        "その消去を監査ログに記録して確認する。"))


def provision(camera: CameraConfig) -> Section:
    view = camera.public_view
    paras = [f"公開映像は{view.width}×{view.height}に縮小し、顔・ナンバープレート"
             + ("・人物全体" if view.blur_persons else "") + "をぼかした匿名化映像に限る。"]
    if camera.recording.enabled:
        bases = LEGAL_BASES + ((ROAD_BASIS,) if "road_management" in camera.purposes else ())
        paras.append("録画画像は、次の場合を除き、目的外の利用及び第三者への閲覧・提供をしない：" + "／".join(bases) + "。")
        paras.append("提供は書面による申請（照会書等）に基づき、身元を確認し、管理責任者が承認した場合に限り、"
                     "期限付きの書出し一回とする。申請者は自らの申請を承認できない。提供の記録（日時、相手方、理由、内容）を保存する。")
    else:
        paras.append("録画画像がないため、画像の提供は行わない。")
    return Section("オ", "画像の利用及び提供の制限", tuple(paras))


def maintenance(facts: Facts) -> Section:
    return Section("カ", "保守点検", (
        f"カメラの稼働状態を常時監視し、{facts.offline_after_s:.0f}秒以上状態報告がない場合は異常として通知する。",
        "録画のハッシュ連鎖及び監査ログの連鎖を定期的に検証し、消去処理の結果とともに記録する。",
        "カメラの必要性及び撮影範囲を定期的に見直し、不正アクセス・漏えいの兆候を点検する。"))


def confidentiality() -> Section:
    return Section("キ", "秘密の保持", (
        "管理責任者等は、カメラの管理・運用を通じて知り得た個人の情報をみだりに他に漏らし、又は不当な目的のために"
        "使用してはならない。その職を解かれた後も同様とする。",
        "画像の提供を受けた第三者にも、同様の義務を負わせる措置をとる。",
        "不審な閲覧・書出しを検知した場合は、管理責任者が外部からのアクセスを直ちに遮断（隔離）できる。"))


def complaints(camera: CameraConfig) -> Section:
    return Section("ク", "問い合わせ・苦情等の処理", (
        f"問い合わせ・苦情等は{camera.notice.operator}（連絡先：{camera.notice.contact}）が受け付け、"
        "誠実かつ迅速に対応する。",
        "受け付けた問い合わせ・苦情等は、区分、対象カメラ、連絡先、対応内容、対応者、状況及び日付をシステムに記録する。"))


def compliance() -> Section:
    return Section("ケ", "個人情報保護等の遵守", (
        "画像は、個人情報の保護に関する法律その他関係法令及び条例に基づき適正に取り扱う。",))


def other(digest: str) -> Section:
    return Section("コ", "その他", (
        "この規程の施行に関して必要な事項は、管理責任者が別に定める。",
        f"この規程は稼働中のシステムの設定（設定ファイル SHA-256 {digest[:16]}…）及びアカウント一覧から作成した。"
        "設定又はアカウントを変更したときは、改めて印刷する。"))


def rules_for(camera: CameraConfig, accounts: Sequence[StoredAccount], facts: Facts, now_us: int, tz: tzinfo,
              digest: str) -> RulesDocument:
    sections = (purpose(camera), place(camera), managers(camera, accounts, now_us, tz), storage(camera),
                provision(camera), maintenance(facts), confidentiality(), complaints(camera), compliance(),
                other(digest))
    generated = datetime.fromtimestamp(now_us / 1e6, tz).strftime("%Y年%m月%d日 %H:%M")
    return RulesDocument(camera.id, f"{camera.name} カメラ管理・運用規程", sections, generated, digest)
