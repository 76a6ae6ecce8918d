"""The rules of a provision request, free of I/O: states, legal bases per camera purpose, who decides.

Legal bases are Midori 様式第1号's list plus the other grounds in A3/X2 (emergency, the person's own
disclosure, public interest such as missing persons or disaster damage, and Gunma 6(2)'s
municipalities, media and road/traffic managers). The Gunma grounds apply to road-management
cameras only, and crime-prevention footage is never reused for another purpose (Odawara 7.2(2)):
a camera that records for crime prevention offers none of them, whatever else it is used for.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from services.api.errors import ApiError, Conflict, Forbidden


class State(StrEnum):
    RECEIVED = "received"              # 受付
    FIRST_APPROVED = "first_approved"  # 一次承認済み、決裁待ち (only with a second approval step)
    APPROVED = "approved"              # 提供可
    REFUSED = "refused"                # 提供不可
    FULFILLED = "fulfilled"            # 閲覧・提供済み
    CLOSED = "closed"                  # 完了
    WITHDRAWN = "withdrawn"            # 取下げ


class Method(StrEnum):
    VIEW_ONLY = "view_only"            # 画像閲覧
    RERECORDING = "rerecording"        # 再生画像撮影（カメラ、ビデオ）
    DATA_PROVISION = "data_provision"  # データ提供（記録媒体）


class Medium(StrEnum):
    NONE = ""
    USB = "usb"
    DVD = "dvd"
    NETWORK = "network"
    OTHER = "other"


# (code, purposes that allow it: None = any camera, else the camera must have one of them and
# must not record for crime prevention)
ROAD_ONLY = frozenset({"road_management"})
BASES: dict[str, frozenset[str] | None] = {
    "civil_procedure_223": None,       # 民事訴訟法第223条 文書提出命令
    "attorney_23_2": None,             # 弁護士法第23条の2第2項 弁護士会照会
    "criminal_procedure_197_2": None,  # 刑事訴訟法第197条第2項 捜査関係事項照会
    "criminal_procedure_279": None,    # 刑事訴訟法第279条 裁判所からの照会
    "criminal_procedure_507": None,    # 刑事訴訟法第507条 裁判執行のための照会
    "other_law": None,                 # その他の法令・条例
    "emergency": None,                 # 人の生命、身体又は財産の保護のため緊急
    "self_disclosure": None,           # 本人からの開示請求
    "public_interest": None,           # 行方不明者の安否確認、災害の被害状況 (Tottori 5(2)ウ, X2)
    "municipality": ROAD_ONLY,         # 関係自治体 (Gunma 6(2)③)
    "media": ROAD_ONLY,                # マスメディア (Gunma 6(2)③)
    "road_traffic_manager": ROAD_ONLY,  # 道路管理者・交通管理者 (Gunma 6(2)④)
}
CRIME_PREVENTION = "crime_prevention"


def bases_for_camera(purposes: Iterable[str]) -> list[str]:
    purposes = set(purposes)
    return [code for code, needs in BASES.items()
            if needs is None or (purposes & needs and CRIME_PREVENTION not in purposes)]


def allowed_bases(cameras_purposes: Iterable[Iterable[str]]) -> list[str]:
    """The bases every one of the request's cameras allows (a basis must fit all its footage)."""
    allowed = list(BASES)
    for purposes in cameras_purposes:
        ok = set(bases_for_camera(purposes))
        allowed = [b for b in allowed if b in ok]
    return allowed


def check_basis(basis: str, cameras_purposes: list[list[str]]) -> None:
    if basis not in BASES:
        raise ApiError(f"unknown legal basis {basis!r}; one of {', '.join(BASES)}", 422)
    if basis not in allowed_bases(cameras_purposes):
        raise ApiError(f"legal basis {basis} is not allowed for these cameras' purposes "
                       "(Gunma 6(2): road-management cameras only; Odawara 7.2(2): crime-prevention "
                       "footage is never provided for another purpose)", 422)


# Which state may follow which; the action names match the audit actions (request_<action>).
MOVES: dict[str, tuple[frozenset[State], State]] = {
    "first_approved": (frozenset({State.RECEIVED}), State.FIRST_APPROVED),
    "approved": (frozenset({State.RECEIVED, State.FIRST_APPROVED}), State.APPROVED),
    "refused": (frozenset({State.RECEIVED, State.FIRST_APPROVED}), State.REFUSED),
    "fulfilled": (frozenset({State.APPROVED, State.FULFILLED}), State.FULFILLED),
    "closed": (frozenset({State.APPROVED, State.FULFILLED, State.REFUSED, State.WITHDRAWN}), State.CLOSED),
    "withdrawn": (frozenset({State.RECEIVED, State.FIRST_APPROVED, State.APPROVED}), State.WITHDRAWN),
}
# States whose footage must survive: a preservation hold while pending, a legal hold once approved.
PRESERVING = frozenset({State.RECEIVED, State.FIRST_APPROVED})
LEGALLY_HELD = frozenset({State.APPROVED, State.FULFILLED})


def next_state(current: State, action: str) -> State:
    sources, target = MOVES[action]
    if current not in sources:
        raise Conflict(f"a {current.value} request cannot be {action}")
    return target


@dataclass(frozen=True)
class Decision:
    """A manager's decision on a request, checked against separation of duties (Tottori 3(2))."""

    approve: bool
    decided_by: str
    reason: str


def decide(current: State, decision: Decision, registered_by: str, first_approver: str,
           second_approval: bool) -> str:
    """The action a decision amounts to: first_approved, approved or refused."""
    if decision.decided_by == registered_by:
        raise Forbidden("the person who registered a request can never decide it (separation of duties)")
    if not decision.reason.strip():
        raise ApiError("a decision needs a reason", 422)
    if not decision.approve:
        next_state(current, "refused")
        return "refused"
    if current is State.FIRST_APPROVED:
        if decision.decided_by == first_approver:
            raise Forbidden("the second approval (決裁) must come from another manager")
        return "approved"
    action = "first_approved" if second_approval else "approved"
    next_state(current, action)
    return action


def may_download(method: Method, state: State) -> bool:
    """Only an approved data provision leaves the building as a file (A3, X3)."""
    return method is Method.DATA_PROVISION and state in LEGALLY_HELD
