from fractions import Fraction

from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from services.recorder.segmenter import Resume, Segmenter

INFO = StreamInfo("h264", b"", 64, 48, Fraction(1, 1000), 10.0)


def batch(seqs, session="s", keyframe_every=10, info=INFO, generation=1):
    packets = [EncodedPacket(s, s * 100, s * 100, s % keyframe_every == 0, 1_000_000 + s * 100_000, 100, b"x")
               for s in seqs]
    return PacketBatch("cam", session, generation, info, packets)


def test_cuts_at_the_first_keyframe_after_the_target():
    seg = Segmenter("cam", target_s=1.5)
    done = seg.add(batch(range(0, 35)), (0, 7))
    assert [(s.packets[0].seq, s.last.seq) for s in done] == [(0, 19)]  # 2 s GOPs: 1.0 s is too short
    assert done[0].end_us == done[0].start_us + 2_000_000  # the next segment's first capture time
    assert done[0].first_ref == (0, 7) and seg.open_ref == (0, 7)
    rest = seg.flush()
    assert (rest.packets[0].seq, rest.last.seq, rest.end_us) == (20, 34, 1_000_000 + 35 * 100_000)
    assert seg.flush() is None and seg.open_ref is None


def test_a_new_session_or_stream_closes_the_segment():
    seg = Segmenter("cam", target_s=60)
    assert seg.add(batch(range(0, 5)), (0, 1)) == []
    done = seg.add(batch(range(100, 103), session="t"), (0, 2))
    assert [len(s.packets) for s in done] == [5]
    other = StreamInfo("h264", b"\x01", 64, 48, Fraction(1, 1000), 10.0)
    done = seg.add(batch(range(103, 104), session="t", info=other), (1, 3))
    assert [s.packets[0].seq for s in done] == [100]


def test_resume_skips_what_the_chain_already_holds():
    seg = Segmenter("cam", target_s=1, resume=Resume("s", last_seq=19, last_capture_us=2_900_000))
    assert seg.add(batch(range(0, 20)), (0, 1)) == [] and seg.open_ref is None
    seg.add(batch(range(20, 25)), (0, 2))
    assert seg.flush().packets[0].seq == 20
    # another session: by capture time
    seg = Segmenter("cam", target_s=1, resume=Resume("old", last_seq=999, last_capture_us=1_000_000 + 4 * 100_000))
    seg.add(batch(range(0, 8)), (0, 1))
    assert seg.flush().packets[0].seq == 5


def test_segments_never_start_empty_and_keep_every_packet():
    seg = Segmenter("cam", target_s=0.5)
    done = []
    for i in range(0, 100, 7):
        done += seg.add(batch(range(i, min(i + 7, 100)), keyframe_every=5), (0, i))
    done.append(seg.flush())
    assert [p.seq for s in done for p in s.packets] == list(range(100))
    assert all(s.packets[0].keyframe for s in done)


def test_redelivered_messages_are_not_segmented_twice():
    seg = Segmenter("cam", target_s=1)
    first = seg.add(batch(range(0, 15)), (0, 1))
    again = seg.add(batch(range(5, 25)), (0, 1))  # a rebalance re-delivers from an older offset
    rest = seg.flush()
    seqs = [p.seq for s in first + again + [rest] for p in s.packets]
    assert seqs == list(range(25))


def test_lost_packets_end_the_segment_so_the_hole_shows():
    seg = Segmenter("cam", target_s=60)
    seg.add(batch(range(0, 12)), (0, 1))
    done = seg.add(batch(range(30, 35)), (0, 2))  # 18 packets never arrived
    assert [(s.packets[0].seq, s.last.seq) for s in done] == [(0, 11)]
    assert done[0].end_us == 1_000_000 + 12 * 100_000  # its own end, not the next packet's time
    assert seg.flush().start_us == 1_000_000 + 30 * 100_000
