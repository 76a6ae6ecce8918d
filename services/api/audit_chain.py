"""The audit log's hash chain (A2), as pure functions: no database, no clock.

Every entry's hash covers its own fields, its position and the previous entry's hash, so editing,
deleting, inserting or reordering any entry breaks the chain at that entry.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """What someone did: when, who, which camera and time range, why and how."""

    event_id: str
    time_us: int
    actor: str
    action: str
    camera_id: str = ""
    range_start_us: int = 0
    range_end_us: int = 0
    reason: str = ""
    method: str = ""
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainedEntry:
    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    problem: str = ""


def canonical_details(details: dict[str, str]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(seq: int, record: AuditRecord, prev_hash: str) -> str:
    body = [
        seq, record.event_id, record.time_us, record.actor, record.action, record.camera_id,
        record.range_start_us, record.range_end_us, record.reason, record.method,
        canonical_details(record.details), prev_hash,
    ]
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def chain(seq: int, record: AuditRecord, prev_hash: str) -> ChainedEntry:
    return ChainedEntry(seq, record, prev_hash, entry_hash(seq, record, prev_hash))


def verify(entries: Iterable[ChainedEntry]) -> ChainCheck:
    """Walk entries in seq order; report the first one whose link or hash does not hold."""
    expected_prev, checked, last_seq = GENESIS, 0, 0
    for entry in entries:
        if entry.seq <= last_seq:
            return ChainCheck(False, checked, entry.seq, "entries out of order")
        if entry.prev_hash != expected_prev:
            problem = "previous entry missing or changed" if checked else "chain does not start at genesis"
            return ChainCheck(False, checked, entry.seq, problem)
        if entry_hash(entry.seq, entry.record, entry.prev_hash) != entry.hash:
            return ChainCheck(False, checked, entry.seq, "entry content does not match its hash")
        expected_prev, last_seq, checked = entry.hash, entry.seq, checked + 1
    return ChainCheck(True, checked)
