"""Export for the api's provision workflow: camera + time range -> decrypted MP4 + manifest.

    export_clip(store, keyring, camera_id, start_us, end_us) -> Export
        Export.mp4: bytes (remuxed, never re-encoded), Export.manifest: dict (JSON-ready)
        raises ExportError when the range has no segments, or any is tampered/unreadable.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from roadcam.common.errors import RoadcamError
from services.recorder.keyring import DataKeyRing
from services.recorder.muxer import remux_to_mp4
from services.recorder.storage import RecordingStore
from services.recorder.verify import verify_range


class ExportError(RoadcamError):
    """The requested footage cannot be provided intact."""


@dataclass
class Export:
    mp4: bytes
    manifest: dict


def export_clip(store: RecordingStore, keyring: DataKeyRing, camera_id: str, start_us: int, end_us: int) -> Export:
    report = verify_range(store, keyring, camera_id, start_us, end_us, keep_plaintext=True)
    bad = [f for f in report.findings if f.kind in ("tampered", "unreadable")]
    if bad:
        raise ExportError(f"camera {camera_id}: {bad[0].kind} {bad[0].object_key}: {bad[0].detail}")
    if not report.segments:
        raise ExportError(f"camera {camera_id}: no recording between {start_us} and {end_us}")
    shown = shown_once(report.segments)
    mp4 = remux_to_mp4([(s.plaintext, s.meta.codec) for s in report.segments
                        if s.plaintext is not None and s.meta.object_key in shown])
    segments = [
        {"object_key": s.meta.object_key, "start_us": s.meta.start_us, "end_us": s.meta.end_us,
         "plaintext_sha256": s.meta.plaintext_sha256, "prev_chain_hash": s.meta.prev_chain_hash,
         "chain_hash": s.meta.chain_hash, "key_id": s.meta.key_id, "codec": s.meta.codec,
         "in_mp4": s.meta.object_key in shown}
        for s in report.segments
    ]
    manifest = {
        "format": "roadcam-export-v1",
        "camera_id": camera_id, "range_start_us": start_us, "range_end_us": end_us,
        "mp4_sha256": hashlib.sha256(mp4).hexdigest(), "mp4_bytes": len(mp4),
        "verify_status": report.status,
        "findings": [f.__dict__ for f in report.findings],
        # chain proof: sha256("roadcam-segment-v1|camera|start|end|sha|prev|key_id|codec") = chain_hash
        "chain_rule": "chain_hash = sha256('roadcam-segment-v1|'+camera|start_us|end_us|plaintext_sha256|prev_chain_hash|key_id|codec)",
        "chain_anchor": segments[0]["prev_chain_hash"],
        "segments": segments,
    }
    return Export(mp4, manifest)


def shown_once(segments: list) -> set[str]:
    """Object keys of the segments the clip plays, so that each moment shows once. Around a rebalance
    two owners may each have stored a span (verify's `overlap`); a segment whose whole span the longer
    ones before it already cover stays in the manifest's chain but not in the MP4. Partial overlaps
    play (a remux cannot cut between keyframes)."""
    shown, covered_until = set(), None
    for s in sorted(segments, key=lambda s: (s.meta.start_us, -s.meta.end_us)):
        if covered_until is not None and s.meta.end_us <= covered_until:
            continue
        shown.add(s.meta.object_key)
        covered_until = max(covered_until or 0, s.meta.end_us)
    return shown
