"""Packets -> MPEG-TS segment, and decrypted segments -> one MP4 clip. Stream copy only (R1).

PyAV muxes the camera's compressed packets as they are; nothing here decodes or encodes video.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction

import av

from roadcam.common.errors import RoadcamError
from roadcam.common.media import EncodedPacket, StreamInfo
from services.recorder.annexb import framing_for, to_annexb


class MuxError(RoadcamError):
    """Packets could not be put into (or read back from) a container."""


def mux_segment(stream: StreamInfo, packets: Sequence[EncodedPacket]) -> bytes:
    """An MPEG-TS file holding `packets` unchanged (Annex-B framing, parameter sets in front)."""
    if not packets:
        raise MuxError("a segment needs at least one packet")
    framing = framing_for(stream.codec, stream.extradata, stream.bitstream_format)
    buf = io.BytesIO()
    try:
        with av.open(buf, "w", format="mpegts") as out:
            video = out.add_mux_stream(stream.codec, width=stream.width, height=stream.height)
            video.time_base = stream.time_base
            for i, p in enumerate(packets):
                data = to_annexb(p.data, framing.length_size)
                if i == 0 and framing.parameter_sets:
                    data = framing.parameter_sets + data  # decodable on its own
                packet = av.Packet(data)
                packet.stream = video
                packet.time_base = stream.time_base
                packet.pts, packet.dts = p.pts, p.dts
                packet.duration = p.duration or None
                packet.is_keyframe = p.keyframe
                out.mux(packet)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MuxError(f"cannot mux {stream.codec} segment: {exc}") from exc
    return buf.getvalue()


def remux_to_mp4(segments: Sequence[bytes]) -> bytes:
    """Concatenated MPEG-TS segments of one camera -> a single MP4, timestamps from zero."""
    if not segments:
        raise MuxError("no segments to export")
    source = io.BytesIO(b"".join(segments))  # TS concatenates cleanly
    buf = io.BytesIO()
    try:
        with av.open(source, "r", format="mpegts") as inp, av.open(buf, "w", format="mp4") as out:
            src = inp.streams.video[0]
            dst = out.add_stream_from_template(src)
            origin: int | None = None
            for packet in inp.demux(src):
                if packet.dts is None and packet.pts is None:
                    continue  # the flush packet
                origin = packet.dts if origin is None else origin
                packet.pts = None if packet.pts is None else packet.pts - origin
                packet.dts = None if packet.dts is None else packet.dts - origin
                packet.stream = dst
                out.mux(packet)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MuxError(f"cannot remux segments to MP4: {exc}") from exc
    return buf.getvalue()


def duration_us(packets: Sequence[EncodedPacket], time_base: Fraction) -> int:
    """Presentation span of `packets` in microseconds (pts range plus the last duration)."""
    first = min(p.pts for p in packets)
    last = max(packets, key=lambda p: p.pts)
    return int((last.pts + (last.duration or 0) - first) * time_base * 1_000_000)
