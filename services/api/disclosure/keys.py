"""Secret keys given as base64 settings: one decoder, so every key fails the same clear way."""
from __future__ import annotations

import base64

from roadcam.common.errors import ConfigError

KEY_BYTES = 32


def key_from_base64(value_b64: str, setting: str, what: str) -> bytes:
    """The 32 raw bytes of `setting`; ConfigError naming the setting and what it must hold otherwise."""
    try:
        key = base64.b64decode(value_b64, validate=True)
    except ValueError as exc:
        raise ConfigError(f"{setting} must be base64 of {what}") from exc
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{setting} must be {what}, got {len(key)} bytes")
    return key
