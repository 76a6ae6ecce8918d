"""Accounts and API keys, managed by managers (A1). Every change is audited as config_change."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from services.api.auth.passwords import hash_password
from services.api.auth.roles import Role
from services.api.auth.tokens import new_api_key
from services.api.deps import Ctx, allow, audit
from services.api.errors import ApiError
from services.api.schemas import AccountIn, AccountOut, AccountPatch, ApiKeyIn, ApiKeyOut
from services.api.store.accounts import Principal, StoredAccount
from services.api.times import to_dt_or_none, to_us

router = APIRouter(prefix="/api/v1", tags=["accounts"])
UserPath = Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$", description="user name")
CONFIG_CHANGE = "config_change"


def out(ctx, a: StoredAccount) -> AccountOut:
    return AccountOut(username=a.username, role=a.role, departments=list(a.departments),
                      expires_at=to_dt_or_none(a.expires_us, ctx.tz), viewing_conditions=a.viewing_conditions,
                      disabled=a.disabled)


@router.get("/accounts", name="accounts.list")
def list_accounts(ctx: Ctx, _: Annotated[Principal, Depends(allow("accounts.list"))]) -> list[AccountOut]:
    return [out(ctx, a) for a in ctx.accounts.list()]


@router.post("/accounts", name="accounts.create", status_code=201)
def create_account(ctx: Ctx, body: AccountIn, request: Request,
                   who: Annotated[Principal, Depends(allow("accounts.create"))]) -> AccountOut:
    role = Role(body.role)
    if role is Role.OPERATOR and body.expires_at is None:
        raise ApiError("operator accounts need expires_at (A1)", 422)
    expires = to_us(body.expires_at, ctx.tz) if body.expires_at else None
    account = StoredAccount(body.username, role, tuple(body.departments), expires, body.viewing_conditions,
                            False, hash_password(body.password) if body.password else None, ctx.clock_us())
    ctx.accounts.create(account)
    audit(ctx, request, who, CONFIG_CHANGE, reason=f"account {body.username} created",
          details={"account": body.username, "role": role.value})
    return out(ctx, account)


@router.patch("/accounts/{username}", name="accounts.update")
def update_account(ctx: Ctx, body: AccountPatch, request: Request,
                   who: Annotated[Principal, Depends(allow("accounts.update"))],
                   username: str = UserPath) -> AccountOut:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ApiError("nothing to change: send at least one field", 422)
    if "password" in changes:
        pw = changes.pop("password")
        changes["password_hash"] = hash_password(pw) if pw else None
    if "expires_at" in changes:
        at = changes.pop("expires_at")
        changes["expires_us"] = to_us(at, ctx.tz) if at else None
    account = ctx.accounts.update(username, **changes)
    if account.role is Role.OPERATOR and account.expires_us is None:
        ctx.accounts.update(username, expires_us=ctx.clock_us())  # fail closed
        raise ApiError("operator accounts need expires_at (A1); the account was expired", 422)
    audit(ctx, request, who, CONFIG_CHANGE, reason=f"account {username} changed",
          details={"account": username, "fields": ",".join(sorted(body.model_dump(exclude_unset=True)))})
    return out(ctx, account)


@router.post("/accounts/{username}/api-keys", name="apikeys.create", status_code=201)
def create_key(ctx: Ctx, body: ApiKeyIn, request: Request,
               who: Annotated[Principal, Depends(allow("apikeys.create"))],
               username: str = UserPath) -> ApiKeyOut:
    key = new_api_key()
    ctx.accounts.add_key(username, key.key_id, key.key_hash, body.label, ctx.clock_us())
    audit(ctx, request, who, CONFIG_CHANGE, reason=f"API key {key.key_id} issued to {username}",
          details={"account": username, "key_id": key.key_id})
    return ApiKeyOut(key_id=key.key_id, api_key=key.token)


@router.delete("/api-keys/{key_id}", name="apikeys.revoke", status_code=204)
def revoke_key(ctx: Ctx, request: Request, who: Annotated[Principal, Depends(allow("apikeys.revoke"))],
               key_id: str = Path(pattern=r"^[0-9a-f]{16}$")) -> None:
    ctx.accounts.revoke_key(key_id)
    audit(ctx, request, who, CONFIG_CHANGE, reason=f"API key {key_id} revoked", details={"key_id": key_id})
