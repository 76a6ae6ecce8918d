"""Against the real local S3 server (TLS): round trip, tampering, deletion, export."""
from __future__ import annotations

import io

import av
import pytest

from services.recorder.chain import day_prefix, day_of
from services.recorder.export import ExportError, export_clip
from services.recorder.sealer import ChainHead, load_head, seal, store_sealed
from services.recorder.segmenter import Segmenter
from services.recorder.verify import verify_range
from tests.integration.recorder.support import T0_US, clip_batches, frame_hashes, new_store

pytestmark = pytest.mark.slow
CAM = "cam-a"


def record(store, keyring, batches, target_s=1.0, camera=CAM):
    """Segment, seal and store `batches` like the service does; returns the stored metas."""
    segmenter, head, metas = Segmenter(camera, target_s), load_head(store, camera), []
    segments = [s for i, b in enumerate(batches) for s in segmenter.add(b, (0, i))]
    segments.append(segmenter.flush())
    for segment in segments:
        sealed = seal(segment, head, keyring, retention_days=7)
        assert store_sealed(store, keyring, sealed, hold=False)
        head = ChainHead.of(sealed.meta)
        metas.append(sealed.meta)
    return metas


@pytest.fixture
def recorded(s3_server, videos):
    store, keyring, holds = new_store(s3_server)
    store.ensure_bucket()
    metas = record(store, keyring, clip_batches(videos / "bridge_dense_5s.mp4", CAM))
    return store, keyring, holds, metas


def test_segments_decode_to_the_source_frames(recorded, videos):
    store, keyring, _, metas = recorded
    assert len(metas) == 5  # 30-frame GOPs of a 4.8 s clip, cut at keyframes after >= 1 s
    report = verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us, keep_plaintext=True)
    assert report.status == "OK", report.findings
    source = frame_hashes(videos / "bridge_dense_5s.mp4")
    decoded = [h for seg in report.segments for h in frame_hashes(seg.plaintext, "mpegts")]
    assert decoded == source
    second = frame_hashes(report.segments[1].plaintext, "mpegts")  # one segment alone decodes too
    assert second == source[30:30 + len(second)]


def test_objects_are_encrypted_and_laid_out_by_day(recorded):
    store, keyring, _, metas = recorded
    names = list(store.names(day_prefix(CAM, day_of(T0_US))))
    assert names == [m.object_key for m in metas]
    blob = store.get(metas[0].object_key)
    plain = verify_range(store, keyring, CAM, metas[0].start_us, metas[0].end_us, keep_plaintext=True).segments[0].plaintext
    assert blob[:4] == b"RCS1" and plain[:188] not in blob and len(blob) == len(plain) + 4 + 12 + 16
    assert metas[1].prev_chain_hash == metas[0].chain_hash


def test_one_flipped_byte_is_reported_as_tampering(recorded):
    store, keyring, _, metas = recorded
    victim = metas[2]
    blob = bytearray(store.get(victim.object_key))
    blob[len(blob) // 2] ^= 0x01
    store.put(victim.object_key, bytes(blob), victim.to_headers())  # an overwrite: a new version
    report = verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us)
    assert report.status == "TAMPERED"
    assert [(f.kind, f.object_key) for f in report.findings] == [("tampered", victim.object_key)]


def test_edited_metadata_is_reported_as_tampering(recorded):
    store, keyring, _, metas = recorded
    victim = metas[1]
    forged = victim.model_copy(update={"codec": "hevc"})
    store.put(victim.object_key, store.get(victim.object_key), {**forged.to_headers()})
    report = verify_range(store, keyring, CAM, metas[0].start_us, metas[-1].end_us)
    assert report.status == "TAMPERED"
    assert {f.object_key for f in report.findings if f.kind == "tampered"} == {victim.object_key}


@pytest.mark.parametrize("index", [0, 2, 4])
def test_a_deleted_segment_is_reported_missing(recorded, index):
    store, keyring, _, metas = recorded
    store.delete_all_versions(metas[index].object_key)
    report = verify_range(store, keyring, CAM, metas[0].start_us - 1, metas[-1].end_us + 1)
    if index == 0:  # the very first segment: nothing before it to notice, the range is simply shorter
        assert report.segments[0].meta.prev_chain_hash == metas[0].chain_hash
        return
    assert report.status == "INCOMPLETE"
    assert [f.kind for f in report.findings] == ["missing"]


def test_time_gap_is_reported(s3_server, videos):
    store, keyring, _ = new_store(s3_server)
    store.ensure_bucket()
    first = record(store, keyring, clip_batches(videos / "bridge_dense_5s.mp4", CAM), target_s=10)
    later = clip_batches(videos / "bridge_dense_5s.mp4", CAM, t0_us=T0_US + 60_000_000, session_id="sess2")
    second = record(store, keyring, later, target_s=10)
    report = verify_range(store, keyring, CAM, T0_US, second[-1].end_us)
    assert [f.kind for f in report.findings] == ["gap"]
    assert second[0].prev_chain_hash == first[-1].chain_hash


def test_export_is_a_remuxed_mp4_with_a_chain_manifest(recorded, videos):
    store, keyring, _, metas = recorded
    export = export_clip(store, keyring, CAM, metas[1].start_us, metas[2].end_us - 1)
    with av.open(io.BytesIO(export.mp4)) as clip:
        assert clip.format.name.startswith("mov")
    source = frame_hashes(videos / "bridge_dense_5s.mp4")
    assert frame_hashes(export.mp4) == source[30:90]
    m = export.manifest
    assert [s["object_key"] for s in m["segments"]] == [metas[1].object_key, metas[2].object_key]
    assert m["chain_anchor"] == metas[0].chain_hash
    assert m["segments"][1]["prev_chain_hash"] == m["segments"][0]["chain_hash"]
    with pytest.raises(ExportError):
        export_clip(store, keyring, CAM, 1, 2)


def test_idempotent_store_and_chain_head_survive(recorded):
    store, keyring, _, metas = recorded
    head = load_head(store, CAM)
    assert head.chain_hash == metas[-1].chain_hash and head.end_us == metas[-1].end_us


def test_a_span_two_owners_stored_plays_once(s3_server, videos):
    # Around a rebalance the leaver sealed its open segment early (frames 60-89) and the new owner
    # re-recorded from the same committed offset (60-119): both chain to segment 30-59.
    store, keyring, _ = new_store(s3_server)
    store.ensure_bucket()
    batches = clip_batches(videos / "bridge_dense_5s.mp4", CAM)  # 10 packets each, a keyframe every 30
    before = record(store, keyring, batches[:6])
    leaver = record(store, keyring, batches[6:9], target_s=10)
    fork, head = Segmenter(CAM, 10.0), ChainHead.of(before[-1])
    owner = []
    for segment in [s for i, b in enumerate(batches[6:]) for s in fork.add(b, (0, i))] + [fork.flush()]:
        sealed = seal(segment, head, keyring, retention_days=7)
        assert store_sealed(store, keyring, sealed, hold=False)
        head, owner = ChainHead.of(sealed.meta), owner + [sealed.meta]
    assert owner[0].start_us == leaver[0].start_us and owner[0].end_us > leaver[0].end_us
    export = export_clip(store, keyring, CAM, T0_US, owner[-1].end_us)
    assert frame_hashes(export.mp4) == frame_hashes(videos / "bridge_dense_5s.mp4")  # every frame once
    listed = {s["object_key"]: s["in_mp4"] for s in export.manifest["segments"]}
    assert listed[leaver[0].object_key] is False and all(listed[m.object_key] for m in before + owner)
    assert [f["kind"] for f in export.manifest["findings"]] == ["overlap"]
