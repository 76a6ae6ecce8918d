"""Who is calling, from raw request headers (the gate runs before routing, so no dependencies):
a manager's bearer token, API key or console session; also records where API keys are used from."""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from enum import Enum
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from services.api.auth.roles import Role
from services.api.auth.tokens import TokenVerifier, key_matches, parse_api_key
from services.api.console.session import SESSION_COOKIE
from services.api.errors import ApiError
from services.api.operations.tables import ApiKeyClientRow
from services.api.store.accounts import Accounts, StoredAccount
from services.api.store.upsert import insert_for

log = logging.getLogger(__name__)


def _manager(account: StoredAccount | None, now_us: int) -> bool:
    return account is not None and account.role is Role.MANAGER and account.usable(now_us)


class Caller(Enum):
    MANAGER = "manager"          # a usable manager account
    SIGNED_IN = "signed_in"      # a valid account of another role (refused with 403)
    UNKNOWN = "unknown"          # no or bad credentials (refused with 401)


class ManagerCheck:
    """Sorts a caller by a bearer token, console session cookie or API key: only managers pass."""

    def __init__(self, accounts: Accounts, verifier: TokenVerifier) -> None:
        self._accounts, self._verifier = accounts, verifier

    def __call__(self, headers: dict[str, str], now_us: int) -> Caller:
        try:
            account = self._account(headers, now_us)
        except (ApiError, ValueError):
            return Caller.UNKNOWN
        if account is None or not account.usable(now_us):
            return Caller.UNKNOWN
        return Caller.MANAGER if _manager(account, now_us) else Caller.SIGNED_IN

    def _account(self, headers: dict[str, str], now_us: int) -> StoredAccount | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return self._token(auth[7:].strip(), now_us)
        if headers.get("x-api-key"):
            key_id, secret = parse_api_key(headers["x-api-key"])
            found = self._accounts.by_key(key_id)
            return found[1] if found is not None and key_matches(found[0], secret) else None
        cookie = SimpleCookie(headers.get("cookie", ""))
        if SESSION_COOKIE in cookie:
            return self._token(cookie[SESSION_COOKIE].value, now_us)
        return None

    def _token(self, token: str, now_us: int) -> StoredAccount | None:
        return self._accounts.get(self._verifier.verify(token, now_us).username)

    def named_manager(self, username: str, now_us: int) -> bool:
        return _manager(self._accounts.get(username), now_us)


def sign_in_name(content_type: str, body: bytes) -> str:
    """The user name a sign-in body names (JSON for the API, a form for the console), or ""."""
    try:
        if content_type.startswith("application/json"):
            value = json.loads(body or b"{}").get("username", "")
        else:
            value = dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=50)).get("username", "")
    except (ValueError, AttributeError):
        return ""
    return value.strip() if isinstance(value, str) else ""


class KeyUses:
    """Remembers (API key, client address) pairs; a new, verified pair is stored for the leak rules."""

    def __init__(self, engine: Engine, accounts: Accounts, remember: int = 50_000) -> None:
        self._engine, self._accounts, self._max = engine, accounts, remember
        self._insert = insert_for(engine)
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def is_new(self, header: str, address: str) -> bool:
        try:
            key_id = parse_api_key(header)[0]
        except ApiError:
            return False
        return (key_id, address) not in self._seen

    def record(self, header: str, address: str, now_us: int) -> None:
        """Blocking (database): call from a worker thread. A wrong secret is not recorded (no framing)."""
        try:
            key_id, secret = parse_api_key(header)
            found = self._accounts.by_key(key_id)
            if found is None or not key_matches(found[0], secret):
                return
            stmt = self._insert(ApiKeyClientRow).values(key_id=key_id, address=address, first_us=now_us)
            with self._engine.begin() as conn:
                conn.execute(stmt.on_conflict_do_nothing())
        except (ApiError, SQLAlchemyError) as exc:
            log.warning("API key use not recorded: %s", exc)
            return
        self._seen[(key_id, address)] = None
        if len(self._seen) > self._max:
            self._seen.popitem(last=False)
