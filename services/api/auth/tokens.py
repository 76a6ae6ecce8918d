"""Short-lived HS256 bearer tokens and API keys. The seam for OIDC is `TokenVerifier`."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Protocol

import jwt

from services.api.errors import Unauthorized

ISSUER = "roadcam-api"
API_KEY_PREFIX = "rk_"


@dataclass(frozen=True)
class TokenClaims:
    username: str
    expires_us: int


class TokenVerifier(Protocol):
    """Turns a bearer token into a username. An OIDC verifier (issuer JWKS, audience) plugs in here;
    the account it names must exist locally so roles and departments stay in one place."""

    def verify(self, token: str, now_us: int) -> TokenClaims: ...


class LocalTokens:
    def __init__(self, secret: str, lifetime_s: int) -> None:
        self._secret, self._lifetime_s = secret, lifetime_s

    def issue(self, username: str, now_s: float) -> tuple[str, int]:
        exp = int(now_s) + self._lifetime_s
        claims = {"sub": username, "iss": ISSUER, "iat": int(now_s), "exp": exp, "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self._secret, algorithm="HS256"), exp

    def verify(self, token: str, now_us: int) -> TokenClaims:
        # Expiry is checked against the service clock (injected), not PyJWT's own time.time().
        options = {"require": ["sub", "exp", "iss"], "verify_exp": False, "verify_iat": False, "verify_nbf": False}
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], issuer=ISSUER, options=options)
            expires_us = int(claims["exp"]) * 1_000_000
        except (jwt.InvalidTokenError, TypeError, ValueError) as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        if expires_us <= now_us:
            raise Unauthorized("token expired; sign in again")
        return TokenClaims(str(claims["sub"]), expires_us)


@dataclass(frozen=True)
class NewApiKey:
    key_id: str
    secret: str      # shown once; only its hash is stored
    key_hash: str

    @property
    def token(self) -> str:
        return f"{API_KEY_PREFIX}{self.key_id}.{self.secret}"


def new_api_key() -> NewApiKey:
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    return NewApiKey(key_id, secret, hash_key_secret(secret))


def hash_key_secret(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_api_key(token: str) -> tuple[str, str]:
    if not token.startswith(API_KEY_PREFIX) or "." not in token:
        raise Unauthorized("malformed API key")
    key_id, secret = token[len(API_KEY_PREFIX):].split(".", 1)
    return key_id, secret


def key_matches(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_key_secret(secret))
