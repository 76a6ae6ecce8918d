"""Legal-hold commands and the retention sweep as the service runs them: bus in, audit out."""
from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from roadcam.common import topics
from roadcam.common.bus import BusProducer, BusRecord, ensure_topics
from services.recorder.audit import AuditPublisher
from services.recorder.chain import DAY_US, day_of
from services.recorder.hold_commands import HoldCommands
from services.recorder.sweep_schedule import SweepSchedule
from services.recorder.sweeper import Sweeper
from roadcam.v1 import audit_pb2, commands_pb2
from tests.integration.recorder.harness import read_topic
from tests.integration.recorder.support import T0_US, clip_batches, new_store
from tests.integration.recorder.test_store_roundtrip import CAM, record

pytestmark = pytest.mark.slow


def command_record(offset: int, start_us: int, end_us: int, release: bool = False) -> BusRecord:
    cmd = commands_pb2.Command(legal_hold=commands_pb2.LegalHoldCommand(
        command_id="case-7-release" if release else "case-7", camera_id=CAM, range_start_us=start_us,
        range_end_us=end_us, release=release, hold_id="case-7" if release else "",
        requested_by="officer-2", reason="police request 7", request_id="req-7"))
    return BusRecord(topics.COMMANDS, 0, offset, CAM, cmd.SerializeToString(), 0)


async def test_hold_sweep_release_sweep_with_audit_trail(kafka_settings, s3_server, videos):
    store, keyring, holds = new_store(s3_server)
    store.ensure_bucket()
    metas = record(store, keyring, clip_batches(videos / "bridge_dense_5s.mp4", CAM))
    await ensure_topics(kafka_settings, None, topics.ALL)
    producer = BusProducer(kafka_settings, None, "test-recorder")
    await producer.start()
    clock = {"now": T0_US + 40 * DAY_US}
    sweeper = Sweeper(store, keyring, holds, lambda cam: 7, lambda: clock["now"])
    audit = AuditPublisher(producer)
    commands, sweeps = HoldCommands(None, holds, audit), SweepSchedule(sweeper, audit, interval_s=3600)
    try:
        await commands.handle(BusRecord(topics.COMMANDS, 0, 0, CAM, b"\xff not a command", 0))
        await commands.handle(command_record(1, metas[0].start_us, metas[1].end_us))
        assert await sweeps.sweep_once() == 1  # only the unheld segments' deletion; keys pinned
        assert [m.object_key for m in metas if store.headers(m.object_key)] == [metas[0].object_key, metas[1].object_key]
        await commands.handle(command_record(2, metas[0].start_us, metas[1].end_us, release=True))
        assert await sweeps.sweep_once() == 2  # now the rest, and the day's key
        assert not list(store.names(f"{CAM}/")) and not list(store.names(f"_keys/{CAM}/"))
    finally:
        await producer.stop()
    events = [audit_pb2.AuditEvent.FromString(v) for v in await read_topic(kafka_settings, topics.AUDIT, 5)]
    assert [e.action for e in events] == ["hold", "delete", "release", "delete", "key_destroyed"]
    hold = events[0]
    assert (hold.actor, hold.reason, hold.details["request_id"], hold.details["segments"]) == (
        "officer-2", "police request 7", "req-7", "2")
    assert events[1].details["segments"] == "3" and events[3].details["segments"] == "2"
    assert (events[2].details["hold_id"], events[2].details["released_holds"]) == ("case-7", "case-7")
    assert events[4].details["key_id"] == metas[0].key_id
    assert len({e.event_id for e in events}) == 5


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


async def test_a_failing_sweep_is_audited_counted_and_retried(kafka_settings, s3_server, videos):
    store, keyring, holds = new_store(s3_server)
    store.ensure_bucket()
    metas = record(store, keyring, clip_batches(videos / "bridge_dense_5s.mp4", CAM))
    [stuck] = keyring.day_keys(CAM, day_of(T0_US))
    store.client.enable_object_legal_hold(store.bucket, stuck)  # set outside roadcam: never forced
    await ensure_topics(kafka_settings, None, topics.ALL)
    producer = BusProducer(kafka_settings, None, "test-recorder")
    await producer.start()
    sweeper = Sweeper(store, keyring, holds, lambda cam: 7, lambda: T0_US + 40 * DAY_US)
    sweeps = SweepSchedule(sweeper, AuditPublisher(producer), interval_s=3600)
    failures_before = sample("roadcam_recorder_sweep_failures_total", {"camera": CAM})
    try:
        assert await sweeps.sweep_once() == 2  # the segments' deletion (audited) and the failed key
        assert sweeps.failures == 1 and sample("roadcam_recorder_sweep_failing_items") == 1
        assert sample("roadcam_recorder_sweep_failures_total", {"camera": CAM}) == failures_before + 1
        last_success = sample("roadcam_recorder_sweep_last_success_timestamp_seconds")
        store.client.disable_object_legal_hold(store.bucket, stuck)
        assert await sweeps.sweep_once() == 1 and sweeps.failures == 0
        assert sample("roadcam_recorder_sweep_failing_items") == 0
        assert sample("roadcam_recorder_sweep_last_success_timestamp_seconds") > last_success
    finally:
        await producer.stop()
    events = [audit_pb2.AuditEvent.FromString(v) for v in await read_topic(kafka_settings, topics.AUDIT, 3)]
    assert [e.action for e in events] == ["delete", "sweep_failed", "key_destroyed"]
    assert (events[1].details["object"], events[1].details["error"]) == (stuck, "AccessDenied")
    assert events[2].details["key_id"] == metas[0].key_id
