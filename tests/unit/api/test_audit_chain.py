"""The hash chain as pure logic: any edit, deletion, insertion or reordering is found at its entry."""
from __future__ import annotations

import dataclasses

from services.api.audit_chain import GENESIS, AuditRecord, ChainedEntry, chain, verify


def build(n: int) -> list[ChainedEntry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        record = AuditRecord(f"e{seq}", 1_000 * seq, f"user{seq % 3}", "view", "bridge-1", 10, 20,
                             "incident 12", "api", {"k": str(seq)})
        entry = chain(seq, record, prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_intact_chain_verifies() -> None:
    check = verify(build(20))
    assert check.ok and check.checked == 20 and check.first_broken_seq is None


def test_edited_field_is_found_at_that_entry() -> None:
    for field, value in (("actor", "someone-else"), ("reason", "nothing"), ("range_end_us", 99),
                         ("details", {"k": "forged"})):
        entries = build(10)
        bad = entries[6]
        entries[6] = dataclasses.replace(bad, record=dataclasses.replace(bad.record, **{field: value}))
        check = verify(entries)
        assert not check.ok and check.first_broken_seq == 7, field
        assert check.checked == 6


def test_rehashed_edit_breaks_the_next_link() -> None:
    entries = build(10)
    forged = chain(5, dataclasses.replace(entries[4].record, actor="mallory"), entries[4].prev_hash)
    entries[4] = forged
    check = verify(entries)
    assert check.first_broken_seq == 6 and "previous" in check.problem


def test_deleted_entry_is_found_at_the_next_one() -> None:
    entries = build(10)
    del entries[3]  # seq 4
    assert verify(entries).first_broken_seq == 5


def test_reordered_entries_are_found() -> None:
    entries = build(10)
    entries[2], entries[3] = entries[3], entries[2]
    assert verify(entries).first_broken_seq == 4  # seq 4 now sits where seq 3 belongs


def test_chain_must_start_at_genesis() -> None:
    entries = build(5)[2:]
    check = verify(entries)
    assert check.first_broken_seq == 3 and "genesis" in check.problem


def test_hash_depends_on_position() -> None:
    record = build(1)[0].record
    assert chain(1, record, GENESIS).hash != chain(2, record, GENESIS).hash
