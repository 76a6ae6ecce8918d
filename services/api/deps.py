"""Request dependencies as Annotated aliases: the context, the caller, and the role check."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from services.api.audit_chain import AuditRecord
from services.api.auth.roles import MATRIX, Role, allowed
from services.api.auth.tokens import key_matches, parse_api_key
from services.api.context import ApiContext
from services.api.errors import Forbidden, Unauthorized
from services.api.store.accounts import ANONYMOUS, Principal, StoredAccount

bearer = HTTPBearer(auto_error=False, description="short-lived token from POST /api/v1/auth/token")
api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key for machine clients")


async def get_context(request: Request) -> ApiContext:  # async: pure, no thread hop
    return request.app.state.api


Ctx = Annotated[ApiContext, Depends(get_context)]


def _usable(account: StoredAccount | None, ctx: ApiContext, what: str) -> StoredAccount:
    if account is None:
        raise Unauthorized(f"{what} names no account")
    if account.disabled:
        raise Unauthorized("account disabled")
    if not account.usable(ctx.clock_us()):
        raise Unauthorized("account expired; ask a manager to renew it")
    return account


async def caller(  # async: one indexed lookup is cheaper inline than a hop to a worker thread
    ctx: Ctx,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Depends(api_key)],
) -> Principal:
    """The signed-in account (bearer token or API key), or the anonymous public caller."""
    if token is not None:
        claims = ctx.verifier.verify(token.credentials, ctx.clock_us())
        return _usable(ctx.accounts.get(claims.username), ctx, "token").principal("token")
    if key:
        key_id, secret = parse_api_key(key)
        found = ctx.accounts.by_key(key_id)
        if found is None or not key_matches(found[0], secret):
            raise Unauthorized("unknown or revoked API key")
        return _usable(found[1], ctx, "API key").principal("api_key")
    return ANONYMOUS


Caller = Annotated[Principal, Depends(caller)]


def allow(endpoint: str) -> Callable[..., Principal]:
    """A dependency that lets the caller through only if MATRIX grants the endpoint to their role."""
    if endpoint not in MATRIX:
        raise KeyError(f"endpoint {endpoint!r} has no row in the role matrix")

    async def check(who: Caller) -> Principal:  # async: pure, no thread hop
        if allowed(endpoint, who.role):
            return who
        if who.role is Role.PUBLIC:
            raise Unauthorized("sign in first (bearer token or X-API-Key)")
        raise Forbidden(f"role {who.role.value} may not use {endpoint}")

    check.endpoint_id = endpoint  # type: ignore[attr-defined]  # read by the matrix coverage check
    return check


def audit(ctx: ApiContext, request: Request, who: Principal | str, action: str, **fields) -> None:
    """Append one entry to the audit log for something done through the API (A2)."""
    actor = who if isinstance(who, str) else who.username
    client = request.client.host if request.client else ""
    method = fields.pop("method", f"api {request.method} {request.url.path}")
    details = {"client": client, **{k: str(v) for k, v in fields.pop("details", {}).items()}}
    ctx.audit.append(AuditRecord(event_id=f"api-{uuid.uuid4().hex}", time_us=ctx.clock_us(), actor=actor,
                                 action=action, method=method, details=details, **fields))
