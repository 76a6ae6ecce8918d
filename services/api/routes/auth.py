"""Sign-in (local accounts) and who-am-I. Failed sign-ins are throttled and audited (A1, A2);
see auth/signin_guard.py for the limits and how repeated failures are aggregated in the log."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.api.auth.passwords import verify_password
from services.api.deps import AccountsDep, AuditTrailDep, ClockDep, SignInGuardDep, TokensDep, allow
from services.api.errors import TooManyAttempts, Unauthorized
from services.api.schemas import LoginIn, MeOut, TokenOut
from services.api.store.accounts import Principal
from services.api.times import to_dt, to_dt_or_none

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
LOGIN_FAILED = "login_failed"
WRONG = "wrong user name or password"


@router.post("/token", name="auth.token", dependencies=[Depends(allow("auth.token"))],
             responses={401: {"description": "wrong credentials"}, 429: {"description": "too many failures"}})
def sign_in(body: LoginIn, accounts: AccountsDep, guard: SignInGuardDep, trail: AuditTrailDep, tokens: TokensDep,
            clock: ClockDep) -> TokenOut:
    now_us, user, client = clock.now_us(), body.username, trail.client
    refused = guard.check(user, client, now_us)
    if refused.wait_s:
        if refused.audit:
            trail.record(user, LOGIN_FAILED, reason="rate limited", method="password",
                         details={"refused": refused.count})
        raise TooManyAttempts(f"too many failed sign-ins for {user!r}; try again later", refused.wait_s)
    account = accounts.get(user)
    # An unknown name costs a dummy argon2 check (same timing) until this window's budget is spent.
    checked = account is not None or guard.unknown_user_allowed(now_us)
    problem = None
    if not checked or not verify_password(account.password_hash if account else None, body.password):
        problem = WRONG
    elif account is None or not account.usable(now_us):
        problem = "account disabled or expired"
    if problem or account is None:
        failed = guard.failed(user, client, now_us)
        if failed.audit:
            trail.record(user, LOGIN_FAILED, reason=problem or WRONG, method="password",
                         details={"failures": failed.count})
        raise Unauthorized(problem or WRONG)
    guard.succeeded(user, client, now_us)
    token, exp_s = tokens.issue(account.username, now_us / 1e6)
    return TokenOut(access_token=token, expires_at=to_dt(exp_s * 1_000_000, clock.tz))


@router.get("/me", name="auth.me")
def me(clock: ClockDep, who: Annotated[Principal, Depends(allow("auth.me"))]) -> MeOut:
    return MeOut(username=who.username, role=who.role, departments=list(who.departments),
                 expires_at=to_dt_or_none(who.expires_us, clock.tz), viewing_conditions=who.viewing_conditions,
                 via=who.via)
