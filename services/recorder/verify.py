"""`recordings verify`: decrypt and re-hash every segment of a range and walk the chain.

Findings: `tampered` (bytes or metadata changed: GCM or hash or chain mismatch), `missing`
(the chain skips a stored segment: one was deleted), `gap` (chain intact but time not
contiguous: nothing was recorded), `unreadable` (its data key is destroyed), `overlap` (a span
recorded twice: two owners around a rebalance each stored it, both chained to the same
predecessor; nothing is lost, so it does not lower the status).
The end of the chain is checked against the newest write-once anchor (`anchors.py`), not only
against the rewritable chain head, so deleting the last segments and rewinding the head shows.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from services.recorder.anchors import AnchorReading, newest_anchor
from services.recorder.chain import SegmentMeta, SegmentName, day_prefix, days_between
from services.recorder.crypto import CryptoError, decrypt_segment
from services.recorder.keyring import DataKeyRing, KeyUnavailableError
from services.recorder.sealer import ChainHead, load_head
from services.recorder.storage import RecordingStore

Kind = Literal["tampered", "missing", "gap", "unreadable", "overlap"]
GAP_TOLERANCE_US = 1_000_000


@dataclass(frozen=True)
class Finding:
    kind: Kind
    object_key: str
    detail: str


@dataclass
class VerifiedSegment:
    meta: SegmentMeta
    plaintext: bytes | None


@dataclass
class VerifyReport:
    camera_id: str
    start_us: int
    end_us: int
    segments: list[VerifiedSegment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        kinds = {f.kind for f in self.findings}
        if not kinds and not self.segments:
            return "EMPTY"  # nothing recorded (or kept) in the range: not a clean bill
        if "tampered" in kinds:
            return "TAMPERED"
        if kinds & {"missing", "unreadable"}:
            return "INCOMPLETE"
        return "GAPS" if kinds - {"overlap"} else "OK"


def _names_around(store: RecordingStore, camera_id: str, start_us: int, end_us: int) -> list[SegmentName]:
    """Segments overlapping the range plus one neighbour each side, so edges are checked too."""
    names: list[SegmentName] = []
    for day in days_between(start_us - 86_400_000_000, end_us + 86_400_000_000):
        names += store.segments(camera_id, day_prefix(camera_id, day))
    inside = [i for i, n in enumerate(names) if n.start_us < end_us and n.end_us > start_us]
    if not inside:
        return []
    return names[max(inside[0] - 1, 0):inside[-1] + 2]


def _check_one(store: RecordingStore, keyring: DataKeyRing, name: SegmentName, report: VerifyReport,
               keep_plaintext: bool) -> SegmentMeta | None:
    try:
        found = store.segment_meta(name.key)
        meta, stored_chain = found if found else (None, "")
    except ValidationError as exc:
        report.findings.append(Finding("tampered", name.key, f"metadata invalid: {exc.errors()[0]['msg']}"))
        return None
    if meta is None:
        return None
    if (meta.camera_id, meta.start_us, meta.end_us) != (name.camera_id, name.start_us, name.end_us):
        report.findings.append(Finding("tampered", name.key, "object name and metadata disagree"))
    if stored_chain != meta.chain_hash:
        report.findings.append(Finding("tampered", name.key, "chain hash does not match the metadata"))
    try:
        plain = decrypt_segment(keyring.key(meta.key_id), store.get(name.key), meta.chain_input())
    except KeyUnavailableError as exc:
        report.findings.append(Finding("unreadable", name.key, str(exc)))
        return meta
    except CryptoError as exc:
        report.findings.append(Finding("tampered", name.key, str(exc)))
        return meta
    if hashlib.sha256(plain).hexdigest() != meta.plaintext_sha256:
        report.findings.append(Finding("tampered", name.key, "plaintext SHA-256 differs"))
    report.segments.append(VerifiedSegment(meta, plain if keep_plaintext else None))
    return meta


def verify_range(store: RecordingStore, keyring: DataKeyRing, camera_id: str, start_us: int, end_us: int,
                 keep_plaintext: bool = False) -> VerifyReport:
    report = VerifyReport(camera_id, start_us, end_us)
    # Read before listing: a segment stored meanwhile is then listed too, never seen as missing.
    anchor, head = newest_anchor(store, camera_id), load_head(store, camera_id)
    names = _names_around(store, camera_id, start_us, end_us)
    metas: list[SegmentMeta] = []
    for name in names:
        in_range = name.start_us < end_us and name.end_us > start_us
        if in_range:
            meta = _check_one(store, keyring, name, report, keep_plaintext)
        else:
            found = store.segment_meta(name.key)
            meta = found[0] if found else None
        if meta is not None:
            metas.append(meta)
    report.findings += walk_chain(metas)
    prev = metas[-1] if metas else None
    if prev is None or prev.end_us <= end_us:  # the range reaches the last stored segment
        report.findings += _end_findings(prev, head, anchor)
    return report


def walk_chain(metas: list[SegmentMeta]) -> list[Finding]:
    """Chain links and time holes of a camera's segments in name (time) order. A segment may chain
    to an earlier one than the segment listed before it when two owners stored the same span
    around a rebalance (duplicates rather than loss): `overlap`, not `missing`, as long as what it
    chains to was seen and it overlaps the segment it displaces."""
    findings: list[Finding] = []
    seen: set[str] = set()
    prev: SegmentMeta | None = None
    for meta in metas:
        if prev is not None:
            if meta.prev_chain_hash != prev.chain_hash:
                if meta.prev_chain_hash in seen and meta.start_us < prev.end_us:
                    findings.append(Finding("overlap", meta.object_key, f"recorded twice: overlaps {prev.object_key}, "
                                                                        "chains to an earlier segment"))
                else:
                    findings.append(Finding("missing", meta.object_key, f"chain breaks after {prev.object_key}"))
            elif meta.start_us - prev.end_us > GAP_TOLERANCE_US:
                findings.append(Finding(
                    "gap", meta.object_key, f"{(meta.start_us - prev.end_us) / 1e6:.1f} s not recorded before it"))
        seen.add(meta.chain_hash)
        prev = meta
    return findings


def _end_findings(last: SegmentMeta | None, head: ChainHead, anchor: AnchorReading) -> list[Finding]:
    """Is `last` really the end of the chain? The head and the write-once anchors say where it is."""
    findings = [Finding("tampered", name, "anchor content contradicts its name (forged)") for name in anchor.forged]
    if last is None:  # nothing in the range: may be retention, which keeps no segment but the anchor
        return findings
    later = [f"chain head ends at {head.end_us}"] if head.end_us > last.end_us and head.chain_hash != last.chain_hash else []
    later += [f"anchored up to {a.object_key}" for a in anchor.anchors if a.end_us > last.end_us]
    if later:
        findings.append(Finding("missing", last.object_key, f"segments after it are missing ({'; '.join(later)})"))
    for a in anchor.anchors:
        if a.end_us == last.end_us and a.chain_hash != last.chain_hash:
            findings.append(Finding("tampered", last.object_key, "chain hash differs from its write-once anchor"))
    return findings
