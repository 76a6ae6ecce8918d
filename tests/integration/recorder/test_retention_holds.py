"""Retention sweep with an injected clock, crypto-shredding and legal holds on the local S3."""
from __future__ import annotations

import pytest
from minio.error import S3Error

from services.recorder.chain import DAY_US, day_of
from services.recorder.crypto import CryptoError, decrypt_segment
from services.recorder.holds import Hold
from services.recorder.keyring import DataKeyRing, KeyUnavailableError
from services.recorder.sweeper import Sweeper
from services.recorder.verify import verify_range
from tests.integration.recorder.support import T0_US, clip_batches, new_store
from tests.integration.recorder.test_store_roundtrip import CAM, record

pytestmark = pytest.mark.slow
OTHER = "cam-b"


@pytest.fixture
def two_days(s3_server, videos):
    """CAM recorded on day 0 and day 1 (7-day retention); OTHER on day 0 (14-day retention)."""
    store, keyring, holds = new_store(s3_server)
    store.ensure_bucket()
    clip = videos / "bridge_dense_5s.mp4"
    day0 = record(store, keyring, clip_batches(clip, CAM))
    day1 = record(store, keyring, clip_batches(clip, CAM, t0_us=T0_US + DAY_US, session_id="s2"))
    other = record(store, keyring, clip_batches(clip, OTHER), camera=OTHER)
    return store, keyring, holds, day0, day1, other


def sweeper_at(store, keyring, holds, now_us):
    return Sweeper(store, keyring, holds, {CAM: 7, OTHER: 14}.get, lambda: now_us)


