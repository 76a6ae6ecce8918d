"""Live camera configuration from the compacted topic roadcam.camera-config.v1 (issue 10).

Every replica needs every camera, so the topic is read whole from the beginning without a
consumer group (no committed offsets). The broker may not compact (tansu), and a producer may
resend: only a document newer than the camera's last one is passed on. Decoding is the caller's
(`decode`: each service's messages.py); validation is the shared `CameraConfig` model here.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from roadcam.common import topics
from roadcam.common.bus import client_options
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import RoadcamError
from roadcam.common.settings import ServiceSettings
from roadcam.common.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class ConfigDocumentError(RoadcamError):
    """A configuration document that cannot be used (undecodable or invalid)."""


@dataclass(frozen=True)
class ConfigDocument:
    camera_id: str
    version: int
    config_json: str
    changed_time_us: int = 0
    removed: bool = False


@dataclass(frozen=True)
class ConfigChange:
    """A validated document: `config` is None when the camera was removed."""

    camera_id: str
    version: int
    config: CameraConfig | None
    changed_time_us: int


class ConfigListener(Protocol):
    async def received(self, camera_id: str) -> None:
        """A newer document arrived and is about to be validated (fail-closed services hold here)."""

    async def apply(self, change: ConfigChange) -> None: ...

    async def reject(self, camera_id: str, reason: str) -> None: ...


def validate(doc: ConfigDocument) -> ConfigChange:
    """The document's camera entry, validated like the YAML file; ConfigDocumentError otherwise."""
    if doc.removed:
        return ConfigChange(doc.camera_id, doc.version, None, doc.changed_time_us)
    try:
        config = CameraConfig.model_validate(json.loads(doc.config_json))
    except (ValueError, ValidationError) as exc:
        raise ConfigDocumentError(f"camera {doc.camera_id} version {doc.version}: {exc}") from exc
    if config.id != doc.camera_id:
        raise ConfigDocumentError(f"document keyed {doc.camera_id!r} describes camera {config.id!r}")
    return ConfigChange(doc.camera_id, doc.version, config, doc.changed_time_us)


class ConfigVersions:
    """The newest version seen per camera: duplicates and stale resends are dropped."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def is_new(self, doc: ConfigDocument) -> bool:
        if doc.version <= self._seen.get(doc.camera_id, 0):
            return False
        self._seen[doc.camera_id] = doc.version
        return True


class ConfigFeed:
    """Consumes the config topic in a background task and hands each new document to `listener`."""

    def __init__(self, settings: ServiceSettings, decode: Callable[[bytes], ConfigDocument],
                 listener: ConfigListener) -> None:
        self._decode, self._listener = decode, listener
        self._versions = ConfigVersions()
        self._consumer = AIOKafkaConsumer(
            group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
            fetch_max_wait_ms=100, **client_options(settings.kafka, settings.kafka_sasl_password),
        )
        self._task: asyncio.Task | None = None
        self.documents = 0  # documents handled (applied or rejected), for readiness and tests

    async def start(self) -> None:
        await self._consumer.start()
        self._consumer.subscribe([topics.CAMERA_CONFIG])
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait([self._task])
        await self._consumer.stop()

    async def _run(self) -> None:
        while True:
            fetched = await self._consumer.getmany(timeout_ms=500)
            for record in (r for part in fetched.values() for r in part):
                await self._handle((record.key or b"").decode(), record.value)

    async def _handle(self, key: str, value: bytes) -> None:
        try:
            doc = self._decode(value)
        except Exception as exc:  # noqa: BLE001 - protobuf raises several types; a bad message is skipped
            log.error("camera %s: undecodable configuration document ignored: %s", key, exc)
            await self._guarded(self._listener.reject, key, f"undecodable configuration document: {exc}")
            self.documents += 1
            return
        if not self._versions.is_new(doc):
            return
        await self._guarded(self._listener.received, doc.camera_id)
        try:
            change = validate(doc)
        except ConfigDocumentError as exc:
            log.error("configuration document rejected: %s", exc)
            await self._guarded(self._listener.reject, doc.camera_id, str(exc))
        else:
            log.info("camera %s: configuration version %d received", doc.camera_id, doc.version)
            await self._guarded(self._listener.apply, change)
        self.documents += 1

    async def _guarded(self, call: Callable[..., Awaitable[None]], *args) -> None:
        try:
            await call(*args)
        except Exception as exc:  # noqa: BLE001 - one camera's trouble must not stop the feed
            log.error("configuration change not applied: %s", exc, exc_info=True)
