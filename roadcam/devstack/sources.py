"""Cameras for `roadcam up --source ...`: the frame size of each source and a default counting
line across it, so counts flow from the first minute (editable later in the console)."""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)
LINE_ID = "default-line"


def probe_frame_size(url: str, timeout_s: float = 8.0) -> tuple[int, int] | None:
    """(width, height) of the first video stream, or None when the source cannot be opened now."""
    import av

    options = {"rtsp_transport": "tcp", "timeout": str(int(timeout_s * 1e6))} if url.startswith("rtsp") else {}
    try:
        with av.open(url, options=options, timeout=timeout_s) as container:
            stream = container.streams.video[0]
            if stream.codec_context.width and stream.codec_context.height:
                return stream.codec_context.width, stream.codec_context.height
            frame = next(container.decode(video=0))
            return frame.width, frame.height
    except (av.FFmpegError, IndexError, StopIteration, OSError) as exc:
        log.warning("cannot read the frame size of %s (%s); no default counting line", url, exc)
        return None


def default_line(width: int, height: int) -> dict:
    """A horizontal line across the lower middle of the frame, where road traffic usually crosses."""
    y = round(height * 0.6)
    return {"id": LINE_ID, "start": [round(width * 0.05), y], "end": [round(width * 0.95), y],
            # The counter's positive side of a left-to-right line is below it (image y points down).
            "pos_name": "画面の下へ", "neg_name": "画面の上へ"}


def source_camera(index: int, url: str) -> dict:
    network = "://" in url and not url.startswith("file://")
    source = {"url": url} if network else {"url": str(Path(url).resolve()), "loop": True}
    camera = {"id": f"cam-{index}", "name": f"Camera {index}", "source": source}
    size = probe_frame_size(source["url"])
    if size:
        camera["frame_size"] = list(size)
        camera["counting_lines"] = [default_line(*size)]
    return camera
