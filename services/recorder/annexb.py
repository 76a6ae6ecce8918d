"""Length-prefixed (avcC/hvcC, as in MP4 files) to Annex-B framing, which MPEG-TS carries.

Only the framing changes (start codes instead of length prefixes, parameter sets at the front of
a segment, as ffmpeg's h264_mp4toannexb does): the coded slices stay byte for byte (R1).
"""
from __future__ import annotations

from dataclasses import dataclass

from roadcam.common.errors import RoadcamError

START_CODE = b"\x00\x00\x00\x01"


class BitstreamError(RoadcamError):
    """Codec extradata or a packet does not have the structure its format promises."""


@dataclass(frozen=True)
class Framing:
    """How packets of one stream become Annex-B: NAL length size and the parameter sets."""

    length_size: int  # 0 = already Annex-B (or not a NAL codec)
    parameter_sets: bytes  # Annex-B bytes to put in front of a segment's first packet


def framing_for(codec: str, extradata: bytes, bitstream_format: str) -> Framing:
    if bitstream_format != "avcc" or codec not in ("h264", "hevc"):
        # Annex-B or non-NAL codecs (e.g. MPEG-4 part 2): extradata is already in stream syntax.
        return Framing(0, extradata)
    if codec == "h264":
        return _avcc(extradata)
    return _hvcc(extradata)


def _avcc(extra: bytes) -> Framing:
    if len(extra) < 7 or extra[0] != 1:
        raise BitstreamError("h264 extradata is not an avcC record")
    length_size = (extra[4] & 0x03) + 1
    out, pos = bytearray(), 5
    for count_mask in (0x1F, 0xFF):  # SPS count uses 5 bits, PPS count 8
        if pos >= len(extra):
            break
        count = extra[pos] & count_mask
        pos = _copy_parameter_sets(extra, pos + 1, count, out)
    return Framing(length_size, bytes(out))


def _hvcc(extra: bytes) -> Framing:
    if len(extra) < 23 or extra[0] != 1:
        raise BitstreamError("hevc extradata is not an hvcC record")
    length_size = (extra[21] & 0x03) + 1
    out, pos = bytearray(), 23
    for _ in range(extra[22]):
        count = int.from_bytes(extra[pos + 1:pos + 3], "big")
        pos = _copy_parameter_sets(extra, pos + 3, count, out)
    return Framing(length_size, bytes(out))


def _copy_parameter_sets(extra: bytes, pos: int, count: int, out: bytearray) -> int:
    """Append `count` 16-bit-length-prefixed NAL units at `pos` to `out` with start codes;
    returns the position after them (avcC and hvcC store parameter sets alike)."""
    for _ in range(count):
        size = int.from_bytes(extra[pos:pos + 2], "big")
        out += START_CODE + extra[pos + 2:pos + 2 + size]
        pos += 2 + size
    return pos


def to_annexb(data: bytes, length_size: int) -> bytes:
    """Replace each NAL's length prefix with a start code."""
    if length_size == 0:
        return data
    parts, pos, end = [], 0, len(data)
    while pos < end:
        size = int.from_bytes(data[pos:pos + length_size], "big")
        pos += length_size
        if size == 0 or pos + size > end:
            raise BitstreamError(f"NAL length {size} at byte {pos} overruns a {end}-byte packet")
        parts.append(START_CODE)
        parts.append(data[pos:pos + size])
        pos += size
    return b"".join(parts)
