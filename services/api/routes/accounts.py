"""Accounts and API keys, managed by managers (A1). Every change is audited as config_change."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from services.api.auth.passwords import hash_password
from services.api.auth.roles import Role
from services.api.auth.tokens import new_api_key
from services.api.clock import ApiClock
from services.api.disclosure.conditions import from_input
from services.api.deps import AccountsDep, AuditTrailDep, ClockDep, allow
from services.api.errors import ApiError
from services.api.schemas import AccountIn, AccountOut, AccountPatch, ApiKeyIn, ApiKeyOut
from services.api.store.accounts import Principal, StoredAccount
from services.api.times import to_dt_or_none, to_us

router = APIRouter(prefix="/api/v1", tags=["accounts"])
UserPath = Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$", description="user name")
CONFIG_CHANGE = "config_change"


def out(clock: ApiClock, a: StoredAccount) -> AccountOut:
    return AccountOut(username=a.username, role=a.role, departments=list(a.departments),
                      expires_at=to_dt_or_none(a.expires_us, clock.tz), viewing_conditions=a.viewing_conditions,
                      disabled=a.disabled)


@router.get("/accounts", name="accounts.list")
def list_accounts(accounts: AccountsDep, clock: ClockDep,
                  _: Annotated[Principal, Depends(allow("accounts.list"))]) -> list[AccountOut]:
    return [out(clock, a) for a in accounts.list()]


@router.post("/accounts", name="accounts.create", status_code=201)
def create_account(accounts: AccountsDep, clock: ClockDep, trail: AuditTrailDep, body: AccountIn,
                   who: Annotated[Principal, Depends(allow("accounts.create"))]) -> AccountOut:
    role = Role(body.role)
    if role is Role.OPERATOR and body.expires_at is None:
        raise ApiError("operator accounts need expires_at (A1)", 422)
    expires = to_us(body.expires_at, clock.tz) if body.expires_at else None
    account = StoredAccount(body.username, role, tuple(body.departments), expires, from_input(body.viewing_conditions),
                            False, hash_password(body.password) if body.password else None, clock.now_us())
    accounts.create(account)
    trail.record(who, CONFIG_CHANGE, reason=f"account {body.username} created",
          details={"account": body.username, "role": role.value})
    return out(clock, account)


@router.patch("/accounts/{username}", name="accounts.update")
def update_account(accounts: AccountsDep, clock: ClockDep, trail: AuditTrailDep, body: AccountPatch,
                   who: Annotated[Principal, Depends(allow("accounts.update"))],
                   username: str = UserPath) -> AccountOut:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ApiError("nothing to change: send at least one field", 422)
    if "password" in changes:
        pw = changes.pop("password")
        changes["password_hash"] = hash_password(pw) if pw else None
    if "viewing_conditions" in changes:
        changes["viewing_conditions"] = from_input(body.viewing_conditions)
    if "expires_at" in changes:
        at = changes.pop("expires_at")
        changes["expires_us"] = to_us(at, clock.tz) if at else None
    account = accounts.update(username, **changes)
    if account.role is Role.OPERATOR and account.expires_us is None:
        accounts.update(username, expires_us=clock.now_us())  # fail closed, and say so in the log
        trail.record(who, CONFIG_CHANGE, reason=f"account {username} expired: operator without expires_at",
                     details={"account": username, "fields": "expires_at", "outcome": "failed_closed"})
        raise ApiError("operator accounts need expires_at (A1); the account was expired", 422)
    trail.record(who, CONFIG_CHANGE, reason=f"account {username} changed",
          details={"account": username, "fields": ",".join(sorted(body.model_dump(exclude_unset=True)))})
    return out(clock, account)


@router.post("/accounts/{username}/api-keys", name="apikeys.create", status_code=201)
def create_key(accounts: AccountsDep, clock: ClockDep, trail: AuditTrailDep, body: ApiKeyIn,
               who: Annotated[Principal, Depends(allow("apikeys.create"))],
               username: str = UserPath) -> ApiKeyOut:
    key = new_api_key()
    accounts.add_key(username, key.key_id, key.key_hash, body.label, clock.now_us())
    trail.record(who, CONFIG_CHANGE, reason=f"API key {key.key_id} issued to {username}",
          details={"account": username, "key_id": key.key_id})
    return ApiKeyOut(key_id=key.key_id, api_key=key.token)


@router.delete("/api-keys/{key_id}", name="apikeys.revoke", status_code=204)
def revoke_key(accounts: AccountsDep, trail: AuditTrailDep, who: Annotated[Principal, Depends(allow("apikeys.revoke"))],
               key_id: str = Path(pattern=r"^[0-9a-f]{16}$")) -> None:
    accounts.revoke_key(key_id)
    trail.record(who, CONFIG_CHANGE, reason=f"API key {key_id} revoked", details={"key_id": key_id})
