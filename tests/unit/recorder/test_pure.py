import asyncio
import base64

import pytest

from services.recorder.annexb import BitstreamError, framing_for, to_annexb
from services.recorder.chain import GENESIS, SegmentMeta, days_between, parse_segment_key, segment_key
from services.recorder.consumer import OffsetBook
from services.recorder.crypto import CryptoError, LocalKeyProvider, decrypt_segment, encrypt_segment, generate_master_key, new_data_key
from services.recorder.storage import retention_class

META = SegmentMeta(camera_id="cam-1", start_us=1_790_000_000_000_000, end_us=1_790_000_010_000_000,
                   plaintext_sha256="a" * 64, prev_chain_hash=GENESIS, key_id="cam-1/2026-09-21/00", codec="h264")


def test_avcc_becomes_annexb_with_parameter_sets():
    sps, pps = b"\x67\x64\x00\x1f", b"\x68\xee"
    avcc = b"\x01\x64\x00\x1f\xff\xe1" + len(sps).to_bytes(2, "big") + sps + b"\x01" + len(pps).to_bytes(2, "big") + pps
    framing = framing_for("h264", avcc, "avcc")
    assert framing.length_size == 4 and framing.parameter_sets == b"\0\0\0\1" + sps + b"\0\0\0\1" + pps
    packet = (3).to_bytes(4, "big") + b"\x65\x01\x02" + (2).to_bytes(4, "big") + b"\x41\x09"
    assert to_annexb(packet, 4) == b"\0\0\0\1\x65\x01\x02\0\0\0\1\x41\x09"
    with pytest.raises(BitstreamError):
        to_annexb((9).to_bytes(4, "big") + b"\x65", 4)
    with pytest.raises(BitstreamError):
        framing_for("h264", b"\x00\x00\x00\x01\x67", "avcc")
    assert framing_for("mpeg4", b"\x00\x00\x01\xb0", "annexb").length_size == 0


def test_segment_keys_round_trip_and_sort_by_time():
    key = segment_key("cam-1", 1_790_000_000_000_000, 1_790_000_010_000_000)
    assert key == "cam-1/2026/09/21/1790000000000000-1790000010000000.ts.enc"
    name = parse_segment_key(key)
    assert (name.camera_id, name.start_us, name.end_us) == ("cam-1", 1_790_000_000_000_000, 1_790_000_010_000_000)
    assert parse_segment_key("_keys/cam-1/x.key") is None
    assert len(days_between(META.start_us, META.start_us + 3 * 86_400_000_000)) == 4


def test_chain_hash_covers_every_field_and_headers_round_trip():
    hashes = {META.chain_hash}
    for field, value in [("start_us", 1), ("end_us", 2), ("plaintext_sha256", "b" * 64),
                         ("prev_chain_hash", "c" * 64), ("key_id", "k"), ("codec", "hevc"), ("camera_id", "cam-2")]:
        hashes.add(META.model_copy(update={field: value}).chain_hash)
    assert len(hashes) == 8
    meta, stored = SegmentMeta.from_headers({k.title(): v for k, v in META.to_headers().items()})
    assert meta == META and stored == META.chain_hash


def test_encryption_binds_the_metadata_and_the_key():
    key = new_data_key()
    blob = encrypt_segment(key, b"footage" * 100, META.chain_input())
    assert decrypt_segment(key, blob, META.chain_input()) == b"footage" * 100
    with pytest.raises(CryptoError):
        decrypt_segment(key, blob, META.model_copy(update={"end_us": 3}).chain_input())
    with pytest.raises(CryptoError):
        decrypt_segment(new_data_key(), blob, META.chain_input())
    flipped = bytearray(blob)
    flipped[-20] ^= 1
    with pytest.raises(CryptoError):
        decrypt_segment(key, bytes(flipped), META.chain_input())


def test_master_key_wraps_data_keys_for_one_context_only():
    provider = LocalKeyProvider(generate_master_key())
    wrapped = provider.wrap(b"k" * 32, b"cam-1/2026-09-21/00")
    assert provider.unwrap(wrapped, b"cam-1/2026-09-21/00") == b"k" * 32
    with pytest.raises(CryptoError):
        provider.unwrap(wrapped, b"cam-2/2026-09-21/00")
    with pytest.raises(CryptoError):
        LocalKeyProvider(generate_master_key()).unwrap(wrapped, b"cam-1/2026-09-21/00")
    with pytest.raises(CryptoError, match="32 bytes"):
        LocalKeyProvider(base64.b64encode(b"short").decode())
    with pytest.raises(CryptoError, match="base64"):
        LocalKeyProvider("not base64!")


def test_offsets_never_pass_unstored_footage():
    book = OffsetBook()
    for offset in range(10, 20):
        book.seen(0, offset)
    book.seen(1, 5)
    assert book.to_commit([(0, 12), (0, 15)]) == {0: 12, 1: 6}
    book.committed({0: 12, 1: 6})
    assert book.to_commit([(0, 12)]) == {}
    assert book.to_commit([]) == {0: 20}


def test_retention_classes_never_expire_early():
    assert [retention_class(d) for d in (1, 7, 8, 14, 15, 30, 31)] == [7, 7, 14, 14, 30, 30, 31]


def test_upload_queue_is_bounded():
    from services.recorder.uploads import UploadQueue

    class Item:
        def __init__(self, n):
            self.blob, self.first_ref = b"x" * n, (0, n)

    async def scenario():
        queue = UploadQueue(memory_bytes=100)
        await queue.put(Item(60))
        blocked = asyncio.create_task(queue.put(Item(50)))
        await asyncio.sleep(0.05)
        assert not blocked.done() and queue.refs() == [(0, 60)]
        assert (await queue.peek()).first_ref == (0, 60)
        await queue.pop()
        await asyncio.wait_for(blocked, 1)
        assert queue.bytes == 50 and len(queue) == 1
        await queue.pop()
        await queue.put(Item(500))  # an item alone may exceed the limit, so progress is possible
        assert queue.bytes == 500

    asyncio.run(scenario())


def test_upload_queue_spills_ciphertext_to_disk_and_reads_it_back(tmp_path):
    from services.recorder.sealer import SealedSegment
    from services.recorder.uploads import UploadQueue

    def sealed(n, fill):
        return SealedSegment(META, fill * n, None, (0, n), 7)

    async def scenario():
        queue = UploadQueue(memory_bytes=100, spool_dir=tmp_path / "spool", spool_bytes=150)
        await queue.put(sealed(80, b"a"))
        await queue.put(sealed(70, b"b"))  # over the memory limit: spilled
        await queue.put(sealed(70, b"c"))  # spilled too (140 <= 150)
        blocked = asyncio.create_task(queue.put(sealed(60, b"d")))
        await asyncio.sleep(0.05)
        assert not blocked.done() and queue.spilled_bytes == 140
        assert sorted(p.stat().st_size for p in (tmp_path / "spool").iterdir()) == [70, 70]
        got = []
        for _ in range(4):
            got.append((await queue.peek()).blob)
            await queue.pop()
            await asyncio.sleep(0.01)
        assert got == [b"a" * 80, b"b" * 70, b"c" * 70, b"d" * 60]
        assert queue.bytes == 0 and not list((tmp_path / "spool").iterdir())

    asyncio.run(scenario())
