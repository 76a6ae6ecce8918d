"""The counter's bus edge: counting results -> protobuf messages (the only module of the counter
that imports roadcam.v1).

Only counts, classes, lines, directions and times leave the counter: no track id, no image,
no crop, no box (T5, P2).
"""
from __future__ import annotations

from roadcam.common.config_feed import ConfigDocument
from services.counter.bins import BinCount
from services.counter.engine import CameraCrossing, CameraQueue, CameraView
from services.counter.ground_plane import SpeedBin
from roadcam.v1 import config_pb2, counting_pb2

_DIRECTION = {1: counting_pb2.DIRECTION_POS, -1: counting_pb2.DIRECTION_NEG}


def crossing_event(item: CameraCrossing, census_class: str, direction_name: str) -> bytes:
    c = item.crossing
    return counting_pb2.CrossingEvent(
        camera_id=item.camera_id, line_id=c.line_id, direction=_DIRECTION[c.direction],
        direction_name=direction_name, object_class=c.object_class, census_class=census_class,
        time_us=c.time_us - c.time_us % 1_000_000,  # whole seconds: a crossing must not help link trajectories (P2)
        size_basis=c.size_basis,
    ).SerializeToString()


def count_bin(b: BinCount, census_class: str) -> bytes:
    return counting_pb2.CountBin(
        camera_id=b.camera_id, line_id=b.line_id, direction=_DIRECTION[b.direction],
        object_class=b.object_class, census_class=census_class,
        bin_start_us=b.bin_start_us, bin_seconds=b.bin_seconds, count=b.count, final=b.final,
        quality=b.quality, quality_reason=b.quality_reason, size_basis=b.size_basis,
    ).SerializeToString()


def queue_length(q: CameraQueue) -> bytes:
    return counting_pb2.QueueLength(
        camera_id=q.camera_id, lane_id=q.sample.lane_id, time_us=q.time_us,
        length_m=q.sample.length_m, vehicles=q.sample.vehicles,
    ).SerializeToString()


def speed_bin(s: SpeedBin, census_class: str) -> bytes:
    return counting_pb2.SpeedBin(
        camera_id=s.camera_id, line_id=s.line_id, object_class=s.object_class, census_class=census_class,
        bin_start_us=s.bin_start_us, bin_seconds=s.bin_seconds, count=s.count, mean_kmh=s.mean_kmh,
        p85_kmh=s.p85_kmh, final=s.final,
    ).SerializeToString()


def view_health(v: CameraView) -> bytes:
    return counting_pb2.ViewHealth(camera_id=v.camera_id, time_us=v.time_us, faults=list(v.faults),
                                   reference_learned=v.learned).SerializeToString()


def config_document(value: bytes) -> ConfigDocument:
    """A camera's configuration document (roadcam.camera-config.v1) from the api."""
    m = config_pb2.CameraConfigDocument.FromString(value)
    return ConfigDocument(m.camera_id, m.version, m.config_json, m.changed_time_us, m.removed)
