"""AES-256-GCM for segments and for wrapping data keys, behind a KMS-shaped KeyProvider."""
from __future__ import annotations

import base64
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from roadcam.common.errors import RoadcamError

SEGMENT_MAGIC = b"RCS1"
WRAP_MAGIC = b"RCK1"
NONCE_BYTES = 12


class CryptoError(RoadcamError):
    """Decryption failed: wrong key, or the bytes or their metadata were altered."""


class KeyProvider(Protocol):
    """Wraps data keys with a master key it never reveals (a local secret now, a KMS later)."""

    master_key_id: str

    def wrap(self, data_key: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes: ...


class LocalKeyProvider:
    """Master key from a secret (base64 of 32 bytes); wrapping is AES-GCM bound to `context`."""

    def __init__(self, master_key_b64: str, master_key_id: str = "local-1") -> None:
        try:
            key = base64.b64decode(master_key_b64.strip(), validate=True)
        except ValueError as exc:
            raise CryptoError("master key is not valid base64") from exc
        if len(key) != 32:
            raise CryptoError(f"master key must be 32 bytes (AES-256), got {len(key)}")
        self._aead = AESGCM(key)
        self.master_key_id = master_key_id

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return WRAP_MAGIC + nonce + self._aead.encrypt(nonce, data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        if not wrapped.startswith(WRAP_MAGIC):
            raise CryptoError("not a wrapped roadcam data key")
        nonce = wrapped[4:4 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, wrapped[4 + NONCE_BYTES:], context)
        except InvalidTag as exc:
            raise CryptoError("data key does not unwrap with this master key (altered or wrong key)") from exc


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def generate_master_key() -> str:
    """A fresh master key as the base64 text a secret file holds."""
    return base64.b64encode(os.urandom(32)).decode()


def encrypt_segment(data_key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return SEGMENT_MAGIC + nonce + AESGCM(data_key).encrypt(nonce, plaintext, associated)


def decrypt_segment(data_key: bytes, blob: bytes, associated: bytes) -> bytes:
    if not blob.startswith(SEGMENT_MAGIC) or len(blob) < 4 + NONCE_BYTES + 16:
        raise CryptoError("not an encrypted roadcam segment")
    nonce = blob[4:4 + NONCE_BYTES]
    try:
        return AESGCM(data_key).decrypt(nonce, blob[4 + NONCE_BYTES:], associated)
    except InvalidTag as exc:
        raise CryptoError("segment fails authentication: bytes or metadata were altered") from exc
