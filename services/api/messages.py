"""The api's protobuf edge: bus records -> plain domain records. No other api module imports roadcam.v1.

Error policy: a record that does not decode is logged and skipped (it can never succeed, and
blocking the partition would stop every camera); storing is `services.api.bus_sink`'s job.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from google.protobuf.message import DecodeError

from services.api import metrics
from services.api.audit_chain import AuditRecord
from services.api.console.config_publisher import CameraChange
from services.api.disclosure.records import HoldCommand
from services.api.store.counts import BinIn, CrossingIn
from services.api.store.measures import QueueIn, SpeedIn
from services.api.store.operations import HealthIn, SegmentIn
from services.api.store.view_health import ViewHealthIn
from roadcam.common import topics
from roadcam.common.bus import BusRecord
from roadcam.v1 import audit_pb2, commands_pb2, config_pb2, counting_pb2, health_pb2, recording_pb2

log = logging.getLogger(__name__)
TOPICS = [topics.CROSSINGS, topics.COUNT_BINS, topics.CAMERA_HEALTH, topics.SEGMENTS, topics.AUDIT,
          topics.QUEUE_LENGTHS, topics.SPEED_BINS, topics.VIEW_HEALTH]
DIRECTIONS = {counting_pb2.DIRECTION_POS: "pos", counting_pb2.DIRECTION_NEG: "neg"}


SECOND_US = 1_000_000


def crossing(raw: bytes) -> CrossingIn:
    m = counting_pb2.CrossingEvent.FromString(raw)
    # Whole seconds only: microsecond times would let one vehicle be followed across lines (P2).
    return CrossingIn(m.camera_id, m.line_id, DIRECTIONS.get(m.direction, "unknown"), m.object_class,
                      m.census_class, m.time_us - m.time_us % SECOND_US)


def count_bin(raw: bytes) -> BinIn:
    m = counting_pb2.CountBin.FromString(raw)
    return BinIn(m.camera_id, m.line_id, DIRECTIONS.get(m.direction, "unknown"), m.object_class, m.census_class,
                 m.bin_start_us, m.bin_seconds, m.count, m.final, bin_quality(m.quality), m.quality_reason[:200],
                 m.size_basis[:100])


def bin_quality(value: str) -> str:
    """"" (a counter before self-diagnosis) is "ok"; a value this api does not know is never read as
    trustworthy: "degraded"."""
    return "ok" if not value else value if value in QUALITIES else "degraded"


QUALITIES = ("ok", "degraded", "unusable")


def view_health(raw: bytes) -> ViewHealthIn:
    m = counting_pb2.ViewHealth.FromString(raw)
    return ViewHealthIn(m.camera_id, tuple(sorted(set(m.faults))), m.time_us, m.reference_learned)


def health(raw: bytes) -> HealthIn:
    m = health_pb2.CameraHealth.FromString(raw)
    state = health_pb2.CameraState.Name(m.state).removeprefix("CAMERA_STATE_")
    kind = health_pb2.CameraErrorKind.Name(m.error_kind).removeprefix("CAMERA_ERROR_")
    return HealthIn(m.camera_id, state, m.fps, m.bitrate_bps, m.last_packet_time_us, m.last_error, kind,
                    m.reconnects, m.reported_time_us, m.ingest_instance, m.online_since_us)


def segment(raw: bytes) -> SegmentIn:
    m = recording_pb2.SegmentRecord.FromString(raw)
    return SegmentIn(m.object_key, m.camera_id, m.start_time_us, m.end_time_us, m.plaintext_sha256,
                     m.prev_chain_hash, m.chain_hash, m.key_id, m.codec, m.size_bytes)


def audit_event(raw: bytes) -> AuditRecord:
    m = audit_pb2.AuditEvent.FromString(raw)
    return AuditRecord(m.event_id, m.time_us, m.actor, m.action, m.camera_id, m.range_start_us,
                       m.range_end_us, m.reason, m.method, dict(m.details))


def queue_length(raw: bytes) -> QueueIn:
    m = counting_pb2.QueueLength.FromString(raw)
    return QueueIn(m.camera_id, m.lane_id, m.time_us - m.time_us % SECOND_US, m.length_m, m.vehicles)


def speed_bin(raw: bytes) -> SpeedIn:
    m = counting_pb2.SpeedBin.FromString(raw)
    return SpeedIn(m.camera_id, m.line_id, m.object_class, m.census_class, m.bin_start_us, m.bin_seconds, m.count,
                   m.mean_kmh, m.p85_kmh, m.final)


DECODERS = {topics.CROSSINGS: crossing, topics.COUNT_BINS: count_bin, topics.CAMERA_HEALTH: health,
            topics.SEGMENTS: segment, topics.AUDIT: audit_event, topics.QUEUE_LENGTHS: queue_length,
            topics.SPEED_BINS: speed_bin, topics.VIEW_HEALTH: view_health}
VALID = {
    topics.CROSSINGS: lambda c: bool(c.camera_id and c.line_id and c.time_us > 0),
    topics.COUNT_BINS: lambda b: bool(b.camera_id and b.line_id and b.bin_seconds in (300, 900, 3600)),
    topics.CAMERA_HEALTH: lambda h: bool(h.camera_id and h.reported_us > 0),
    topics.SEGMENTS: lambda s: bool(s.camera_id and s.object_key),
    topics.AUDIT: lambda a: bool(a.event_id and a.action and a.time_us > 0),
    topics.QUEUE_LENGTHS: lambda q: bool(q.camera_id and q.lane_id and q.time_us > 0 and q.length_m >= 0),
    topics.SPEED_BINS: lambda s: bool(s.camera_id and s.line_id and s.bin_seconds in (300, 900, 3600)),
    topics.VIEW_HEALTH: lambda v: bool(v.camera_id and v.time_us > 0 and len(",".join(v.faults)) <= 200),
}


def hold_command(cmd: HoldCommand) -> bytes:
    """A legal-hold command for the recorder (roadcam.commands.v1); the recorder confirms it by
    publishing its hold/release audit event (see services.api.disclosure.confirmations)."""
    return commands_pb2.Command(legal_hold=commands_pb2.LegalHoldCommand(
        command_id=cmd.command_id, camera_id=cmd.camera_id, range_start_us=cmd.range_start_us,
        range_end_us=cmd.range_end_us, release=cmd.release, requested_by=cmd.requested_by, reason=cmd.reason,
        request_id=cmd.request_id, hold_id=cmd.hold_id)).SerializeToString()


def camera_config(change: CameraChange) -> bytes:
    """One camera's entry of a configuration version (roadcam.camera-config.v1, compacted)."""
    return config_pb2.CameraConfigDocument(
        camera_id=change.camera_id, version=change.version, config_json=change.config_json,
        changed_time_us=change.changed_us, changed_by=change.changed_by, reason=change.reason,
        removed=change.removed).SerializeToString()


def decode(records: Sequence[BusRecord]) -> dict[str, list]:
    """Records grouped by topic, in order; undecodable or incomplete ones are dropped with a log line."""
    grouped: dict[str, list] = defaultdict(list)
    for rec in records:
        decoder = DECODERS.get(rec.topic)
        if decoder is None:
            continue
        try:
            item = decoder(rec.value)
        except DecodeError as exc:
            item, why = None, f"does not decode: {exc}"
        else:
            why = "misses required fields"
        if item is None or not VALID[rec.topic](item):
            log.warning("skipping %s[%d]@%d: %s", rec.topic, rec.partition, rec.offset, why)
            metrics.BUS_RECORDS.labels(rec.topic, "rejected").inc()
            continue
        if rec.topic == topics.CROSSINGS:
            item = replace(item, bus_partition=rec.partition, bus_offset=rec.offset)
        grouped[rec.topic].append(item)
    return grouped
