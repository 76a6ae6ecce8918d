"""The recorder service end to end: bus in, S3 out, holds by command, outage and SIGKILL."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
from minio.error import S3Error

from roadcam.common import topics
from roadcam.common.bus import BusProducer, roll_topics
from roadcam.common.runner import serve
from roadcam.common.timeutil import now_us
from roadcam.devstack.processes import free_port
from services.recorder.bootstrap import bootstrap
from services.recorder.crypto import generate_master_key
from services.recorder.export import export_clip
from services.recorder.sealer import load_head
from services.recorder.verify import verify_range
from roadcam.v1 import audit_pb2, commands_pb2, recording_pb2
from tests.integration.recorder.harness import (
    SwitchableProxy, camera, publish, read_topic, recorder_env, recorder_settings, wait_for,
)
from tests.integration.recorder.support import clip_batches, frame_hashes, new_store

pytestmark = pytest.mark.slow
CAM, SKIPPED = "cam-a", "cam-n"
# Capture times near now: the service's sweeper runs on the real clock and would expire older ones.
T0_US = now_us() - 600_000_000


def fixture_world(tmp_path, kafka_settings, s3_server, endpoint=None, **extra):
    bucket, master = f"svc-{uuid.uuid4().hex[:10]}", generate_master_key()
    settings = recorder_settings(tmp_path, [camera(CAM), camera(SKIPPED, records=False)], kafka_settings,
                                 s3_server, bucket, master, endpoint, **extra)
    store, keyring, _ = new_store(s3_server, bucket=bucket, master_key=master)
    return settings, store, keyring


def readyz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def head_seq(store) -> int:
    """The last stored packet's seq, -1 before anything (or the bucket) exists."""
    try:
        return load_head(store, CAM).last_seq
    except S3Error:
        return -1


def stored_up_to(store, seq: int):
    async def check() -> bool:
        return await asyncio.to_thread(head_seq, store) >= seq
    return check


