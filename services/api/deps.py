"""Request dependencies: one narrow Annotated alias per thing a handler needs.

How a new router gets its dependencies: declare handler parameters with the aliases below, e.g.
`def handler(accounts: AccountsDep, clock: ClockDep, trail: AuditTrailDep, who: Annotated[Principal,
Depends(allow("my.endpoint"))])`. Each alias resolves to exactly one long-lived object that
`services.api.parts.open_parts` built once and `create_app` put on `app.state.parts`; never take the
whole `ApiParts`. Guard every route with `allow("<route name>")` and add that name to `MATRIX` in
`auth/roles.py` (create_app refuses an unguarded route). To share something new, add a field to
`ApiParts`, one getter and one alias here. Request-scoped helpers (like `AuditTrail`) are built
by a dependency from narrower ones.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from services.api.audit_trail import AuditTrail
from services.api.auth.roles import MATRIX, Role, allowed
from services.api.auth.signin_guard import SignInGuard
from services.api.auth.tokens import LocalTokens, TokenVerifier, key_matches, parse_api_key
from services.api.camera_directory import CameraDirectory
from services.api.clock import ApiClock
from services.api.counts_cache import SettledCounts
from services.api.errors import Forbidden, Unauthorized
from services.api.parts import ApiParts
from services.api.readiness import Readiness
from services.api.settings import Settings
from services.api.store.accounts import ANONYMOUS, Accounts, Principal, StoredAccount
from services.api.store.audit import AuditLog
from services.api.store.counts import CountStore
from services.api.store.measures import MeasureStore
from services.api.store.operations import OperationsStore
from services.api.store.view_health import ViewHealthStore

bearer = HTTPBearer(auto_error=False, description="short-lived token from POST /api/v1/auth/token")
api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key for machine clients")


# The getters are async: attribute reads, cheaper inline than a hop to a worker thread.
def _parts(request: Request) -> ApiParts:
    return request.app.state.parts


async def get_settings(request: Request) -> Settings:
    return _parts(request).settings


async def get_clock(request: Request) -> ApiClock:
    return _parts(request).clock


async def get_cameras(request: Request) -> CameraDirectory:
    return _parts(request).cameras


async def get_tokens(request: Request) -> LocalTokens:
    return _parts(request).tokens


async def get_verifier(request: Request) -> TokenVerifier:
    return _parts(request).verifier


async def get_accounts(request: Request) -> Accounts:
    return _parts(request).accounts


async def get_audit(request: Request) -> AuditLog:
    return _parts(request).audit


async def get_counts(request: Request) -> CountStore:
    return _parts(request).counts


async def get_settled_counts(request: Request) -> SettledCounts:
    return _parts(request).settled_counts


async def get_measures(request: Request) -> MeasureStore:
    return _parts(request).measures


async def get_view_health(request: Request) -> ViewHealthStore:
    return _parts(request).view_health


async def get_operations(request: Request) -> OperationsStore:
    return _parts(request).operations


async def get_signin_guard(request: Request) -> SignInGuard:
    return _parts(request).signin_guard


async def get_readiness(request: Request) -> Readiness:
    return request.app.state.readiness


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[ApiClock, Depends(get_clock)]
CamerasDep = Annotated[CameraDirectory, Depends(get_cameras)]
TokensDep = Annotated[LocalTokens, Depends(get_tokens)]
VerifierDep = Annotated[TokenVerifier, Depends(get_verifier)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
CountsDep = Annotated[CountStore, Depends(get_counts)]
SettledCountsDep = Annotated[SettledCounts, Depends(get_settled_counts)]
MeasuresDep = Annotated[MeasureStore, Depends(get_measures)]
OperationsDep = Annotated[OperationsStore, Depends(get_operations)]
ViewHealthDep = Annotated[ViewHealthStore, Depends(get_view_health)]
SignInGuardDep = Annotated[SignInGuard, Depends(get_signin_guard)]
ReadinessDep = Annotated[Readiness, Depends(get_readiness)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


async def get_trail(request: Request, audit: AuditDep, clock: ClockDep) -> AuditTrail:
    return AuditTrail(audit, clock.now_us, client_address(request), f"api {request.method} {request.url.path}")


AuditTrailDep = Annotated[AuditTrail, Depends(get_trail)]


def _usable(account: StoredAccount | None, now_us: int, what: str) -> StoredAccount:
    if account is None:
        raise Unauthorized(f"{what} names no account")
    if account.disabled:
        raise Unauthorized("account disabled")
    if not account.usable(now_us):
        raise Unauthorized("account expired; ask a manager to renew it")
    return account


async def current_user(  # async: one indexed lookup is cheaper inline than a hop to a worker thread
    accounts: AccountsDep, verifier: VerifierDep, clock: ClockDep,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Depends(api_key)],
) -> Principal:
    """The signed-in account (bearer token or API key), or the anonymous public caller."""
    now_us = clock.now_us()
    if token is not None:
        claims = verifier.verify(token.credentials, now_us)
        return _usable(accounts.get(claims.username), now_us, "token").principal("token")
    if key:
        key_id, secret = parse_api_key(key)
        found = accounts.by_key(key_id)
        if found is None or not key_matches(found[0], secret):
            raise Unauthorized("unknown or revoked API key")
        return _usable(found[1], now_us, "API key").principal("api_key")
    return ANONYMOUS


CurrentUser = Annotated[Principal, Depends(current_user)]


def allow(endpoint: str) -> Callable[..., Principal]:
    """A dependency that lets the caller through only if MATRIX grants the endpoint to their role."""
    if endpoint not in MATRIX:
        raise KeyError(f"endpoint {endpoint!r} has no row in the role matrix")

    async def check(who: CurrentUser) -> Principal:  # async: pure, no thread hop
        if allowed(endpoint, who.role):
            return who
        if who.role is Role.PUBLIC:
            raise Unauthorized("sign in first (bearer token or X-API-Key)")
        raise Forbidden(f"role {who.role.value} may not use {endpoint}")

    check.endpoint_id = endpoint  # type: ignore[attr-defined]  # read by the matrix coverage check
    return check
