"""Self-disclosure redaction, the video part: decode the remuxed clip, run the face, person and plate
detectors on every frame, follow the requester (`redaction`), blur everyone and everything else,
and encode a new H.264 MP4. Only this copy is re-encoded; the original segments stay untouched.

Two decoding passes (detect, then render) keep one frame in memory at a time instead of the clip.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import av
import cv2
import numpy as np

from roadcam.common.errors import ConfigError, ModelMissingError
from roadcam.vision.blur import BOX_MARGIN, grow, smear
from roadcam.vision.detectors import Box, CenterFaces, Detector, PersonDetector, PlateDetector, YuNetFaces
from services.api.disclosure.redaction import FollowRules, FramePlan, Mark, follow, plan, plausible
from services.api.disclosure.settings import RedactionSettings

log = logging.getLogger(__name__)
_BOX_CELLS = 3  # a blurred box keeps about this many "pixels" along its long side: a figure becomes a blob
_WHOLE_CELLS = 12  # a frame without a followed requester keeps only its layout


class RedactionUnavailable(ConfigError):
    """The detectors cannot run in this process: a self-disclosure export is refused, never sent unblurred."""


@dataclass(frozen=True)
class Redacted:
    mp4: bytes
    frames: int
    kept_frames: int  # frames where the requester is followed and left sharp
    whole_frames: int  # frames blurred whole (requester not followed)
    blurred_boxes: int


def _setting(field: str) -> str:
    return f"ROADCAM_API_REDACTION__{field.upper()}"


def load_detectors(s: RedactionSettings) -> list[Detector]:
    """Every required detector, or RedactionUnavailable naming each setting to fix."""
    builders = [("yunet_model", lambda: YuNetFaces(s.yunet_model, s.face_threshold, upscale=s.face_upscale)),
                ("yolo_model", lambda: PersonDetector(s.yolo_model, s.person_threshold, threads=s.threads)),
                ("plate_model", lambda: PlateDetector(s.plate_model, threads=s.threads))]
    if s.centerface_model is not None:
        builders.append(("centerface_model", lambda: CenterFaces(s.centerface_model, upscale=s.face_upscale)))
    detectors, problems = [], []
    for field, build in builders:
        try:
            detectors.append(build())
        except ModelMissingError as exc:
            problems.append(f"{exc} (set {_setting(field)})")
    if problems:
        raise RedactionUnavailable(
            "a self-disclosure export blurs everyone but the requester, and the detector models are not "
            "available to this process, so nothing was exported: " + "; ".join(problems))
    return detectors


def frames_of(mp4: bytes) -> Iterator[np.ndarray]:
    with av.open(io.BytesIO(mp4)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="bgr24")


def render(image: np.ndarray, frame_plan: FramePlan) -> np.ndarray:
    """The output frame, in place: blurred whole, or each planned box smeared."""
    if frame_plan.whole:
        return smear(image, _WHOLE_CELLS)
    h, w = image.shape[:2]
    for box in frame_plan.boxes:
        x1, y1, x2, y2 = grow(box, BOX_MARGIN.get(box.kind, 0.2), w, h)
        if x2 - x1 >= 1 and y2 - y1 >= 1:
            short, long = sorted((x2 - x1, y2 - y1))
            image[y1:y2, x1:x2] = smear(image[y1:y2, x1:x2], max(1, round(_BOX_CELLS * short / long)))
    return image


class ClipRedactor:
    def __init__(self, settings: RedactionSettings) -> None:
        self._settings = settings
        self._detectors = load_detectors(settings)
        self.rules = FollowRules(settings.min_iou, settings.ambiguity, settings.max_gap_frames, settings.hold_frames)

    def detect(self, image: np.ndarray) -> list[Box]:
        """Every detector's boxes, in the image's pixels."""
        h, w = image.shape[:2]
        scale = min(1.0, self._settings.detect_max_width / w)
        work = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else image
        found = [b.scaled(1 / scale, 1 / scale) for d in self._detectors for b in d.detect(work)]
        return [b for b in found if plausible(b, self._settings.large_face_px, self._settings.large_face_score)]

    def redact(self, mp4: bytes, mark: Mark) -> Redacted:
        detections, size = [], (0, 0)
        for image in frames_of(mp4):
            size = (image.shape[1], image.shape[0])
            detections.append(self.detect(image))
        mark.check(len(detections), *size)
        kept = follow(mark, detections, self.rules)
        plans = plan(detections, kept, self.rules)
        out = self._encode(mp4, plans)
        whole = sum(p.whole for p in plans)
        log.info("redacted %d frames: requester kept on %d, %d blurred whole", len(plans), len(plans) - whole, whole)
        return Redacted(out, len(plans), len(plans) - whole, whole, sum(len(p.boxes) for p in plans))

    def _encode(self, mp4: bytes, plans: list[FramePlan]) -> bytes:
        with av.open(io.BytesIO(mp4)) as src:
            rate = src.streams.video[0].average_rate or 25
        buf = io.BytesIO()
        with av.open(buf, "w", format="mp4") as dst:
            stream = dst.add_stream("libx264", rate=rate, options={"crf": str(self._settings.crf)})
            for t, image in enumerate(frames_of(mp4)):
                if t == 0:
                    stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
                # a frame the first pass did not see has no plan: blurred whole
                out = render(image, plans[t] if t < len(plans) else FramePlan(True))
                for packet in stream.encode(av.VideoFrame.from_ndarray(out, format="bgr24")):
                    dst.mux(packet)
            for packet in stream.encode():
                dst.mux(packet)
        return buf.getvalue()


def still_jpeg(mp4: bytes, frame: int) -> tuple[bytes, int]:
    """Frame `frame` of the clip as JPEG (for the operator to mark the requester) and the clip's frame count."""
    with av.open(io.BytesIO(mp4)) as container:
        count = sum(1 for packet in container.demux(video=0) if packet.size)
    if not 0 <= frame < count:
        raise ValueError(f"frame {frame} is not in the clip (frames 0 to {count - 1})")
    for t, image in enumerate(frames_of(mp4)):
        if t == frame:
            ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            return jpeg.tobytes(), count
    raise ValueError(f"frame {frame} cannot be decoded")
