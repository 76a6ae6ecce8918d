"""Watch what the public actually receives: every HLS segment the anonymizer puts in the public
bucket, downloaded as it appears (old ones are deleted as the live window slides), then decoded."""
from __future__ import annotations

import io
import threading

import av
import numpy as np

from tests.system.stack import PUBLIC, SystemStack

SLATE_GREY = 60  # services/anonymizer/slate.py background


class PublicWatcher:
    def __init__(self, stack: SystemStack, camera_id: str, interval_s: float = 0.5) -> None:
        self.stack, self.camera_id, self.interval_s = stack, camera_id, interval_s
        self.segments: dict[str, bytes] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PublicWatcher":
        self._known = set(self.stack.objects(PUBLIC, f"hls/{self.camera_id}/"))  # before the fault
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                client = self.stack.s3()
                for key in self.stack.objects(PUBLIC, f"hls/{self.camera_id}/"):
                    if key.endswith(".ts") and key not in self._known and key not in self.segments:
                        response = client.get_object(PUBLIC, key)
                        try:
                            self.segments[key] = response.read()
                        finally:
                            response.close()
                            response.release_conn()
            except Exception as exc:  # noqa: BLE001 - a missed poll is retried; recorded for the report
                self.errors.append(f"{type(exc).__name__}: {exc}")


def frames(segment: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(segment), format="mpegts") as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


def is_slate(image: np.ndarray) -> bool:
    """The paused card: flat grey outside its central text band (a road scene never is)."""
    h = image.shape[0]
    border = np.concatenate([image[: int(h * 0.3)], image[int(h * 0.8):]])
    return float(np.abs(border.astype(np.int16) - SLATE_GREY).mean()) < 4.0 and float(border.std()) < 6.0