def test_sweep_deletes_expired_segments_and_destroys_their_keys(two_days):
    store, keyring, holds, day0, day1, other = two_days
    day0_key_objects = keyring.day_keys(CAM, day_of(T0_US))
    assert len(day0_key_objects) == 1
    events = sweeper_at(store, keyring, holds, T0_US + 7 * DAY_US + DAY_US // 2).sweep()
    actions = [(e.action, e.camera_id) for e in events]
    assert actions == [("delete", CAM), ("key_destroyed", CAM)]
    assert events[0].details["segments"] == str(len(day0))
    assert all(store.headers(m.object_key) is None for m in day0)
    assert all(store.headers(m.object_key) is not None for m in day1 + other)
    versions = list(store.client.list_objects(store.bucket, prefix="_keys/" + CAM, include_version=True, recursive=True))
    assert {v.object_name for v in versions} == set(keyring.day_keys(CAM, day_of(T0_US + DAY_US)))
    # again: nothing left to do, no duplicate events
    assert sweeper_at(store, keyring, holds, T0_US + 7 * DAY_US + DAY_US // 2).sweep() == []


def test_a_destroyed_key_makes_the_data_unreadable(two_days, s3_server):
    store, keyring, holds, day0, _, _ = two_days
    blob = store.get(day0[0].object_key)  # a "backup" taken before expiry
    sweeper_at(store, keyring, holds, T0_US + 8 * DAY_US - 3_600_000_000).sweep()
    fresh = DataKeyRing(store, keyring._provider)  # no cache: as any later reader
    with pytest.raises(KeyUnavailableError):
        fresh.key(day0[0].key_id)
    with pytest.raises(KeyUnavailableError):
        keyring.key(day0[0].key_id)
    with pytest.raises(CryptoError):  # and no other key opens it
        decrypt_segment(fresh.key(keyring.day_keys(CAM, day_of(T0_US + DAY_US))[0][6:-4]), blob, day0[0].chain_input())


def test_a_legal_hold_blocks_deletion_until_released(two_days):
    store, keyring, holds, day0, day1, _ = two_days
    hold = Hold(command_id="h1", camera_id=CAM, range_start_us=day0[1].start_us, range_end_us=day0[2].end_us - 1,
                requested_by="officer", reason="investigation 42")
    assert holds.place(hold) == 2
    assert store.is_held(day0[1].object_key) and store.is_held(day0[2].object_key)
    assert not store.is_held(day0[0].object_key)
    # lifecycle expiry must skip held objects too: their retention tag is swapped while held
    assert [store.retention_tag(m.object_key) for m in day0[:3]] == ["segment-7", "held", "held"]
    with pytest.raises(S3Error):  # object lock itself refuses, not only roadcam
        store.delete_all_versions(day0[1].object_key)
    far = T0_US + 30 * DAY_US
    events = sweeper_at(store, keyring, holds, far).sweep()
    left = [m.object_key for m in day0 if store.headers(m.object_key) is not None]
    assert left == [day0[1].object_key, day0[2].object_key]
    assert ("key_destroyed", CAM) in [(e.action, e.camera_id) for e in events]  # day 1 only
    assert verify_range(store, keyring, CAM, day0[1].start_us, day0[2].end_us).findings[-1].kind != "unreadable"
    pinned = keyring.day_keys(CAM, day_of(T0_US))  # the held day's key is pinned
    assert pinned and store.is_held(pinned[0]) and store.retention_tag(pinned[0]) == "held"
    # a restarted recorder sees the same holds
    restarted = type(holds)(store, keyring)
    restarted.load()
    assert restarted.held(CAM, day0[1].start_us, day0[1].end_us)
    released = holds.release(CAM, "h1")
    assert released.command_id == "h1" and not store.is_held(day0[1].object_key)
    assert store.retention_tag(day0[1].object_key) == "segment-7"
    events = sweeper_at(store, keyring, holds, far).sweep()
    assert [(e.action, e.details.get("segments")) for e in events][0] == ("delete", "2")
    assert not keyring.day_keys(CAM, day_of(T0_US))


def test_hold_on_a_range_keeps_other_holds(two_days):
    store, keyring, holds, day0, _, _ = two_days
    holds.place(Hold(command_id="a", camera_id=CAM, range_start_us=day0[0].start_us, range_end_us=day0[1].end_us))
    holds.place(Hold(command_id="b", camera_id=CAM, range_start_us=day0[1].start_us, range_end_us=day0[3].end_us))
    holds.place(Hold(command_id="c", camera_id=CAM, range_start_us=day0[0].start_us, range_end_us=day0[1].end_us))
    holds.release(CAM, "a")  # "c" covers the same range and stays
    assert [m.object_key for m in day0 if store.is_held(m.object_key)] == [m.object_key for m in day0[0:4]]
    holds.release(CAM, "c")
    assert [m.object_key for m in day0 if store.is_held(m.object_key)] == [m.object_key for m in day0[1:4]]


def test_key_versions_behind_a_delete_marker_are_destroyed(two_days):
    store, keyring, holds, day0, _, _ = two_days
    [key_object] = keyring.day_keys(CAM, day_of(T0_US))
    store.client.remove_object(store.bucket, key_object)  # a plain DELETE: the wrapped key stays, hidden
    assert not keyring.day_keys(CAM, day_of(T0_US)) and store.names_with_hidden(key_object) == [key_object]
    events = sweeper_at(store, keyring, holds, T0_US + 8 * DAY_US).sweep()
    assert [(e.action, e.details.get("key_id")) for e in events][-1] == ("key_destroyed", day0[0].key_id)
    assert store.names_with_hidden(key_object) == []  # no version left that a backup reader could unwrap


def test_an_undeletable_key_fails_only_its_camera_day(two_days):
    store, keyring, holds, day0, day1, other = two_days
    [stuck] = keyring.day_keys(CAM, day_of(T0_US))
    store.client.enable_object_legal_hold(store.bucket, stuck)  # set outside roadcam: never forced
    now = T0_US + 16 * DAY_US
    events = sweeper_at(store, keyring, holds, now).sweep()
    assert [(e.action, e.camera_id) for e in events] == [
        ("delete", CAM), ("sweep_failed", CAM), ("delete", CAM), ("key_destroyed", CAM),
        ("delete", OTHER), ("key_destroyed", OTHER)]
    failed = events[1]
    assert (failed.details["day"], failed.details["stage"], failed.details["object"]) == (
        str(day_of(T0_US)), "key", stuck)
    assert all(store.headers(m.object_key) is None for m in day0 + day1 + other)
    assert sweeper_at(store, keyring, holds, now).sweep()[0].event_id == failed.event_id  # same hour: one id
    store.client.disable_object_legal_hold(store.bucket, stuck)
    retried = sweeper_at(store, keyring, holds, now + 3_600_000_000).sweep()
    assert [(e.action, e.details.get("key_id")) for e in retried] == [("key_destroyed", day0[0].key_id)]
    assert store.names_with_hidden("_keys/") == []
