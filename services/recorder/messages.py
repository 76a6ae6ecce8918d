"""The recorder's protobuf edge: its domain objects to bus messages and back.

No other recorder module imports `roadcam.v1` (video chunks excepted: `roadcam.common.video_bus`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from google.protobuf.message import DecodeError

from roadcam.v1 import audit_pb2, commands_pb2, recording_pb2
from services.recorder.holds import Hold, HoldChange

if TYPE_CHECKING:  # only for the annotations: audit.py and sealer.py import this module
    from services.recorder.audit import AuditEntry
    from services.recorder.sealer import SealedSegment


def segment_notice(sealed: SealedSegment) -> bytes:
    """`SegmentRecord` announcing a stored segment on roadcam.segments.v1."""
    m = sealed.meta
    return recording_pb2.SegmentRecord(
        camera_id=m.camera_id, object_key=m.object_key, start_time_us=m.start_us, end_time_us=m.end_us,
        plaintext_sha256=m.plaintext_sha256, prev_chain_hash=m.prev_chain_hash, chain_hash=m.chain_hash,
        key_id=m.key_id, codec=m.codec, size_bytes=len(sealed.blob),
    ).SerializeToString()


def audit_message(entry: AuditEntry) -> bytes:
    return audit_pb2.AuditEvent(
        event_id=entry.event_id, time_us=entry.time_us, actor=entry.actor, action=entry.action,
        camera_id=entry.camera_id, range_start_us=entry.range_start_us, range_end_us=entry.range_end_us,
        reason=entry.reason, method=entry.method, details=entry.details,
    ).SerializeToString()


def hold_change(raw: bytes) -> HoldChange | None:
    """A legal-hold command; None for commands meant for others. ValueError when malformed."""
    try:
        command = commands_pb2.Command.FromString(raw)
    except DecodeError as exc:
        raise ValueError(f"not a Command: {exc}") from exc
    if command.WhichOneof("command") != "legal_hold":
        return None
    cmd = command.legal_hold
    if cmd.range_end_us <= cmd.range_start_us:
        raise ValueError("range_end_us must be after range_start_us")
    if cmd.release and not cmd.hold_id:
        raise ValueError(f"release {cmd.command_id!r} names no hold_id (which hold to end)")
    hold = Hold(
        command_id=cmd.command_id, camera_id=cmd.camera_id, range_start_us=cmd.range_start_us,
        range_end_us=cmd.range_end_us, requested_by=cmd.requested_by, reason=cmd.reason, request_id=cmd.request_id,
    )
    return HoldChange(hold, cmd.release, cmd.hold_id if cmd.release else cmd.command_id)
