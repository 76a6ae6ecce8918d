"""A still of the anonymized public view (never raw footage, R6) to draw lines and masks on."""
from __future__ import annotations

import io

import av
import cv2


def last_frame_jpeg(segment: bytes) -> bytes | None:
    """The last decodable frame of an MPEG-TS segment as JPEG, or None."""
    last = None
    try:
        with av.open(io.BytesIO(segment), format="mpegts") as container:
            for frame in container.decode(video=0):
                last = frame
    except av.FFmpegError:
        pass
    if last is None:
        return None
    ok, jpeg = cv2.imencode(".jpg", last.to_ndarray(format="bgr24"), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpeg.tobytes() if ok else None
