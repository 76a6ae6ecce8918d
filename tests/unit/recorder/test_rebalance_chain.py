"""Rebalance (issue 16): the chain head a replica resumes from, and a span recorded by two owners."""
from services.recorder.chain import GENESIS, SegmentMeta
from services.recorder.sealer import ChainHead, newer_head
from services.recorder.verify import VerifyReport, walk_chain

T0 = 1_790_000_000_000_000
S = 1_000_000


def meta(start_s: float, end_s: float, prev: str = GENESIS) -> SegmentMeta:
    return SegmentMeta(camera_id="cam-1", start_us=T0 + int(start_s * S), end_us=T0 + int(end_s * S),
                       plaintext_sha256="a" * 64, prev_chain_hash=prev, key_id="cam-1/2026-09-21/00", codec="h264")


def chain(*spans: tuple[float, float], prev: str = GENESIS) -> list[SegmentMeta]:
    out = []
    for start, end in spans:
        out.append(meta(start, end, prev))
        prev = out[-1].chain_hash
    return out


def test_an_intact_chain_has_no_findings_and_a_hole_is_a_gap():
    assert walk_chain(chain((0, 4), (4, 8), (8, 12))) == []
    assert [f.kind for f in walk_chain(chain((0, 4), (4, 8), (10, 12)))] == ["gap"]


def test_a_deleted_segment_is_missing():
    a, _, c = chain((0, 4), (4, 8), (8, 12))
    assert [(f.kind, f.object_key) for f in walk_chain([a, c])] == [("missing", c.object_key)]


def test_a_span_stored_by_two_owners_is_an_overlap_not_a_loss():
    # The old owner stored A late (S3 was away at the rebalance); the new owner re-recorded from
    # the same predecessor P: B, then C after B. Listed by time: P, A, B, C (A is shorter).
    p = chain((0, 4))[0]
    a = meta(4, 6, p.chain_hash)
    b, c = chain((4, 8), (8, 12), prev=p.chain_hash)
    findings = walk_chain([p, a, b, c])
    assert [(f.kind, f.object_key) for f in findings] == [("overlap", b.object_key)]
    report = VerifyReport("cam-1", T0, T0 + 12 * S, findings=findings)
    assert report.status == "OK"  # recorded twice, nothing lost


def test_a_fork_that_does_not_overlap_is_still_missing():
    # Chaining to an earlier segment without covering the span in between hides a deletion.
    p, a = chain((0, 4), (4, 8))
    late = meta(8, 12, p.chain_hash)
    assert [f.kind for f in walk_chain([p, a, late])] == ["missing"]


def test_a_replica_resumes_from_the_newer_of_the_stored_and_its_own_chain_head():
    stored = ChainHead("s" * 64, end_us=T0 + 8 * S, session_id="x", last_seq=79, last_capture_us=T0 + 7 * S)
    queued = ChainHead("q" * 64, end_us=T0 + 12 * S, session_id="x", last_seq=119, last_capture_us=T0 + 11 * S)
    assert newer_head(stored, None) is stored  # first start: the store says where the chain is
    assert newer_head(stored, queued) is queued  # its own segments still wait for S3
    assert newer_head(queued, stored) is queued  # another replica recorded further meanwhile
