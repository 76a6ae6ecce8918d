"""The YOLO adapter: frames in, per-frame `Detections` of the counted classes out.

Works with any Ultralytics-loadable detector (.pt, .onnx, .tflite); class ids are mapped by
name, so a model with another class order still counts the right things.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np

from roadcam.common.errors import ModelMissingError
from services.counter import mosaic
from services.counter.detections import CLASS_IDS, Detections
from services.counter.litert_direct import DirectLiteRt
from services.counter.region import Region

log = logging.getLogger(__name__)


class YoloDetector:
    def __init__(self, model, imgsz: int = 640, conf_floor: float = 0.1, min_keep: float = 0.85) -> None:
        self._model = model
        self.imgsz = imgsz
        self._conf_floor = conf_floor  # the tracker's low-score stage needs weak boxes too
        self._min_keep = min_keep
        names = model.names
        self._to_coco = {mid: CLASS_IDS[n] for mid, n in names.items() if n in CLASS_IDS}
        if not self._to_coco:
            raise ModelMissingError(f"the model knows none of the counted classes {sorted(CLASS_IDS)}")
        self.inferences = 0
        self._direct: DirectLiteRt | None = None  # set once Ultralytics has set the model up (`load`)

    @classmethod
    def load(cls, path: Path | str, threads: int = 0, **kwargs) -> YoloDetector:
        """Load a model file; any failure is a ModelMissingError with the reason. `threads`:
        inference threads for TFLite models (0: Ultralytics' default, one less than the cores)."""
        path = Path(path)
        if not path.is_file():
            raise ModelMissingError(f"detector model {path} does not exist")
        try:
            from ultralytics import YOLO

            if threads:
                _set_tflite_threads(threads)
            # Ultralytics logs model loading on stdout, which `roadcam count --json` owns.
            logging.getLogger("ultralytics").setLevel(logging.WARNING)
            model = YOLO(str(path), task="detect")
            detector = cls(model, **kwargs)
            detector.detect([np.zeros((64, 64, 3), np.uint8)])  # fail now, not on the first frame
            detector._direct = DirectLiteRt.of(model)
            if detector._direct is not None:
                detector.detect([np.zeros((64, 64, 3), np.uint8)])
        except ModelMissingError:
            raise
        except Exception as exc:  # noqa: BLE001 - ultralytics raises many types for a bad file
            raise ModelMissingError(f"detector model {path} cannot be loaded: {exc}") from exc
        detector.inferences = 0
        log.info("detector %s loaded (%d counted classes)", path.name, len(detector._to_coco))
        return detector

    def detect(self, frames: list[np.ndarray], regions: list[Region | None] | None = None) -> list[Detections]:
        """Detections for each frame (frame pixels), packing same-sized frames into shared inferences.
        A frame with an analysis region is looked at only there when that packs more frames per input
        with no less detail."""
        images, used, floors = [], [], []
        for i, frame in enumerate(frames):
            region = regions[i] if regions else None
            floor = self._crop_floor(frame.shape[1], frame.shape[0], region) if region is not None else None
            images.append(frame if floor is None else region.crop(frame))
            used.append(None if floor is None else region)
            floors.append(floor or 0.0)
        out: list[Detections | None] = [None] * len(images)
        by_size: dict[tuple[int, int, float], list[int]] = {}
        for i, f in enumerate(images):
            by_size.setdefault((f.shape[1], f.shape[0], floors[i]), []).append(i)
        for (w, h, floor), idx in by_size.items():
            rows, cols = mosaic.best_layout(w, h, self.imgsz, self._min_keep, floor=floor)
            for start in range(0, len(idx), rows * cols):
                group = idx[start:start + rows * cols]
                for i, d in zip(group, self._infer([images[i] for i in group], rows, cols)):
                    out[i] = used[i].to_frame(d) if used[i] is not None else d
        return out  # type: ignore[return-value]

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one detector per process; sizes and regions are few
    def _crop_floor(self, width: int, height: int, region: Region) -> float | None:
        return mosaic.crop_floor((width, height), region.size, self.imgsz, self._min_keep)

    def _infer(self, frames: list[np.ndarray], rows: int, cols: int) -> list[Detections]:
        if len(frames) == 1:
            rows = cols = 1
        canvas, placements = mosaic.compose(frames, self.imgsz, rows, cols)
        self.inferences += 1
        if self._direct is not None and canvas.shape[:2] == (self._direct.height, self._direct.width):
            xyxy, conf, model_cls = self._direct.detect(canvas, self._conf_floor, list(self._to_coco))
            model_ids = model_cls.tolist()
        else:
            boxes = self._model.predict(
                canvas, imgsz=self.imgsz, conf=self._conf_floor, classes=list(self._to_coco), verbose=False
            )[0].boxes
            xyxy, conf, model_ids = boxes.xyxy.numpy(), boxes.conf.numpy(), [int(c) for c in boxes.cls.tolist()]
        cls = np.array([self._to_coco[c] for c in model_ids], np.float32)
        dets = Detections(np.asarray(xyxy, np.float32), np.asarray(conf, np.float32), cls)
        return mosaic.split(dets, placements)


def _set_tflite_threads(threads: int) -> None:
    """Ultralytics has no option for this; its LiteRT backend reads a module constant."""
    try:
        import ultralytics.nn.backends.litert as litert

        litert.NUM_THREADS = threads
    except ImportError:  # another Ultralytics layout: keep its default
        log.warning("cannot set TFLite threads with this Ultralytics version")
