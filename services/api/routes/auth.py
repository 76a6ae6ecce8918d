"""Sign-in (local accounts) and who-am-I. Failed sign-ins are audited and rate-limited (A1, A2)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.api.auth.passwords import verify_password
from services.api.deps import AccountsDep, AuditDep, AuditTrailDep, ClockDep, SettingsDep, TokensDep, allow
from services.api.errors import TooManyAttempts, Unauthorized
from services.api.schemas import LoginIn, MeOut, TokenOut
from services.api.store.accounts import Principal
from services.api.times import to_dt, to_dt_or_none

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
LOGIN_FAILED = "login_failed"


@router.post("/token", name="auth.token", dependencies=[Depends(allow("auth.token"))],
             responses={401: {"description": "wrong credentials"}, 429: {"description": "too many failures"}})
def sign_in(body: LoginIn, accounts: AccountsDep, audit: AuditDep, trail: AuditTrailDep, tokens: TokensDep,
            clock: ClockDep, settings: SettingsDep) -> TokenOut:
    now_us, window = clock.now_us(), settings.login_window_s
    failures = audit.count_recent(LOGIN_FAILED, body.username, now_us - window * 1_000_000)
    if failures >= settings.login_failures_max:
        trail.record(body.username, LOGIN_FAILED, reason="rate limited", method="password")
        raise TooManyAttempts(f"too many failed sign-ins for {body.username!r}; try again later", window)
    account = accounts.get(body.username)
    problem = None
    if not verify_password(account.password_hash if account else None, body.password):
        problem = "wrong user name or password"
    elif account is not None and not account.usable(now_us):
        problem = "account disabled or expired"
    if problem or account is None:
        trail.record(body.username, LOGIN_FAILED, reason=problem or "", method="password")
        raise Unauthorized(problem or "wrong user name or password")
    token, exp_s = tokens.issue(account.username, now_us / 1e6)
    return TokenOut(access_token=token, expires_at=to_dt(exp_s * 1_000_000, clock.tz))


@router.get("/me", name="auth.me")
def me(clock: ClockDep, who: Annotated[Principal, Depends(allow("auth.me"))]) -> MeOut:
    return MeOut(username=who.username, role=who.role, departments=list(who.departments),
                 expires_at=to_dt_or_none(who.expires_us, clock.tz), viewing_conditions=who.viewing_conditions,
                 via=who.via)
