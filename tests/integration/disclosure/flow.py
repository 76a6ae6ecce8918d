"""A recorded camera in the local S3, the api configured to export from it, and the bus between the
api's hold outbox and the recorder's hold commands carried in process (real codecs on both sides)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from roadcam.common import topics
from roadcam.common.bus import BusRecord
from roadcam.common.signing import service_key
from services.api import messages
from services.api.audit_intake import intake_for
from services.api.bus_sink import BusSink
from services.recorder.audit import AuditPublisher
from services.recorder.crypto import generate_master_key
from services.recorder.hold_commands import HoldCommands
from tests.integration.recorder.support import SECRET, clip_batches, new_store, s3_settings
from tests.integration.recorder.test_store_roundtrip import record
from tests.unit.api.apikit import T0_US, Api
from tests.unit.disclosure.kit import configure

AUDIT_MASTER = "audit-master-key-for-tests-0123456789"
CAMERA = "bridge-1"
RECORDED_FROM_US = T0_US - 3 * 3_600_000_000  # 06:00 JST, three hours before the api's "now"


class InProcessBus:
    """Collects what a producer sends, as BusRecords the consumer side decodes."""

    def __init__(self) -> None:
        self.records: list[BusRecord] = []

    async def send_and_wait(self, topic: str, key: str, value: bytes) -> None:
        self.records.append(BusRecord(topic, 0, len(self.records), key, value, 0))

    def take(self) -> list[BusRecord]:
        taken, self.records = self.records, []
        return taken


@dataclass
class Footage:
    store: object
    keyring: object
    holds: object
    metas: list
    bucket: str
    master: str

    def setup_api(self, api: Api, s3_server, export_dir: Path, **settings):
        return configure(api, export_dir, s3=s3_settings(s3_server), s3_secret_key=SecretStr(SECRET),
                         recordings_bucket=self.bucket, master_key=SecretStr(self.master), **settings)


def record_footage(s3_server, videos: Path, clip: str = "bridge_dense_5s.mp4") -> Footage:
    bucket, master = f"disc-{uuid.uuid4().hex[:10]}", generate_master_key()
    store, keyring, holds = new_store(s3_server, bucket=bucket, master_key=master)
    store.ensure_bucket()
    metas = record(store, keyring, clip_batches(videos / clip, CAMERA, t0_us=RECORDED_FROM_US), camera=CAMERA)
    return Footage(store, keyring, holds, metas, bucket, master)


async def deliver_holds(api: Api, footage: Footage) -> int:
    return await deliver(api.parts, api.client.app.state.disclosure, footage)


async def deliver(parts, disclosure, footage: Footage) -> int:
    """api outbox -> commands topic -> recorder (applies in S3, signs its audit event) -> api sink."""
    from services.api.disclosure.sender import HoldSender

    commands, audit_bus = InProcessBus(), InProcessBus()
    sent = await HoldSender(disclosure.holds, commands, parts.clock.now_us).send_pending()
    recorder = HoldCommands(None, footage.holds, AuditPublisher(audit_bus, service_key(AUDIT_MASTER.encode(), "recorder")))
    for record_ in commands.take():
        assert record_.topic == topics.COMMANDS
        await recorder.handle(record_)
    sink = BusSink(parts.counts, parts.operations, parts.audit, intake_for(SecretStr(AUDIT_MASTER)), disclosure.holds)
    sink.store(messages.decode(audit_bus.take()))
    return sent
