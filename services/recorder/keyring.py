"""Data keys: one per camera per UTC day (per recorder run), wrapped by the KeyProvider and
stored as `_keys/{camera}/{YYYY-MM-DD}/{nonce}.key`. Destroying a day's key objects (every
version) makes that day's footage undecryptable everywhere, backups included (crypto-shredding).
"""
from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass

from roadcam.common.errors import RoadcamError
from services.recorder.chain import key_prefix
from services.recorder.crypto import KeyProvider, new_data_key
from services.recorder.storage import RecordingStore, retention_class


class KeyUnavailableError(RoadcamError):
    """The data key was destroyed (retention over) or never stored: the footage is unreadable."""


@dataclass(frozen=True)
class NewKey:
    """A key created in memory whose wrapped form still has to reach the store."""

    key_id: str
    wrapped: bytes


def key_object(key_id: str) -> str:
    return f"_keys/{key_id}.key"


class DataKeyRing:
    def __init__(self, store: RecordingStore, provider: KeyProvider) -> None:
        self._store, self._provider = store, provider
        self._current: dict[tuple[str, dt.date], str] = {}
        self._plain: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def current(self, camera_id: str, day: dt.date) -> tuple[str, bytes, NewKey | None]:
        """The key to encrypt this camera's footage of `day`; creates one on first use."""
        with self._lock:
            key_id = self._current.get((camera_id, day))
            if key_id is not None:
                return key_id, self._plain[key_id], None
            key_id = f"{camera_id}/{day:%Y-%m-%d}/{secrets.token_hex(8)}"
            plain = new_data_key()
            self._current[(camera_id, day)] = key_id
            self._plain[key_id] = plain
            return key_id, plain, NewKey(key_id, self._provider.wrap(plain, key_id.encode()))

    def store_new(self, new: NewKey, retention_days: int, hold: bool) -> None:
        headers = {"x-amz-meta-rc-master-key-id": self._provider.master_key_id}
        self._store.put(key_object(new.key_id), new.wrapped, headers,
                        f"key-{retention_class(retention_days)}", hold)

    def key(self, key_id: str) -> bytes:
        """The plaintext data key for reading; KeyUnavailableError once it is destroyed."""
        with self._lock:
            if key_id in self._plain:
                return self._plain[key_id]
        wrapped = self._store.get_optional(key_object(key_id))
        if wrapped is None:
            raise KeyUnavailableError(f"data key {key_id} is destroyed or missing")
        plain = self._provider.unwrap(wrapped, key_id.encode())
        with self._lock:
            self._plain[key_id] = plain
        return plain

    def day_keys(self, camera_id: str, day: dt.date) -> list[str]:
        return list(self._store.names(key_prefix(camera_id, day)))

    def destroy_day(self, camera_id: str, day: dt.date) -> tuple[list[str], list[tuple[str, Exception]]]:
        """Delete every version of the day's key objects, those hidden behind a delete marker too.

        Returns (key ids destroyed, (object, error) of those that could not be)."""
        destroyed, failed = [], []
        for name in self._store.names_with_hidden(key_prefix(camera_id, day)):
            try:
                self._store.delete_all_versions(name)
            except Exception as exc:  # noqa: BLE001 - the caller audits it and retries the day
                failed.append((name, exc))
                continue
            destroyed.append(name.removeprefix("_keys/").removesuffix(".key"))
        with self._lock:
            for key_id in destroyed:
                self._plain.pop(key_id, None)
            if not failed:
                self._current.pop((camera_id, day), None)
        return destroyed, failed

    def pin_day(self, camera_id: str, day: dt.date, on: bool) -> None:
        for name in self.day_keys(camera_id, day):
            self._store.set_hold(name, on)
