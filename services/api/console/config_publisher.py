"""Publishes configuration versions on the compacted config topic (issue 10): one message per camera
whose entry changed, keyed by camera id, so each service reads the newest entry of every camera at
start and every change while it runs. The bytes come from the api's protobuf edge (messages.py)."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from roadcam.common import topics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraChange:
    """One camera's entry in a configuration version, as the services receive it."""

    camera_id: str
    version: int
    config_json: str        # "" when the camera was removed
    changed_us: int
    changed_by: str
    reason: str

    @property
    def removed(self) -> bool:
        return not self.config_json


def _cameras(document: str) -> dict[str, dict]:
    raw = yaml.safe_load(document) if document else None
    return {c["id"]: c for c in (raw or {}).get("cameras", [])}


def changes(before: str, after) -> list[CameraChange]:
    """The cameras whose entry differs between two documents (`after` is a stored Version)."""
    old, new = _cameras(before), _cameras(after.document)
    out = []
    for cid in sorted(old.keys() | new.keys()):
        if old.get(cid) == new.get(cid):
            continue
        body = json.dumps(new[cid], ensure_ascii=False, sort_keys=True) if cid in new else ""
        out.append(CameraChange(cid, after.version, body, after.created_us, after.actor, after.reason))
    return out


class ConfigPublisher:
    def __init__(self, producer, encode: Callable[[CameraChange], bytes], previous: Callable[[int], str]) -> None:
        """`previous(version)` gives the document of an earlier version ("" for none)."""
        self._producer, self._encode, self._previous = producer, encode, previous

    async def publish(self, version) -> list[CameraChange]:
        sent = changes(self._previous(version.version - 1), version)
        for change in sent:
            await self._producer.send_and_wait(topics.CAMERA_CONFIG, change.camera_id, self._encode(change))
        log.info("configuration version %d published: %s", version.version, [c.camera_id for c in sent] or "no change")
        return sent

    async def publish_all(self, version) -> None:
        """Every camera of a version (start-up: the compacted topic then holds the current state)."""
        for change in changes("", version):
            await self._producer.send_and_wait(topics.CAMERA_CONFIG, change.camera_id, self._encode(change))
