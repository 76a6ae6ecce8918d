"""Read a video file's compressed packets as PacketBatches, as ingest would publish them.

Offline tools (`roadcam count`, `roadcam anonymize`) and tests feed these to the same decoder
stage the services use, so a file and a live camera take one code path.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import av.error

from roadcam.common.errors import SourceError
from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo


def stream_info(stream: av.video.stream.VideoStream) -> StreamInfo:
    ctx = stream.codec_context
    extradata = bytes(ctx.extradata or b"")
    return StreamInfo(
        codec=ctx.name,
        extradata=extradata,
        width=ctx.width,
        height=ctx.height,
        time_base=Fraction(stream.time_base or Fraction(1, 90000)),
        avg_fps=float(stream.average_rate or 0),
        # avcC/hvcC records start with version 1; Annex-B parameter sets start with 00 00 (0)1.
        bitstream_format="avcc" if extradata[:1] == b"\x01" and ctx.name in ("h264", "hevc") else "annexb",
        reorder_depth=int(ctx.reorder_depth or 0),
    )


def file_batches(
    path: str | Path, camera_id: str = "file", packets_per_batch: int = 8, start_time_us: int = 0
) -> Iterator[PacketBatch]:
    """Yield the file's video packets in batches; capture time follows the file's timestamps."""
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise SourceError(f"{path}: cannot open: {exc}", "BAD_DATA") from None
    with container:
        if not container.streams.video:
            raise SourceError(f"{path}: no video stream", "NO_VIDEO")
        stream = container.streams.video[0]
        info, session = stream_info(stream), uuid.uuid4().hex[:12]
        tb_us = float(info.time_base) * 1e6
        batch = PacketBatch(camera_id, session, 0, info)
        seq, last_dts = 0, -1
        for packet in container.demux(stream):
            if not packet.size:
                continue
            dts = packet.dts if packet.dts is not None else (packet.pts if packet.pts is not None else last_dts + 1)
            pts = packet.pts if packet.pts is not None else dts
            last_dts = dts
            batch.packets.append(EncodedPacket(
                seq=seq, pts=pts, dts=dts, keyframe=packet.is_keyframe,
                capture_time_us=start_time_us + int(pts * tb_us), duration=packet.duration or 0,
                data=bytes(packet),
            ))
            seq += 1
            if len(batch.packets) >= packets_per_batch:
                yield batch
                batch = PacketBatch(camera_id, session, 0, info)
        if batch.packets:
            yield batch