async def run_until(settings, condition, timeout=60.0):
    """Run the service in-process until `condition()` holds, then stop it gracefully."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, bootstrap, stop))
    try:
        assert await wait_for(condition, timeout), "condition not reached"
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


def check_complete(store, keyring, packets: int, source_hashes: list[str]):
    report = verify_range(store, keyring, CAM, T0_US, T0_US + 10**12)
    assert report.status == "OK", report.findings
    starts = [s.meta.start_us for s in report.segments]
    assert starts == sorted(set(starts))
    export = export_clip(store, keyring, CAM, T0_US, T0_US + 10**12)
    assert frame_hashes(export.mp4) == source_hashes
    return report


async def test_records_only_recording_cameras_and_applies_holds(tmp_path, kafka_settings, s3_server, videos):
    settings, store, keyring = fixture_world(tmp_path, kafka_settings, s3_server)
    clip = videos / "bridge_dense_5s.mp4"
    batches = clip_batches(clip, CAM, t0_us=T0_US)
    await publish(kafka_settings, batches + clip_batches(clip, SKIPPED, t0_us=T0_US))
    hold = commands_pb2.Command(legal_hold=commands_pb2.LegalHoldCommand(
        command_id="cmd-1", camera_id=CAM, range_start_us=T0_US, range_end_us=T0_US + 1_000_000,
        requested_by="officer-1", reason="investigation"))
    producer = BusProducer(kafka_settings, None, "test-api")
    await producer.start()
    await producer.send_and_wait(topics.COMMANDS, CAM, hold.SerializeToString())
    await producer.stop()

    await run_until(settings, stored_up_to(store, 119))
    assert load_head(store, CAM).last_seq == 143  # the open segment was stored at shutdown
    report = check_complete(store, keyring, 144, frame_hashes(clip))
    assert not list(store.names(f"{SKIPPED}/"))  # P1
    assert store.is_held(report.segments[0].meta.object_key)
    assert store.retention_tag(report.segments[0].meta.object_key) == "held"
    assert not store.is_held(report.segments[-1].meta.object_key)
    notices = [recording_pb2.SegmentRecord.FromString(v) for v in await read_topic(kafka_settings, topics.SEGMENTS, len(report.segments))]
    assert [n.chain_hash for n in notices] == [s.meta.chain_hash for s in report.segments]
    audits = [audit_pb2.AuditEvent.FromString(v) for v in await read_topic(kafka_settings, topics.AUDIT, 1)]
    assert [(a.action, a.actor, a.camera_id) for a in audits] == [("hold", "officer-1", CAM)]


async def test_s3_outage_loses_nothing(tmp_path, kafka_settings, s3_server, videos):
    proxy = SwitchableProxy(s3_server.port)
    await proxy.up()
    spool = tmp_path / "spool"  # a 1 MB memory buffer: most of the outage spills (encrypted) to disk
    settings, store, keyring = fixture_world(tmp_path, kafka_settings, s3_server, f"127.0.0.1:{proxy.port}",
                                             buffer_max_bytes=1024 * 1024, spool_dir=spool,
                                             health_port=free_port(), health_host="127.0.0.1")
    clip = videos / "bridge_dense_5s.mp4"
    batches = clip_batches(clip, CAM, loops=3, t0_us=T0_US)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, bootstrap, stop))
    try:
        await publish(kafka_settings, batches[:15])
        assert await wait_for(stored_up_to(store, 60), 60)
        await proxy.down()
        await publish(kafka_settings, batches[15:])
        await asyncio.sleep(4)  # several failed attempts while the footage waits in the buffer
        spilled = list(spool.iterdir())
        assert spilled and all(p.read_bytes()[:4] == b"RCS1" for p in spilled)
        status, body = await asyncio.to_thread(readyz, settings.health_port)
        assert status == 503 and body["s3_ok"] is False and body["buffered_segments"] >= 2
        await proxy.up()
        assert await wait_for(stored_up_to(store, 400), 60)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        await proxy.down()
    assert load_head(store, CAM).last_seq == 3 * 144 - 1
    check_complete(store, keyring, 3 * 144, frame_hashes(clip) * 3)


async def test_sigkill_mid_segment_rerecords_at_most_that_segment(tmp_path, kafka_settings, s3_server, videos):
    settings, store, keyring = fixture_world(tmp_path, kafka_settings, s3_server)
    env = {**os.environ, **recorder_env(settings)}
    clip = videos / "bridge_dense_5s.mp4"
    batches = clip_batches(clip, CAM, loops=4, t0_us=T0_US)
    await publish(kafka_settings, batches[: len(batches) // 2])

    def start():
        return subprocess.Popen([sys.executable, "-m", "services.recorder"], env=env,
                                stdout=subprocess.DEVNULL, stderr=open(tmp_path / "recorder.log", "ab"))

    first = start()
    try:
        assert await wait_for(stored_up_to(store, 100), 60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = load_head(store, CAM)
        await publish(kafka_settings, batches[len(batches) // 2:])
        second = start()
        try:
            # everything but the open segment at the end is stored, then a clean stop stores it
            assert await wait_for(stored_up_to(store, 4 * 144 - 40), 90)
            second.send_signal(signal.SIGTERM)
            assert second.wait(60) == 0
        finally:
            second.kill()
    finally:
        first.kill()
    assert killed_at.last_seq < 4 * 144 - 1
    versions = [v.object_name for v in store.client.list_objects(
        store.bucket, prefix=f"{CAM}/", recursive=True, include_version=True)]
    assert len(versions) - len(set(versions)) <= 1  # at most one segment was stored twice
    assert load_head(store, CAM).last_seq == 4 * 144 - 1
    check_complete(store, keyring, 4 * 144, frame_hashes(clip) * 4)


async def test_a_second_replica_takes_over_partitions_without_forking_chains(tmp_path, kafka_settings, s3_server, videos):
    cams = [CAM, "cam-c", "cam-d", "cam-e"]
    bucket, master = f"svc-{uuid.uuid4().hex[:10]}", generate_master_key()
    settings = recorder_settings(tmp_path, [camera(c) for c in cams], kafka_settings, s3_server, bucket, master)
    store, keyring, _ = new_store(s3_server, bucket=bucket, master_key=master)
    clip = videos / "bridge_dense_5s.mp4"
    # Six loops: a segment closes at the first keyframe 2 s after it starts, and a rebalance may cut
    # one early anywhere (CI: cam-c at 679), so the sixth loop closes whatever the fifth left open.
    per_cam = {c: clip_batches(clip, c, loops=6, t0_us=T0_US) for c in cams}
    half, four = 2 * 144 // 10, 4 * 144 // 10  # batches of 10 packets

    def seq_of(camera_id):
        try:
            return load_head(store, camera_id).last_seq
        except S3Error:
            return -1

    async def all_past(seq):
        return all(await asyncio.gather(*(asyncio.to_thread(lambda c=c: seq_of(c) >= seq) for c in cams)))

    stops = [asyncio.Event(), asyncio.Event()]
    first = asyncio.create_task(serve(settings, bootstrap, stops[0]))
    await publish(kafka_settings, [b for c in cams for b in per_cam[c][:half]])
    assert await wait_for(lambda: all_past(100), 60)
    second = asyncio.create_task(serve(settings.model_copy(update={"instance": "r2"}), bootstrap, stops[1]))
    await asyncio.sleep(5)  # the group rebalances over both replicas
    await publish(kafka_settings, [b for c in cams for b in per_cam[c][half:four]])
    assert await wait_for(lambda: all_past(4 * 144 - 40), 90)
    stops[1].set()
    await asyncio.wait_for(second, 60)
    # the survivor takes every partition back and re-reads what the leaver left open; if the leaver's
    # LeaveGroup times out (seen in CI) the group waits out the session timeout first: a generous deadline
    await publish(kafka_settings, [b for c in cams for b in per_cam[c][four:]])
    assert await wait_for(lambda: all_past(5 * 144 - 1), 180)  # every frame of five loops stored
    stops[0].set()
    await asyncio.wait_for(first, 60)
    source = frame_hashes(clip) * 6
    for camera_id in cams:
        report = verify_range(store, keyring, camera_id, T0_US, T0_US + 10**12)
        assert report.status == "OK", (camera_id, report.findings)
        got = frame_hashes(export_clip(store, keyring, camera_id, T0_US, T0_US + 10**12).mp4)
        # every frame once, in order, at least through the fifth loop (the stop stores what was read)
        assert len(got) >= 5 * 144 and got == source[:len(got)], (camera_id, len(got))


async def test_recording_continues_after_the_video_topic_is_rolled(tmp_path, kafka_settings, s3_server, videos):
    """The local stack rolls the video topic; the local broker then resumes consumers at their old
    offsets, so the first messages of the new topic can be skipped. Recording must go on, and any
    such loss must show up as a gap (never as missing or tampered segments)."""
    settings, store, keyring = fixture_world(tmp_path, kafka_settings, s3_server)
    clip = videos / "bridge_dense_5s.mp4"
    batches = clip_batches(clip, CAM, loops=5, t0_us=T0_US)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, bootstrap, stop))
    try:
        await publish(kafka_settings, batches[:20])
        assert await wait_for(stored_up_to(store, 119), 60)
        await asyncio.sleep(2)  # the rest of the first part is read (held in the open segment)
        await roll_topics(kafka_settings, None, [topics.VIDEO])
        await asyncio.sleep(2)
        await publish(kafka_settings, batches[20:])
        assert await wait_for(stored_up_to(store, 5 * 144 - 100), 60)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
    assert head_seq(store) == 5 * 144 - 1
    report = verify_range(store, keyring, CAM, T0_US, T0_US + 10**12)
    assert report.status in ("OK", "GAPS") and {f.kind for f in report.findings} <= {"gap"}
    source = frame_hashes(clip) * 5
    got = frame_hashes(export_clip(store, keyring, CAM, T0_US, T0_US + 10**12).mp4)
    # after a hole, frames until the next keyframe decode with concealment: compare whole loops
    assert got[:200] == source[:200] and got[-2 * 144:] == source[-2 * 144:]
    assert (len(got) == len(source)) == (report.status == "OK")
