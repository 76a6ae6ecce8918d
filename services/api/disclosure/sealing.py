"""The written request (照会書) sealed like footage: AES-256-GCM under a key from settings/secret.

The request id is the associated data, so a sealed document moved to another request does not open.
"""
from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from roadcam.common.errors import RoadcamError
from services.api.disclosure.keys import key_from_base64

NONCE_BYTES = 12


class SealError(RoadcamError):
    """A sealed document does not open: wrong key, another request's document, or tampered."""


class DocumentSealer:
    def __init__(self, key_b64: str) -> None:
        key = key_from_base64(key_b64, "document_key", "32 random bytes (AES-256)")
        self._aead = AESGCM(key)
        # Names the key without revealing it, so a rotated key is detected instead of failing opaquely.
        self.key_id = hashlib.sha256(b"roadcam-document-key|" + key).hexdigest()[:16]

    def seal(self, request_id: int, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, _aad(request_id))

    def open(self, request_id: int, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(request_id))
        except InvalidTag as exc:
            raise SealError(f"the document of request {request_id} does not open") from exc


def _aad(request_id: int) -> bytes:
    return f"roadcam-request-document-v1|{request_id}".encode()
