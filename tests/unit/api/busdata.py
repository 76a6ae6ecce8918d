"""Protobuf messages as the other services publish them, wrapped in BusRecords."""
from __future__ import annotations

import itertools

from roadcam.common import signing, topics
from roadcam.common.bus import BusRecord
from roadcam.v1 import audit_pb2, counting_pb2, health_pb2, recording_pb2

_offsets = itertools.count()
AUDIT_MASTER = b"test audit signing master key, 32+ bytes long"
CENSUS = {"car": "小型車", "truck": "大型車", "bus": "大型車", "motorcycle": "二輪車", "person": "歩行者"}


def record(topic: str, key: str, message) -> BusRecord:
    return BusRecord(topic, 0, next(_offsets), key, message.SerializeToString(), 0)


def count_bin(camera: str, start_us: int, count: int, *, seconds: int = 300, cls: str = "car",
              direction: int = counting_pb2.DIRECTION_POS, final: bool = True, line: str = "main",
              quality: str = "", reason: str = "", size_basis: str = "") -> BusRecord:
    """cls "": a bin the camera could not see, reported with nothing counted (as the counter does)."""
    return record(topics.COUNT_BINS, camera, counting_pb2.CountBin(
        camera_id=camera, line_id=line, direction=direction, object_class=cls, census_class=CENSUS.get(cls, ""),
        bin_start_us=start_us, bin_seconds=seconds, count=count, final=final, quality=quality,
        quality_reason=reason, size_basis=size_basis))


def view_health(camera: str, time_us: int, *faults: str, learned: bool = True) -> BusRecord:
    return record(topics.VIEW_HEALTH, camera, counting_pb2.ViewHealth(
        camera_id=camera, time_us=time_us, faults=list(faults), reference_learned=learned))


def crossing(camera: str, time_us: int, cls: str = "car", direction: int = counting_pb2.DIRECTION_NEG) -> BusRecord:
    return record(topics.CROSSINGS, camera, counting_pb2.CrossingEvent(
        camera_id=camera, line_id="main", direction=direction, direction_name="下り", object_class=cls,
        census_class=CENSUS[cls], time_us=time_us))


def health(camera: str, reported_us: int, state: str = "ONLINE", error: str = "") -> BusRecord:
    kind = "CAMERA_ERROR_AUTH" if error else "CAMERA_ERROR_NONE"
    return record(topics.CAMERA_HEALTH, camera, health_pb2.CameraHealth(
        camera_id=camera, state=health_pb2.CameraState.Value(f"CAMERA_STATE_{state}"), fps=25.0,
        last_packet_time_us=reported_us - 1000, last_error=error, error_kind=health_pb2.CameraErrorKind.Value(kind),
        reported_time_us=reported_us, ingest_instance="ingest-0"))


def segment(camera: str, start_us: int, n: int) -> BusRecord:
    return record(topics.SEGMENTS, camera, recording_pb2.SegmentRecord(
        camera_id=camera, object_key=f"{camera}/{start_us}-{n}.seg", start_time_us=start_us,
        end_time_us=start_us + 10_000_000, chain_hash="ab" * 32, key_id="k1", codec="h264", size_bytes=1000 + n))


def audit(event_id: str, time_us: int, action: str = "view", *, service: str = "recorder",
          master: bytes = AUDIT_MASTER, actor: str = "operator-7") -> BusRecord:
    """An audit event signed as `service` would sign it (its key derived from the master)."""
    fields = dict(event_id=event_id, time_us=time_us, actor=actor, action=action, camera_id="bridge-1",
                  range_start_us=time_us - 60_000_000, range_end_us=time_us, reason="事故確認", method="player")
    details = {"ticket": "2026-041"}
    payload = signing.audit_payload(**fields, details=details)
    details[signing.SIGNED_BY] = service
    details[signing.SIGNATURE] = signing.sign(service, signing.service_key(master, service), payload)
    return record(topics.AUDIT, "bridge-1", audit_pb2.AuditEvent(**fields, details=details))


def queue_length(camera: str, time_us: int, length_m: float, vehicles: int, lane: str = "lane-1") -> BusRecord:
    return record(topics.QUEUE_LENGTHS, camera, counting_pb2.QueueLength(
        camera_id=camera, lane_id=lane, time_us=time_us, length_m=length_m, vehicles=vehicles))


def speed_bin(camera: str, start_us: int, mean_kmh: float, *, count: int = 10, cls: str = "car", seconds: int = 900,
              final: bool = True, line: str = "main") -> BusRecord:
    return record(topics.SPEED_BINS, camera, counting_pb2.SpeedBin(
        camera_id=camera, line_id=line, object_class=cls, census_class=CENSUS[cls], bin_start_us=start_us,
        bin_seconds=seconds, count=count, mean_kmh=mean_kmh, p85_kmh=mean_kmh * 1.2, final=final))
