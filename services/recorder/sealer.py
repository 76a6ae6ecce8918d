"""Segment -> sealed (muxed, hashed, chained, encrypted) segment, and its durable store step."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from services.recorder import metrics
from services.recorder.anchors import write_anchor
from services.recorder.chain import GENESIS, SegmentMeta, day_of
from services.recorder.crypto import encrypt_segment
from services.recorder.keyring import DataKeyRing, NewKey
from services.recorder.muxer import ES_SUFFIX, MuxError, elementary_stream, mux_segment
from services.recorder.segmenter import BusRef, Resume, Segment
from services.recorder.storage import RecordingStore

log = logging.getLogger(__name__)


def head_key(camera_id: str) -> str:
    return f"_heads/{camera_id}.json"


@dataclass(frozen=True)
class ChainHead:
    """The last stored segment of a camera: where its chain and its bus replay resume."""

    chain_hash: str = GENESIS
    end_us: int = 0
    session_id: str = ""
    last_seq: int = -1
    last_capture_us: int = 0

    @classmethod
    def of(cls, meta: SegmentMeta) -> "ChainHead":
        return cls(meta.chain_hash, meta.end_us, meta.session_id, meta.last_seq, meta.last_capture_us)

    @property
    def resume(self) -> Resume:
        return Resume(self.session_id, self.last_seq, self.last_capture_us)


@dataclass
class SealedSegment:
    meta: SegmentMeta
    blob: bytes
    new_key: NewKey | None
    first_ref: BusRef
    retention_days: int


def contents(segment: Segment) -> tuple[bytes, str]:
    """(plaintext, codec to record): MPEG-TS, or when no container takes the packets the bare
    elementary stream (codec `<codec>-es`), so that footage is never dropped (R1: kept as sent)."""
    try:
        return mux_segment(segment.stream, segment.packets), segment.stream.codec
    except MuxError as exc:
        log.error("camera %s: segment at %d (%d packets): %s; stored as a bare elementary stream (%s%s) "
                  "instead, so the footage is kept", segment.camera_id, segment.start_us, len(segment.packets),
                  exc, segment.stream.codec, ES_SUFFIX)
        metrics.ELEMENTARY_SEGMENTS.labels(segment.camera_id).inc()
        return elementary_stream(segment.stream, segment.packets), segment.stream.codec + ES_SUFFIX


def seal(segment: Segment, prev: ChainHead, keyring: DataKeyRing, retention_days: int) -> SealedSegment:
    plaintext, codec = contents(segment)
    key_id, key, new_key = keyring.current(segment.camera_id, day_of(segment.start_us))
    meta = SegmentMeta(
        camera_id=segment.camera_id, start_us=segment.start_us, end_us=segment.end_us,
        plaintext_sha256=hashlib.sha256(plaintext).hexdigest(), prev_chain_hash=prev.chain_hash,
        key_id=key_id, codec=codec, size_bytes=len(plaintext),
        session_id=segment.session_id, last_seq=segment.last.seq, last_capture_us=segment.last.capture_time_us,
    )
    blob = encrypt_segment(key, plaintext, meta.chain_input())
    return SealedSegment(meta, blob, new_key, segment.first_ref, retention_days)


def store_sealed(store: RecordingStore, keyring: DataKeyRing, sealed: SealedSegment, hold: bool) -> bool:
    """Key (if new), segment, chain head, head anchor - in that order, each idempotent. False = was stored."""
    if sealed.new_key is not None:
        keyring.store_new(sealed.new_key, sealed.retention_days, hold)
    meta = sealed.meta
    existing = store.segment_meta(meta.object_key)
    stored_before = existing is not None and existing[1] == meta.chain_hash
    if not stored_before:
        store.put_segment(meta, sealed.blob, sealed.retention_days, hold)
    store.put_json(head_key(meta.camera_id), ChainHead.of(meta).__dict__)
    write_anchor(store, meta, sealed.retention_days)
    return not stored_before


def load_head(store: RecordingStore, camera_id: str) -> ChainHead:
    doc = store.get_json(head_key(camera_id))
    return ChainHead(**doc) if doc else ChainHead()


def newer_head(stored: ChainHead, held: ChainHead | None) -> ChainHead:
    """The head further along the camera's footage: the stored one unless this replica holds a later one."""
    if held is None:
        return stored
    return held if (held.last_capture_us, held.end_us) > (stored.last_capture_us, stored.end_us) else stored
