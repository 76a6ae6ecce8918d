"""Direct LiteRT inference for Ultralytics' float-I/O YOLO detection exports (.tflite).

Ultralytics' `predict` wraps every inference in torch pre- and post-processing (tensor conversion
and division, torchvision NMS, `Results` objects): about a tenth of the counter's CPU per frame
beside the model itself. Our canvas is already letterboxed (`mosaic.compose`), so the model input
is one channel swap and scale in numpy, and the output one argmax and torchvision's per-class NMS,
with Ultralytics' own rules (best class of all, then the class filter; IoU 0.7; 300 boxes at most;
boxes clipped to the canvas), so the boxes are the ones `predict` gives.
Anything else — another backend, integer I/O, an end-to-end export — keeps Ultralytics' own path.
The model is loaded by Ultralytics either way (its file checks and metadata), this only runs it.
"""
from __future__ import annotations

import logging

import cv2
import numpy as np
import torch
from torchvision.ops import batched_nms

log = logging.getLogger(__name__)


class DirectLiteRt:
    def __init__(self, backend, iou: float = 0.7, max_det: int = 300) -> None:
        self._interpreter = backend.interpreter
        self._input = backend.input_details[0]
        self._output = backend.output_details[0]
        self._nhwc = backend.nhwc
        shape = self._input["shape"]
        self.height, self.width = (int(shape[1]), int(shape[2])) if self._nhwc else (int(shape[2]), int(shape[3]))
        self._buffer = np.zeros(tuple(int(v) for v in shape), np.float32)
        self._iou, self._max_det = iou, max_det

    @classmethod
    def of(cls, model) -> DirectLiteRt | None:
        """The direct runner for a loaded Ultralytics model that has predicted once, or None when its
        backend is not a plain float-I/O LiteRT detection export (then Ultralytics runs it)."""
        backend = getattr(getattr(getattr(model, "predictor", None), "model", None), "backend", None)
        if type(backend).__name__ != "LiteRTBackend" or getattr(backend, "task", None) != "detect":
            return None
        try:
            if backend.end2end or getattr(backend, "intel", False) or len(backend.output_details) != 1:
                return None
            inp, out = backend.input_details[0], backend.output_details[0]
            if inp["dtype"] != np.float32 or out["dtype"] != np.float32 or len(out["shape"]) != 3:
                return None
            if int(out["shape"][1]) != 4 + len(model.names):
                return None
            return cls(backend)
        except (AttributeError, KeyError, IndexError, TypeError) as exc:  # another Ultralytics layout
            log.info("LiteRT model runs through Ultralytics' predict (%s)", exc)
            return None

    def detect(self, canvas: np.ndarray, conf: float, classes: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (xyxy in canvas pixels), scores and model class ids above `conf` of a BGR canvas the
        model's input size."""
        if canvas.shape[:2] != (self.height, self.width):
            raise ValueError(f"canvas {canvas.shape[:2]} is not the model input {(self.height, self.width)}")
        rgb = cv2.cvtColor(canvas, cv2.COLOR_BGR2RGB)  # contiguous: the divide below runs 5x faster than on a view
        target = self._buffer[0] if self._nhwc else self._buffer[0].transpose(1, 2, 0)
        # divide as Ultralytics does: x * (1/255) differs in the last bit, and the INT8 model's input
        # quantization turns such a bit into a different box now and then
        np.divide(rgb, np.float32(255), out=target, dtype=np.float32)
        self._interpreter.set_tensor(self._input["index"], self._buffer)
        self._interpreter.invoke()
        return self._boxes(self._interpreter.get_tensor(self._output["index"])[0], conf, classes)

    def _boxes(self, out: np.ndarray, conf: float, classes: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scores = out[4:]
        # The best class of each anchor, found only where the best score passes: the same as an argmax
        # over all 8400 anchors (first maximum wins), at a tenth of the cost.
        passing = np.flatnonzero(scores.max(0) > conf)
        best = scores[:, passing].argmax(0)
        wanted = np.isin(best, classes)
        keep, best = passing[wanted], best[wanted]
        if keep.size == 0:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
        score = scores[best, keep]
        cx, cy, w, h = out[:4, keep] * np.array([[self.width], [self.height], [self.width], [self.height]], np.float32)
        xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
        picked = batched_nms(torch.from_numpy(xyxy), torch.from_numpy(score), torch.from_numpy(best), self._iou)
        picked = picked[:self._max_det].numpy()
        xyxy = xyxy[picked]
        np.clip(xyxy[:, 0::2], 0, self.width, out=xyxy[:, 0::2])
        np.clip(xyxy[:, 1::2], 0, self.height, out=xyxy[:, 1::2])
        return xyxy, score[picked], best[picked]
