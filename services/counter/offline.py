"""Count a video file with the service's own stages: demux -> PacketBatch -> CameraDecoder
(the shared decoder stage, sampled to the target fps) -> detector -> CameraCounter."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from roadcam.common.decoder import CameraDecoder, DecodedFrame
from roadcam.common.errors import DecodeError
from roadcam.common.demux import file_batches as common_file_batches
from roadcam.common.media import PacketBatch, StreamInfo
from services.counter.counting import CountedCrossing, CountingTuning, LineSpec, build_counter
from services.counter.detector import YoloDetector

log = logging.getLogger(__name__)
_BATCH_PACKETS = 32
_GROUP_FRAMES = 12  # frames handed to the detector together (it packs 1, 2, 3 or 4 into one input)


def file_batches(path: Path, camera_id: str = "file", start_us: int = 0) -> tuple[StreamInfo, Iterator[PacketBatch]]:
    """The file's compressed packets as the batches ingest would publish (the shared demuxer),
    with the stream parameters up front; capture time is `start_us` plus the video time."""
    batches = common_file_batches(path, camera_id, _BATCH_PACKETS, start_us)
    first = next(batches, None)
    if first is None:
        raise DecodeError(f"{path} has no video packets")
    return first.stream, chain([first], batches)


@dataclass
class FileCount:
    frames: int = 0  # frames decoded from the file
    analysed: int = 0  # frames the detector saw (after sampling)
    seconds: float = 0.0
    crossings: list[CountedCrossing] = field(default_factory=list)


def count_file(
    path: Path, line_specs: list[LineSpec], detector: YoloDetector, fps: float | None,
    tuning: CountingTuning | None = None, progress: Callable[[float], None] | None = None,
) -> FileCount:
    info, batches = file_batches(path)
    tuning = tuning or CountingTuning()
    decoder = CameraDecoder("file", fps, skip_unreferenced=True)
    counter = build_counter(line_specs, (info.width, info.height), fps or info.avg_fps or 10.0, tuning)
    result, waiting = FileCount(), []
    last_us = 0

    def run_detector(frames: list[DecodedFrame]) -> None:
        for frame, dets in zip(frames, detector.detect([f.image for f in frames], [counter.region] * len(frames))):
            result.crossings.extend(counter.observe(frame.image, dets, frame.capture_time_us))
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
    waiting += decoder.flush()
    for start in range(0, len(waiting), _GROUP_FRAMES):
        run_detector(waiting[start:start + _GROUP_FRAMES])
    result.crossings.extend(counter.finish())
    result.frames = decoder.packets_decoded
    result.seconds = last_us / 1e6
    return result
