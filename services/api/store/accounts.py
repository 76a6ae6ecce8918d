"""Accounts and API keys in the database."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from services.api.auth.roles import Role
from services.api.disclosure.conditions import NONE, ViewingConditions, from_stored
from services.api.db.tables import Account, ApiKey
from services.api.errors import Conflict, NotFound

ALL_DEPARTMENTS = "*"


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as every route sees it."""

    username: str
    role: Role
    departments: tuple[str, ...] = ()
    expires_us: int | None = None
    viewing_conditions: ViewingConditions = NONE
    via: str = "anonymous"   # anonymous, token or api_key

    def __post_init__(self) -> None:
        _coerce_conditions(self)

    def sees_department(self, department: str) -> bool:
        return ALL_DEPARTMENTS in self.departments or department in self.departments


def _coerce_conditions(holder) -> None:
    """Callers may still pass the old free text (or stored JSON); it becomes structured conditions."""
    value = holder.viewing_conditions
    if not isinstance(value, ViewingConditions):
        object.__setattr__(holder, "viewing_conditions", from_stored(value))


ANONYMOUS = Principal("anonymous", Role.PUBLIC)


@dataclass(frozen=True)
class StoredAccount:
    username: str
    role: Role
    departments: tuple[str, ...]
    expires_us: int | None
    viewing_conditions: ViewingConditions
    disabled: bool
    password_hash: str | None
    created_us: int

    def __post_init__(self) -> None:
        _coerce_conditions(self)

    def usable(self, now_us: int) -> bool:
        return not self.disabled and (self.expires_us is None or self.expires_us > now_us)

    def principal(self, via: str) -> Principal:
        return Principal(self.username, self.role, self.departments, self.expires_us, self.viewing_conditions, via)


def _stored(row: Account) -> StoredAccount:
    return StoredAccount(row.username, Role(row.role), tuple(json.loads(row.departments)), row.expires_us,
                         row.viewing_conditions, row.disabled, row.password_hash, row.created_us)


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Account)) or 0)

    def create(self, account: StoredAccount) -> StoredAccount:
        row = Account(
            username=account.username, password_hash=account.password_hash, role=account.role.value,
            departments=json.dumps(list(account.departments)), expires_us=account.expires_us,
            viewing_conditions=account.viewing_conditions.stored(), disabled=account.disabled, created_us=account.created_us,
        )
        try:
            with self._engine.begin() as conn:
                conn.execute(Account.__table__.insert(), [_columns(row)])
        except IntegrityError as exc:
            raise Conflict(f"account {account.username!r} already exists") from exc
        return account

    def get(self, username: str) -> StoredAccount | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(Account).where(Account.username == username)).first()
        return _stored(row) if row else None

    def list(self) -> list[StoredAccount]:
        with self._engine.connect() as conn:
            return [_stored(r) for r in conn.execute(select(Account).order_by(Account.username))]

    def update(self, username: str, **changes) -> StoredAccount:
        if "departments" in changes:
            changes["departments"] = json.dumps(list(changes["departments"]))
        if "role" in changes:
            changes["role"] = Role(changes["role"]).value
        if "viewing_conditions" in changes:
            given = changes["viewing_conditions"]
            changes["viewing_conditions"] = (given if isinstance(given, ViewingConditions) else from_stored(given)).stored()
        with self._engine.begin() as conn:
            done = conn.execute(update(Account).where(Account.username == username).values(**changes))
        if done.rowcount == 0:
            raise NotFound(f"no account {username!r}")
        return self.get(username)  # type: ignore[return-value]

    def add_key(self, username: str, key_id: str, key_hash: str, label: str, now_us: int) -> None:
        with self._engine.begin() as conn:
            account_id = conn.scalar(select(Account.id).where(Account.username == username))
            if account_id is None:
                raise NotFound(f"no account {username!r}")
            conn.execute(ApiKey.__table__.insert(), [{
                "key_id": key_id, "key_hash": key_hash, "account_id": account_id, "label": label,
                "revoked": False, "created_us": now_us}])

    def revoke_key(self, key_id: str) -> None:
        with self._engine.begin() as conn:
            done = conn.execute(update(ApiKey).where(ApiKey.key_id == key_id).values(revoked=True))
        if done.rowcount == 0:
            raise NotFound(f"no API key {key_id!r}")

    def by_key(self, key_id: str) -> tuple[str, StoredAccount] | None:
        """(stored key hash, owner) for an unrevoked key."""
        with self._engine.connect() as conn:
            row = conn.execute(KEY_OWNER, {"key_id": key_id}).first()
        return (row.key_hash, _stored(row)) if row else None


# Built once: this runs on every request signed with an API key.
KEY_OWNER = (select(ApiKey.key_hash, Account).join(Account, Account.id == ApiKey.account_id)
             .where(ApiKey.key_id == bindparam("key_id"), ApiKey.revoked.is_(False)))


def _columns(row: Account) -> dict:
    return {c.name: getattr(row, c.key) for c in Account.__table__.columns if c.name != "id"}
