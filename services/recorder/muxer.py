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
from services.recorder.annexb import BitstreamError, Framing, framing_for, to_annexb
from services.recorder.timestamps import Timeline, mux_timestamps

ES_SUFFIX = "-es"  # codec of a segment stored as a bare elementary stream (no container)
RAW_DEMUXERS = {"h264": "h264", "hevc": "hevc", "mpeg4": "m4v"}


class MuxError(RoadcamError):
    """Packets could not be put into (or read back from) a container."""


def mux_segment(stream: StreamInfo, packets: Sequence[EncodedPacket]) -> bytes:
    """An MPEG-TS file holding `packets` unchanged (Annex-B framing, parameter sets in front)."""
    if not packets:
        raise MuxError("a segment needs at least one packet")
    buf = io.BytesIO()
    try:
        framing = framing_for(stream.codec, stream.extradata, stream.bitstream_format)
        with av.open(buf, "w", format="mpegts") as out:
            video = out.add_mux_stream(stream.codec, width=stream.width, height=stream.height)
            video.time_base = stream.time_base
            for i, (p, (pts, dts)) in enumerate(zip(packets, mux_timestamps(packets))):
                data = to_annexb(p.data, framing.length_size)
                if i == 0 and framing.parameter_sets:
                    data = framing.parameter_sets + data  # decodable on its own
                packet = av.Packet(data)
                packet.stream = video
                packet.time_base = stream.time_base
                packet.pts, packet.dts = pts, dts
                packet.duration = p.duration or None
                packet.is_keyframe = p.keyframe
                out.mux(packet)
    except (av.error.FFmpegError, ValueError, BitstreamError) as exc:
        raise MuxError(f"cannot mux {stream.codec} segment: {exc}") from exc
    return buf.getvalue()


def elementary_stream(stream: StreamInfo, packets: Sequence[EncodedPacket]) -> bytes:
    """The packets as one bare elementary stream (Annex-B for H.264/H.265, parameter sets first):
    how footage is kept when no container takes it. Never fails: a packet whose length prefixes
    are broken is kept as it came."""
    try:
        framing = framing_for(stream.codec, stream.extradata, stream.bitstream_format)
    except BitstreamError:
        framing = Framing(0, b"")
    parts = [framing.parameter_sets]
    for p in packets:
        try:
            parts.append(to_annexb(p.data, framing.length_size))
        except BitstreamError:
            parts.append(p.data)
    return b"".join(parts)


def is_elementary(codec: str) -> bool:
    return codec.endswith(ES_SUFFIX)


def remux_to_mp4(segments: Sequence[tuple[bytes, str]]) -> bytes:
    """Decrypted segments of one camera, as (plaintext, stored codec), -> a single MP4 with one
    timeline from zero. MPEG-TS segments are stream-copied; a segment kept as a bare elementary
    stream (codec `<codec>-es`) has no timestamps: its frames follow one frame interval apart."""
    if not segments:
        raise MuxError("no segments to export")
    buf = io.BytesIO()
    timeline, dst = Timeline(), None
    try:
        with av.open(buf, "w", format="mp4") as out:
            for data, demuxer in _sources(segments):
                with av.open(io.BytesIO(data), "r", format=demuxer) as inp:
                    src = inp.streams.video[0]
                    dst = dst or out.add_stream_from_template(src)
                    for packet in inp.demux(src):
                        if packet.size:
                            _place(packet, timeline)
                            packet.stream = dst
                            out.mux(packet)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MuxError(f"cannot remux segments to MP4: {exc}") from exc
    return buf.getvalue()


def _sources(segments: Sequence[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
    """(bytes, demuxer) runs: consecutive MPEG-TS segments joined (TS concatenates cleanly)."""
    runs: list[tuple[list[bytes], str]] = []
    for data, codec in segments:
        demuxer = "mpegts"
        if is_elementary(codec):
            base = codec[: -len(ES_SUFFIX)]
            if base not in RAW_DEMUXERS:
                raise MuxError(f"no demuxer for an elementary stream of {base}")
            demuxer = RAW_DEMUXERS[base]
        if demuxer == "mpegts" and runs and runs[-1][1] == "mpegts":
            runs[-1][0].append(data)
        else:
            runs.append(([data], demuxer))
    return [(b"".join(parts), demuxer) for parts, demuxer in runs]


def _place(packet: av.Packet, timeline: Timeline) -> None:
    tb = Fraction(packet.time_base)
    seconds = [None if v is None else v * tb for v in (packet.pts, packet.dts)]
    timed = packet.pts is not None or packet.dts is not None
    pts, dts = timeline.place(seconds[0], seconds[1], packet.duration * tb if packet.duration and timed else None)
    packet.pts, packet.dts = round(pts / tb), round(dts / tb)


def duration_us(packets: Sequence[EncodedPacket], time_base: Fraction) -> int:
    """Presentation span of `packets` in microseconds (pts range plus the last duration)."""
    first = min(p.pts for p in packets)
    last = max(packets, key=lambda p: p.pts)
    return int((last.pts + (last.duration or 0) - first) * time_base * 1_000_000)
