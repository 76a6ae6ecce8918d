"""Count a video file with the service's own stages: demux -> PacketBatch -> CameraDecoder
(the shared decoder stage, sampled to the target fps) -> detector -> CameraCounter."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av

from roadcam.common.decoder import CameraDecoder, DecodedFrame
from roadcam.common.errors import DecodeError
from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from roadcam.counter.counting import CountedCrossing, CountingTuning, build_counter
from roadcam.counter.detector import YoloDetector
from roadcam.counter.geometry import CountingLine

log = logging.getLogger(__name__)
_BATCH_PACKETS = 32
_GROUP_FRAMES = 4  # frames handed to the detector together (it may pack them into one input)


def _stream_info(stream: av.video.stream.VideoStream) -> StreamInfo:
    ctx = stream.codec_context
    extradata = bytes(ctx.extradata or b"")
    return StreamInfo(
        codec=ctx.name, extradata=extradata, width=ctx.width, height=ctx.height,
        time_base=Fraction(stream.time_base or Fraction(1, 90000)), avg_fps=float(stream.average_rate or 0),
        bitstream_format="avcc" if extradata[:1] == b"\x01" and ctx.name in ("h264", "hevc") else "annexb",
    )


def file_batches(path: Path, camera_id: str = "file", start_us: int = 0) -> tuple[StreamInfo, Iterator[PacketBatch]]:
    """The file's compressed packets as the batches ingest would publish; capture time is
    `start_us` plus the video time."""
    try:
        container = av.open(str(path))
    except Exception as exc:  # noqa: BLE001 - PyAV raises several types for unreadable files
        raise DecodeError(f"cannot open {path}: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise DecodeError(f"{path} has no video stream")
    stream = container.streams.video[0]
    info = _stream_info(stream)

    def batches() -> Iterator[PacketBatch]:
        seq, batch = 0, PacketBatch(camera_id, "offline", 0, info)
        tb, start = info.time_base, stream.start_time or 0
        with container:
            for packet in container.demux(stream):
                if not packet.size:
                    continue
                pts = packet.pts if packet.pts is not None else (packet.dts or 0)
                dts = packet.dts if packet.dts is not None else pts
                t_us = start_us + int((pts - start) * tb * 1_000_000)
                batch.packets.append(EncodedPacket(seq, pts, dts, packet.is_keyframe, t_us, packet.duration or 0, bytes(packet)))
                seq += 1
                if len(batch.packets) >= _BATCH_PACKETS:
                    yield batch
                    batch = PacketBatch(camera_id, "offline", 0, info)
            if batch.packets:
                yield batch

    return info, batches()


class _FileDecoder(CameraDecoder):
    """The shared decoder stage plus an end-of-file drain (a live stream never ends)."""

    def drain(self) -> list[DecodedFrame]:
        if self._codec is None or self._key is None:
            return []
        frames: list[DecodedFrame] = []
        session_id, generation, _ = self._key
        try:
            decoded = self._codec.decode(None)
        except av.error.FFmpegError as exc:
            log.warning("end of file: %s", exc)
            return []
        for frame in decoded:
            self.frames_decoded += 1
            source = self._pending.pop(frame.pts, None) if frame.pts is not None else None
            if source is None or not self._sampler.keep(source.capture_time_us):
                continue
            frames.append(DecodedFrame(
                self.camera_id, frame.to_ndarray(format="bgr24"), source.capture_time_us,
                source.pts, source.seq, session_id, generation,
            ))
        return frames


@dataclass
class FileCount:
    frames: int = 0  # frames decoded from the file
    analysed: int = 0  # frames the detector saw (after sampling)
    seconds: float = 0.0
    crossings: list[CountedCrossing] = field(default_factory=list)


LineSpec = tuple[str, tuple[float, float], tuple[float, float]]  # id, start, end (file pixels)


def count_file(
    path: Path, line_specs: list[LineSpec], detector: YoloDetector, fps: float | None,
    tuning: CountingTuning | None = None, progress: Callable[[float], None] | None = None,
) -> FileCount:
    info, batches = file_batches(path)
    tuning = tuning or CountingTuning()
    size = (info.width, info.height)
    lines = [CountingLine.across(lid, a, b, frame_size=size) for lid, a, b in line_specs]
    decoder = _FileDecoder("file", fps)
    counter = build_counter(lines, fps or info.avg_fps or 10.0, tuning)
    result, waiting = FileCount(), []
    last_us = 0

    def run_detector(frames: list[DecodedFrame]) -> None:
        for frame, dets in zip(frames, detector.detect([f.image for f in frames])):
            result.crossings.extend(counter.update(dets, frame.capture_time_us))
        result.analysed += len(frames)

    for batch in batches:
        frames, _events = decoder.feed(batch)
        waiting += frames
        last_us = max([last_us] + [p.capture_time_us + int(p.duration * info.time_base * 1e6) for p in batch.packets])
        while len(waiting) >= _GROUP_FRAMES:
            run_detector(waiting[:_GROUP_FRAMES])
            waiting = waiting[_GROUP_FRAMES:]
        if progress:
            progress(last_us / 1e6)
    waiting += decoder.drain()
    for start in range(0, len(waiting), _GROUP_FRAMES):
        run_detector(waiting[start:start + _GROUP_FRAMES])
    result.crossings.extend(counter.flush())
    result.frames = decoder.frames_decoded
    result.seconds = last_us / 1e6
    return result
