"""Wire the recorder to real adapters (tests build the pieces with their own)."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import SecretStr

from roadcam.common import topics
from roadcam.common.blobs import BlobStore
from roadcam.common.bus import BusProducer
from roadcam.common.camconfig import load_config
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import ConfigError
from roadcam.common.settings import S3Settings
from roadcam.common.timeutil import now_us
from roadcam.common.wiring import wiring
from services.recorder.audit import AuditPublisher
from services.recorder.camera_chains import CameraChains
from services.recorder.commit_watermark import CommitWatermark
from services.recorder.consumer import ExplicitConsumer
from services.recorder.crypto import LocalKeyProvider
from services.recorder.holds import HoldBook
from services.recorder.hold_commands import HoldCommands
from services.recorder.integrity import IntegrityCheck
from services.recorder.intake import VideoIntake
from services.recorder.keyring import DataKeyRing
from services.recorder.service import Duty, RecorderService
from services.recorder.sweep_schedule import SweepSchedule
from services.recorder.settings import Settings
from services.recorder.storage import RecordingStore, StorageError, make_client
from services.recorder.sweeper import Sweeper
from services.recorder.uploader import Uploader
from services.recorder.uploads import UploadQueue

log = logging.getLogger(__name__)


def open_recordings(s3: S3Settings, s3_secret_key: SecretStr, bucket: str, master_key: SecretStr | None,
                    master_key_id: str = "local-1", timeout_s: float = 10.0) -> tuple[RecordingStore, DataKeyRing, HoldBook]:
    """The bucket, key ring and hold book from plain settings (the api's export uses this)."""
    if master_key is None:
        raise ConfigError("recorder: master_key is not set (ROADCAM_RECORDER_MASTER_KEY or a secret file); "
                          "refusing to record unencrypted")
    provider = LocalKeyProvider(master_key.get_secret_value(), master_key_id)
    store = RecordingStore(make_client(s3, s3_secret_key.get_secret_value(), timeout_s), bucket)
    keyring = DataKeyRing(store, provider)
    return store, keyring, HoldBook(store, keyring)


def open_store(settings: Settings) -> tuple[RecordingStore, DataKeyRing, HoldBook]:
    """`open_recordings` from the recorder's own settings (service and CLI)."""
    return open_recordings(settings.s3, settings.s3_secret_key, settings.bucket, settings.master_key,
                           settings.master_key_id, settings.s3_timeout_s)


async def ensure_bucket(store: RecordingStore, deadline_s: float = 60.0) -> None:
    started = time.monotonic()
    while True:
        try:
            await asyncio.to_thread(store.ensure_bucket)
            return
        except StorageError as exc:
            if time.monotonic() - started > deadline_s:
                raise
            log.warning("S3 not ready (%s); retrying", exc)
            await asyncio.sleep(2.0)


def recorder_service(settings: Settings, cameras: list[CameraConfig], video: ExplicitConsumer, producer: BusProducer,
                     blobs: BlobStore | None, recordings: tuple[RecordingStore, DataKeyRing, HoldBook],
                     duties: list[Duty], audit_signed: bool = True) -> RecorderService:
    """The recording pipeline's parts, joined (before the consumer starts: it registers rebalance hooks)."""
    store, keyring, holds = recordings
    queue = UploadQueue(settings.buffer_max_bytes, settings.spool_dir, settings.spool_max_bytes)
    chains = CameraChains(cameras, store, keyring, queue)
    watermark = CommitWatermark(video, lambda: queue.refs() + chains.pending_refs())
    intake = VideoIntake(video, blobs, chains, holds, queue, watermark)
    uploader = Uploader(queue, store, keyring, holds, producer, watermark, settings.retry_max_s)
    return RecorderService(intake, chains, queue, uploader, watermark, duties, audit_signed)


def audit_key(settings: Settings) -> bytes | None:
    if settings.audit_key is None:
        log.error("no audit signing key (ROADCAM_RECORDER_AUDIT_KEY): the api will refuse the recorder's audit events")
        return None
    try:
        key = bytes.fromhex(settings.audit_key.get_secret_value().strip())
    except ValueError as exc:
        raise ConfigError("recorder: audit_key must be hex (service_key of the api's audit_signing_key)") from exc
    if len(key) < 32:
        raise ConfigError(f"recorder: audit_key must be 32 bytes, got {len(key)}")
    return key


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[RecorderService]:
    config = load_config(settings.config_file)
    store, keyring, holds = open_store(settings)
    await ensure_bucket(store)
    async with wiring(settings) as wire:
        await wire.topics([topics.VIDEO, topics.SEGMENTS, topics.AUDIT, topics.COMMANDS])
        producer = await wire.producer()
        video = ExplicitConsumer(settings.kafka, settings.kafka_sasl_password, topics.VIDEO, settings.group_id,
                                 settings.session_timeout_ms)
        commands = wire.consumer([topics.COMMANDS], group_suffix="-commands", from_beginning=True)
        retention = {c.id: c.retention_days for c in config.cameras}
        sweeper = Sweeper(store, keyring, holds, lambda cam: retention.get(cam, settings.orphan_retention_days), now_us)
        audit = AuditPublisher(producer, audit_key(settings))
        duties = [HoldCommands(commands, holds, audit).run,
                  SweepSchedule(sweeper, audit, settings.sweep_interval_s, settings.sweep_retry_s).run,
                  IntegrityCheck(store, keyring, [c.id for c in config.cameras if c.records], settings.verify_window_s,
                                 settings.verify_interval_s, now_us).run]
        service = recorder_service(settings, list(config.cameras), video, producer, await wire.blobs(),
                                   (store, keyring, holds), duties, audit.signs)
        await wire.start(video)  # after the service registered its rebalance hooks
        await wire.start(commands)
        yield service
