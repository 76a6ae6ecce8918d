"""The adapter edge for camera video: PacketBatch <-> roadcam.v1.VideoChunk (+ claim-check)."""
from __future__ import annotations

from fractions import Fraction

from roadcam.common.blobs import BlobStore
from roadcam.common.errors import BusError
from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from roadcam.v1 import video_pb2


def stream_to_proto(info: StreamInfo) -> video_pb2.StreamParams:
    return video_pb2.StreamParams(
        codec=info.codec,
        extradata=info.extradata,
        width=info.width,
        height=info.height,
        time_base_num=info.time_base.numerator,
        time_base_den=info.time_base.denominator,
        avg_fps=info.avg_fps,
        bitstream_format=info.bitstream_format,
        reorder_depth=info.reorder_depth,
    )


def stream_from_proto(msg: video_pb2.StreamParams) -> StreamInfo:
    return StreamInfo(
        codec=msg.codec,
        extradata=msg.extradata,
        width=msg.width,
        height=msg.height,
        time_base=Fraction(msg.time_base_num or 1, msg.time_base_den or 90000),
        avg_fps=msg.avg_fps,
        bitstream_format=msg.bitstream_format or "annexb",
        reorder_depth=msg.reorder_depth,
    )


def blob_key(batch: PacketBatch) -> str:
    first = batch.packets[0].seq if batch.packets else 0
    return f"roadcam:video:{batch.camera_id}:{batch.session_id}:{first}"


async def encode_batch(batch: PacketBatch, blobs: BlobStore | None) -> bytes:
    """Serialize a batch; with a blob store the packet bytes go there (claim-check)."""
    chunk = video_pb2.VideoChunk(
        camera_id=batch.camera_id,
        session_id=batch.session_id,
        generation=batch.generation,
        params=stream_to_proto(batch.stream),
        sent_time_us=batch.sent_time_us,
    )
    offset = 0
    for p in batch.packets:
        msg = chunk.packets.add(
            seq=p.seq, pts=p.pts, dts=p.dts, keyframe=p.keyframe,
            capture_time_us=p.capture_time_us, duration=p.duration,
        )
        if blobs is None:
            msg.data = p.data
        else:
            msg.blob_offset, msg.blob_length = offset, len(p.data)
            offset += len(p.data)
    if blobs is not None and batch.packets:
        chunk.blob_key = blob_key(batch)
        await blobs.put(chunk.blob_key, b"".join(p.data for p in batch.packets))
    return chunk.SerializeToString()


async def decode_batch(value: bytes, blobs: BlobStore | None) -> PacketBatch:
    """Parse a VideoChunk and resolve its claim-check. Raises BusError if the blob expired."""
    chunk = video_pb2.VideoChunk.FromString(value)
    blob = b""
    if chunk.blob_key:
        if blobs is None:
            raise BusError("video chunk is claim-checked but this consumer has no blob store")
        blob = await blobs.get(chunk.blob_key)
    packets = [
        EncodedPacket(
            seq=m.seq, pts=m.pts, dts=m.dts, keyframe=m.keyframe,
            capture_time_us=m.capture_time_us, duration=m.duration,
            data=blob[m.blob_offset : m.blob_offset + m.blob_length] if chunk.blob_key else m.data,
        )
        for m in chunk.packets
    ]
    return PacketBatch(
        camera_id=chunk.camera_id,
        session_id=chunk.session_id,
        generation=chunk.generation,
        stream=stream_from_proto(chunk.params),
        packets=packets,
        sent_time_us=chunk.sent_time_us,
    )
