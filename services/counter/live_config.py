"""Live counting configuration (issue 10): documents from the config topic -> the engine's lines.

A changed camera entry is handed to the engine, which rebuilds that camera's lines between two
frames; a document that does not validate is logged and ignored (the old lines keep counting).
Only what counting uses decides whether the camera is rebuilt, so a notice edit does not reset
its tracks.
"""
from __future__ import annotations

import logging

from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.config_feed import ConfigChange
from services.counter.engine import CountingEngine

log = logging.getLogger(__name__)
DirectionNames = dict[tuple[str, str], tuple[str, str]]


def counting_view(config: CameraConfig | None) -> tuple | None:
    """The parts of a camera entry that counting uses (None: the camera is not counted)."""
    if config is None or not (config.counts and config.counting_lines):
        return None
    return (config.frame_size, config.counting_lines, config.lanes, config.calibration)


class LiveCounting:
    def __init__(self, cameras: dict[str, CameraConfig], engine: CountingEngine, names: DirectionNames) -> None:
        self._cameras, self._engine, self._names = cameras, engine, names  # cameras: the engine's, read only here

    async def received(self, camera_id: str) -> None:
        """Nothing to hold: counting on the old lines until the new ones are built is harmless."""

    async def apply(self, change: ConfigChange) -> None:
        wanted = change.config if counting_view(change.config) is not None else None
        self._rename(change.camera_id, wanted)
        if counting_view(wanted) == counting_view(self._cameras.get(change.camera_id)):
            return
        log.info("camera %s: configuration version %d changes counting; rebuilding its lines",
                 change.camera_id, change.version)
        self._engine.reconfigure(change.camera_id, wanted)

    async def reject(self, camera_id: str, reason: str) -> None:
        log.error("camera %s: configuration ignored, the current lines keep counting: %s", camera_id, reason)

    def _rename(self, camera_id: str, config: CameraConfig | None) -> None:
        for key in [k for k in self._names if k[0] == camera_id]:
            del self._names[key]
        for line in config.counting_lines if config else []:
            self._names[(camera_id, line.id)] = (line.pos_name, line.neg_name)
